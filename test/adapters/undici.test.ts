// fetch() through gsocketclient: undici's fetch and Agent over UndiciAgent / createUndiciConnector,
// against real loopback servers — directly, through microsocks (SOCKS5 with credentials) and
// tinyproxy (HTTP CONNECT), HTTPS with a private CA, HTTP/2 by ALPN — and undici's RetryAgent
// retrying a refused connect exactly as often as with its own connector.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Agent, RetryAgent, buildConnector, fetch } from 'undici';
import { SimpleProxyResolver, SocketClient, IOError, IOErrorEnum } from '../../src/index.js';
import { ConnectError, UndiciAgent, createUndiciConnector } from '../../src/adapters/undici.js';
import { hasDaemon, startMicrosocks, startTinyproxy } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { names, recordEvents } from '../helpers/events.js';
import { DIRECT } from '../helpers/resolvers.js';
import { unusedPort } from '../helpers/servers.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const hello: Handler = (req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(`hello ${req.method} ${req.url} http/${req.httpVersion}`);
};

async function listen<S extends Server | Http2SecureServer>(server: S, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server | Http2SecureServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('gsocketclient/undici', { timeout: 60_000 }, () => {
  it('fetch() to a loopback HTTP server: the response, and the client’s event timeline', async () => {
    const server = createServer(hello);
    const port = await listen(server);
    const client = new SocketClient({ proxyResolver: DIRECT });
    const events = recordEvents(client);
    const agent = new UndiciAgent({ client });
    try {
      const res = await fetch(`http://localhost:${port}/a?b=1`, { dispatcher: agent });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'hello GET /a?b=1 http/1.1');
      assert.equal(agent.client, client);
      assert.deepEqual(names(events).slice(0, 2), ['RESOLVING', 'RESOLVED']);
      assert.equal(names(events).at(-1), 'COMPLETE');
      assert.ok(names(events).includes('CONNECTED'));
    } finally {
      await agent.close();
      await close(server);
    }
  });

  it('keep-alive: sequential requests reuse connections exactly as undici’s own Agent does', async () => {
    const server = createServer(hello);
    let connections = 0;
    server.on('connection', () => connections++);
    const port = await listen(server);
    async function connectionsFor(agent: Agent): Promise<number> {
      connections = 0;
      try {
        for (let i = 0; i < 6; i++) {
          const res = await fetch(`http://127.0.0.1:${port}/${i}`, { dispatcher: agent });
          assert.equal(await res.text(), `hello GET /${i} http/1.1`);
        }
      } finally {
        await agent.close();
      }
      return connections;
    }
    try {
      const theirs = await connectionsFor(new Agent());
      const ours = await connectionsFor(
        new UndiciAgent({ client: new SocketClient({ proxyResolver: DIRECT }) }),
      );
      assert.ok(theirs < 6, `undici itself reused nothing (${theirs} connections)`);
      assert.equal(ours, theirs);
    } finally {
      await close(server);
    }
  });

  it('through microsocks (SOCKS5 with username and password)', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    const daemon = await startMicrosocks({ auth: { user: 'alice', password: 's3cret' } });
    const server = createServer(hello);
    const port = await listen(server);
    const client = new SocketClient({
      proxyResolver: new SimpleProxyResolver(`socks5://alice:s3cret@127.0.0.1:${daemon.port}`),
    });
    const events = recordEvents(client);
    const agent = new UndiciAgent({ client });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/socks`, { dispatcher: agent });
      assert.equal(await res.text(), 'hello GET /socks http/1.1');
      assert.ok(names(events).includes('PROXY_NEGOTIATED'), names(events).join(' '));
    } finally {
      await agent.close();
      await close(server);
      await daemon.stop();
    }
  });

  it('through tinyproxy (HTTP CONNECT)', async (t) => {
    if (!requireOrSkip(t, hasDaemon('tinyproxy'), 'tinyproxy is not installed')) return;
    const server = createServer(hello);
    const port = await listen(server);
    const daemon = await startTinyproxy({ connectPorts: [port] });
    const client = new SocketClient({
      proxyResolver: new SimpleProxyResolver(`http://127.0.0.1:${daemon.port}`),
    });
    const events = recordEvents(client);
    const agent = new UndiciAgent({ client });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/connect`, { dispatcher: agent });
      assert.equal(await res.text(), 'hello GET /connect http/1.1');
      assert.ok(names(events).includes('PROXY_NEGOTIATED'), names(events).join(' '));
    } finally {
      await agent.close();
      await close(server);
      await daemon.stop();
    }
  });

  it('an HTTPS origin with a private CA; an unknown CA fails with the GIO error under a string code', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl is not installed')) return;
    const pki = testPki();
    const server = createHttpsServer({ cert: pki.valid.cert, key: pki.valid.key }, hello);
    const port = await listen(server);
    const trusting = new UndiciAgent({
      client: new SocketClient({ proxyResolver: DIRECT, tlsOptions: { ca: pki.ca } }),
    });
    const untrusting = new UndiciAgent({
      client: new SocketClient({ proxyResolver: DIRECT, tlsOptions: { ca: pki.otherCa } }),
    });
    try {
      const res = await fetch(`https://localhost:${port}/tls`, { dispatcher: trusting });
      assert.equal(await res.text(), 'hello GET /tls http/1.1');
      await assert.rejects(
        fetch(`https://localhost:${port}/tls`, { dispatcher: untrusting }),
        (err: unknown) => {
          const cause = (err as Error).cause;
          assert.ok(cause instanceof ConnectError, String(cause));
          assert.equal(typeof cause.code, 'string');
          assert.equal(cause.cause.domain, 'g-tls-error-quark');
          assert.match(cause.message, /Unacceptable TLS certificate/);
          return true;
        },
      );
    } finally {
      await trusting.close();
      await untrusting.close();
      await close(server);
    }
  });

  it('HTTP/2 with allowH2: ALPN h2 is offered and used', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl is not installed')) return;
    const pki = testPki();
    const server = createSecureServer(
      { cert: pki.valid.cert, key: pki.valid.key, allowHTTP1: true },
      (req, res) => {
        res.end(`h${req.httpVersion}`);
      },
    );
    const port = await listen(server);
    const h2 = new UndiciAgent({
      allowH2: true,
      client: new SocketClient({ proxyResolver: DIRECT, tlsOptions: { ca: pki.ca } }),
    });
    const h1 = new UndiciAgent({
      client: new SocketClient({ proxyResolver: DIRECT, tlsOptions: { ca: pki.ca } }),
    });
    try {
      assert.equal(await (await fetch(`https://localhost:${port}/`, { dispatcher: h2 })).text(), 'h2.0');
      assert.equal(await (await fetch(`https://localhost:${port}/`, { dispatcher: h1 })).text(), 'h1.1');
    } finally {
      await h2.close();
      await h1.close();
      await close(server);
    }
  });

  it('a refused connect: ConnectError with code ECONNREFUSED and the IOError as cause', async () => {
    const port = await unusedPort();
    const agent = new UndiciAgent({ client: new SocketClient({ proxyResolver: DIRECT }) });
    try {
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`, { dispatcher: agent }), (err: unknown) => {
        const cause = (err as Error).cause;
        assert.ok(cause instanceof ConnectError, String(cause));
        assert.equal(cause.code, 'ECONNREFUSED');
        assert.ok(cause.cause instanceof IOError);
        assert.equal(cause.cause.code, IOErrorEnum.CONNECTION_REFUSED);
        assert.equal(cause.message, 'Could not connect to 127.0.0.1: Connection refused');
        return true;
      });
    } finally {
      await agent.close();
    }
  });

  it('RetryAgent retries a refused connect as often through the adapter as with undici’s connector', async () => {
    const port = await unusedPort();
    const retry = { maxRetries: 2, minTimeout: 1, maxTimeout: 5, timeoutFactor: 1 };
    async function attempts(connectorFor: (count: () => void) => buildConnector.connector): Promise<number> {
      let count = 0;
      const agent = new Agent({ connect: connectorFor(() => count++) });
      const retrying = new RetryAgent(agent, retry);
      try {
        await assert.rejects(fetch(`http://127.0.0.1:${port}/`, { dispatcher: retrying }));
      } finally {
        await retrying.close();
      }
      return count;
    }
    const counting =
      (inner: buildConnector.connector) =>
      (count: () => void): buildConnector.connector =>
      (opts, cb) => {
        count();
        inner(opts, cb);
      };
    const theirs = await attempts(counting(buildConnector({})));
    const ours = await attempts(counting(createUndiciConnector({ proxyResolver: DIRECT })));
    assert.equal(theirs, 3);
    assert.equal(ours, theirs);
  });

  it('a port outside 1–65535 from undici becomes a typed error, not a throw', async () => {
    const connect = createUndiciConnector({ proxyResolver: DIRECT });
    const err = await new Promise<Error | null>((resolve) =>
      connect({ protocol: 'http:', hostname: '127.0.0.1', port: '70000' }, (...args) => resolve(args[0])),
    );
    assert.ok(err instanceof ConnectError);
    assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
  });
});

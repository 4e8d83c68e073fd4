// node:http, node:https and ws over gsocketclient's HttpAgent / HttpsAgent, against real loopback
// servers: keep-alive reuse kept, TLS with a private CA, a WebSocket echo directly and through a
// SOCKS5 proxy (microsocks), and errors whose `code` is Node's string.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http, { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https, { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { IOError, IOErrorEnum, SimpleProxyResolver, SocketClient } from '../../src/index.js';
import { ConnectError, HttpAgent, HttpsAgent } from '../../src/adapters/http.js';
import { hasDaemon, startMicrosocks } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { names, recordEvents } from '../helpers/events.js';
import { DIRECT } from '../helpers/resolvers.js';
import { unusedPort } from '../helpers/servers.js';

const hello = (req: IncomingMessage, res: ServerResponse): void => {
  res.end(`hello ${req.url}`);
};

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

interface Got {
  readonly body: string;
  readonly reused: boolean;
}

function get(module: typeof http | typeof https, url: string, agent: http.Agent): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = module.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ body, reused: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

describe('gsocketclient/http', { timeout: 60_000 }, () => {
  it('http.get through HttpAgent: the response, events, and keep-alive reuse', async () => {
    const server = createServer(hello);
    let connections = 0;
    server.on('connection', () => connections++);
    const port = await listen(server);
    const client = new SocketClient({ proxyResolver: DIRECT });
    const events = recordEvents(client);
    const agent = new HttpAgent({ keepAlive: true, client });
    try {
      const first = await get(http, `http://localhost:${port}/one`, agent);
      const second = await get(http, `http://localhost:${port}/two`, agent);
      assert.deepEqual(first, { body: 'hello /one', reused: false });
      assert.deepEqual(second, { body: 'hello /two', reused: true });
      assert.equal(connections, 1);
      assert.equal(names(events).filter((e) => e === 'COMPLETE').length, 1);
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  it('https.get through HttpsAgent with a private CA, keep-alive reuse; an untrusted CA fails', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl is not installed')) return;
    const pki = testPki();
    const server = createHttpsServer({ cert: pki.valid.cert, key: pki.valid.key }, hello);
    const port = await listen(server);
    const agent = new HttpsAgent({
      keepAlive: true,
      client: new SocketClient({ proxyResolver: DIRECT }),
      ca: pki.ca,
    });
    const untrusting = new HttpsAgent({
      client: new SocketClient({ proxyResolver: DIRECT }),
      ca: pki.otherCa,
    });
    try {
      assert.deepEqual(await get(https, `https://localhost:${port}/a`, agent), {
        body: 'hello /a',
        reused: false,
      });
      assert.deepEqual(await get(https, `https://localhost:${port}/b`, agent), {
        body: 'hello /b',
        reused: true,
      });
      await assert.rejects(get(https, `https://localhost:${port}/c`, untrusting), (err: unknown) => {
        assert.ok(err instanceof ConnectError, String(err));
        assert.equal(err.cause.domain, 'g-tls-error-quark');
        assert.match(err.message, /Unacceptable TLS certificate/);
        return true;
      });
    } finally {
      agent.destroy();
      untrusting.destroy();
      await close(server);
    }
  });

  it('rejectUnauthorized: false is refused with an error naming it, not ignored', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl is not installed')) return;
    const pki = testPki();
    const server = createHttpsServer({ cert: pki.valid.cert, key: pki.valid.key }, hello);
    const port = await listen(server);
    const agent = new HttpsAgent({
      client: new SocketClient({ proxyResolver: DIRECT }),
      rejectUnauthorized: false,
    });
    try {
      await assert.rejects(get(https, `https://localhost:${port}/`, agent), (err: unknown) => {
        assert.ok(err instanceof ConnectError, String(err));
        assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
        assert.match(err.message, /rejectUnauthorized/);
        return true;
      });
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  it('a refused connect: the request’s error has code ECONNREFUSED and the IOError as cause', async () => {
    const port = await unusedPort();
    const agent = new HttpAgent({ client: new SocketClient({ proxyResolver: DIRECT }) });
    try {
      await assert.rejects(get(http, `http://127.0.0.1:${port}/`, agent), (err: unknown) => {
        assert.ok(err instanceof ConnectError, String(err));
        assert.equal(err.code, 'ECONNREFUSED');
        assert.ok(err.cause instanceof IOError);
        assert.equal(err.cause.code, IOErrorEnum.CONNECTION_REFUSED);
        return true;
      });
    } finally {
      agent.destroy();
    }
  });

  async function wsEcho(agent: http.Agent, port: number): Promise<string> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { agent });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const reply = new Promise<string>((resolve) =>
        ws.once('message', (data: Buffer) => resolve(data.toString())),
      );
      ws.send('ping over ws');
      return await reply;
    } finally {
      ws.terminate();
    }
  }

  async function startWsEcho(): Promise<{ port: number; close: () => Promise<void> }> {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.on('message', (data: Buffer) => socket.send(data.toString())));
    const port = await listen(server);
    return {
      port,
      close: async () => {
        for (const c of wss.clients) c.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await close(server);
      },
    };
  }

  it('a ws WebSocket echo through HttpAgent', async () => {
    const echo = await startWsEcho();
    const agent = new HttpAgent({ client: new SocketClient({ proxyResolver: DIRECT }) });
    try {
      assert.equal(await wsEcho(agent, echo.port), 'ping over ws');
    } finally {
      agent.destroy();
      await echo.close();
    }
  });

  it('a ws WebSocket echo through a SOCKS5 proxy (microsocks)', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    const daemon = await startMicrosocks();
    const echo = await startWsEcho();
    const client = new SocketClient({
      proxyResolver: new SimpleProxyResolver(`socks5://127.0.0.1:${daemon.port}`),
    });
    const events = recordEvents(client);
    const agent = new HttpAgent({ client });
    try {
      assert.equal(await wsEcho(agent, echo.port), 'ping over ws');
      assert.ok(names(events).includes('PROXY_NEGOTIATED'), names(events).join(' '));
    } finally {
      agent.destroy();
      await echo.close();
      await daemon.stop();
    }
  });
});

// End to end: SocketClient + SimpleProxyResolver through real proxy daemons, checking the event
// sequences of gio-behaviour §2.1 and what the returned connection looks like.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IOError,
  IOErrorEnum,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  type SocketConnection,
} from '../../src/index.js';
import { hasDaemon, startDanted, startMicrosocks, startTinyproxy, type Daemon } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer, type TestServer } from '../helpers/servers.js';
import { assertEcho } from './interop-support.js';

const E = SocketClientEvent;

interface Recorded {
  readonly events: SocketClientEvent[];
  readonly connections: unknown[];
}

function record(client: SocketClient): Recorded {
  const events: SocketClientEvent[] = [];
  const connections: unknown[] = [];
  client.on('event', (event: SocketClientEvent, _connectable: unknown, connection: unknown) => {
    events.push(event);
    connections.push(connection);
  });
  return { events, connections };
}

const names = (events: readonly SocketClientEvent[]): string[] => events.map((e) => E[e]);

const PROXIED = [
  E.RESOLVING,
  E.RESOLVED,
  E.CONNECTING,
  E.CONNECTED,
  E.PROXY_NEGOTIATING,
  E.PROXY_NEGOTIATED,
  E.COMPLETE,
];

/** Connects to the echo server through `proxyUri`, checks the §2.1 sequence and the tunnel. */
async function connectThrough(proxyUri: string, echo: TestServer, protocol: string): Promise<void> {
  const client = new SocketClient({ proxyResolver: new SimpleProxyResolver(proxyUri) });
  const rec = record(client);
  let conn: SocketConnection | null = null;
  try {
    conn = await client.connectToHost(`127.0.0.1:${echo.port}`, 0);
    assert.deepEqual(names(rec.events), names(PROXIED));
    // CONNECTING … COMPLETE all carry the same TcpConnection (SOCKS and HTTP return the stream).
    for (const c of rec.connections.slice(2)) assert.equal(c, conn);
    const remote = conn.getRemoteAddress();
    assert.ok(remote instanceof ProxyAddress);
    assert.equal(remote.protocol, protocol);
    assert.equal(remote.destinationHostname, '127.0.0.1');
    assert.equal(remote.destinationPort, echo.port);
    await assertEcho(conn.stream);
  } finally {
    await conn?.close();
  }
}

async function expectProxyFailure(
  proxyUri: string,
  echo: TestServer,
  code: number,
  message: string,
): Promise<void> {
  const client = new SocketClient({ proxyResolver: new SimpleProxyResolver(proxyUri) });
  const rec = record(client);
  await assert.rejects(client.connectToHost(`127.0.0.1:${echo.port}`, 0), (err: unknown) => {
    assert.ok(err instanceof IOError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    assert.doesNotMatch(err.message, /secret/);
    return true;
  });
  assert.deepEqual(
    names(rec.events),
    names([E.RESOLVING, E.RESOLVED, E.CONNECTING, E.CONNECTED, E.PROXY_NEGOTIATING, E.COMPLETE]),
  );
  assert.equal(rec.connections.at(-1), null);
}

describe('interop: SocketClient through proxy daemons (§2.1)', { timeout: 60_000 }, () => {
  it('socks5 (microsocks), with and without credentials', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    const daemons: Daemon[] = [];
    let echo: TestServer | null = null;
    try {
      echo = await startEchoServer('127.0.0.1');
      const open = await startMicrosocks();
      daemons.push(open);
      await connectThrough(`socks5://127.0.0.1:${open.port}`, echo, 'socks5');

      const authed = await startMicrosocks({ auth: { user: 'u@x', password: 'secret:1' } });
      daemons.push(authed);
      // Userinfo is percent-decoded before it goes on the wire (§6.2).
      await connectThrough(`socks5://u%40x:secret%3A1@127.0.0.1:${authed.port}`, echo, 'socks5');
      await expectProxyFailure(
        `socks5://127.0.0.1:${authed.port}`,
        echo,
        IOErrorEnum.PROXY_NEED_AUTH,
        'The SOCKSv5 proxy requires authentication.',
      );
      await expectProxyFailure(
        `socks5://u%40x:secret-wrong@127.0.0.1:${authed.port}`,
        echo,
        IOErrorEnum.PROXY_AUTH_FAILED,
        'SOCKSv5 authentication failed due to wrong username or password.',
      );
    } finally {
      for (const d of daemons) await d.stop();
      await echo?.close();
    }
  });

  it('http (tinyproxy)', async (t) => {
    if (!requireOrSkip(t, hasDaemon('tinyproxy'), 'tinyproxy is not installed')) return;
    let daemon: Daemon | null = null;
    let echo: TestServer | null = null;
    try {
      echo = await startEchoServer('127.0.0.1');
      daemon = await startTinyproxy({ connectPorts: [echo.port] });
      await connectThrough(`http://127.0.0.1:${daemon.port}`, echo, 'http');
    } finally {
      await daemon?.stop();
      await echo?.close();
    }
  });

  it('socks4 (dante): the destination is resolved locally; ::1 fails, 127.0.0.1 follows', async (t) => {
    if (!requireOrSkip(t, hasDaemon('danted'), 'danted is not installed')) return;
    let daemon: Daemon | null = null;
    let echo: TestServer | null = null;
    let conn: SocketConnection | null = null;
    try {
      echo = await startEchoServer('127.0.0.1');
      daemon = await startDanted();
      await connectThrough(`socks4://127.0.0.1:${daemon.port}`, echo, 'socks4');

      // `localhost` is [::1, 127.0.0.1] without DNS (§4.5); SOCKS4 rejects the IPv6 one first.
      const client = new SocketClient({
        proxyResolver: new SimpleProxyResolver(`socks4://127.0.0.1:${daemon.port}`),
      });
      const rec = record(client);
      conn = await client.connectToHost(`localhost:${echo.port}`, 0);
      assert.deepEqual(
        names(rec.events),
        names([
          E.RESOLVING,
          E.RESOLVED,
          E.CONNECTING,
          E.CONNECTED,
          E.PROXY_NEGOTIATING,
          E.CONNECTING,
          E.CONNECTED,
          E.PROXY_NEGOTIATING,
          E.PROXY_NEGOTIATED,
          E.COMPLETE,
        ]),
      );
      const remote = conn.getRemoteAddress();
      assert.ok(remote instanceof ProxyAddress);
      assert.equal(remote.destinationHostname, '127.0.0.1');
      await assertEcho(conn.stream);
    } finally {
      await conn?.close();
      await daemon?.stop();
      await echo?.close();
    }
  });
});

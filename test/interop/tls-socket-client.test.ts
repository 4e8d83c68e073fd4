// End to end: SocketClient with `tls: true` — the TLS event sequences of gio-behaviour §2.1,
// accept-certificate per address (§8.3), timeouts (§9), and TLS through HTTP and HTTPS proxies
// with the destination's identity (§8.2).
import assert from 'node:assert/strict';
import { connect as netConnect, type Socket } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { createServer as createTlsServer, TLSSocket, type TLSSocket as TlsSocketType } from 'node:tls';
import {
  Cancellable,
  IOError,
  IOErrorEnum,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  TcpWrapperConnection,
  TlsCertificateFlags as F,
  TlsClientConnection,
  TlsError,
  TlsErrorEnum,
  type SocketClientOptions,
  type SocketConnection,
  type SocketType,
} from '../../src/index.js';
import { formatCertificateFlags } from '../../src/tls/certificate-flags.js';
import { HAS_OPENSSL, testPki, type TestPki } from '../helpers/certs.js';
import { hasDaemon, startTinyproxy } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT, FakeResolver } from '../helpers/resolvers.js';
import { startServer } from '../helpers/servers.js';
import { echo, startDualStackTlsServer, startTlsServer } from '../tls/tls-peers.js';

function pki(t: TestContext): TestPki | null {
  return requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)') ? testPki() : null;
}

const LOCALHOST = new FakeResolver({ localhost: { v6: ['::1'], v4: ['127.0.0.1'] } });

const client = (p: TestPki, opts: SocketClientOptions = {}): SocketClient<SocketType> =>
  new SocketClient({
    proxyResolver: DIRECT,
    resolver: LOCALHOST,
    tls: true,
    tlsOptions: { ca: p.ca },
    ...opts,
  });

const DIRECT_TLS = [
  'RESOLVING',
  'RESOLVED',
  'CONNECTING',
  'CONNECTED',
  'TLS_HANDSHAKING',
  'TLS_HANDSHAKED',
  'COMPLETE',
];

async function rejectsWith(
  promise: Promise<unknown>,
  cls: typeof TlsError | typeof IOError,
  code: number,
  message: string,
): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof cls, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.message, message);
    return true;
  });
}

/** Connects accept-certificate on every TLS_HANDSHAKING with `decide(remote)`; records the calls. */
function acceptOnHandshake(
  c: SocketClient<SocketType>,
  decide: (remote: string) => boolean,
): { remote: string; errors: string }[] {
  const calls: { remote: string; errors: string }[] = [];
  let remote = '';
  c.on('event', (event, _connectable, connection) => {
    if (event === SocketClientEvent.CONNECTED)
      remote = (connection as SocketConnection).getRemoteAddress().toString();
    if (event === SocketClientEvent.TLS_HANDSHAKING) {
      const at = remote;
      (connection as TlsClientConnection).onAcceptCertificate((_cert, errors) => {
        calls.push({ remote: at, errors: formatCertificateFlags(errors) });
        return decide(at);
      });
    }
  });
  return calls;
}

describe('SocketClient + TLS (§2.1, §8)', () => {
  let baseline: Record<string, number>;
  before(() => {
    baseline = activeResources();
  });
  after(async () => {
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets, timers or processes left behind');
  });

  it('direct TLS: RESOLVING … TLS_HANDSHAKING, TLS_HANDSHAKED, COMPLETE(TcpWrapperConnection)', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startDualStackTlsServer(p.valid);
    let conn: SocketConnection | null = null;
    try {
      const c = client(p);
      const events = recordEvents(c);
      conn = await c.connectToHost(`localhost:${server.port}`, 0);
      assert.deepEqual(names(events), DIRECT_TLS);
      const tcp = events[2].connection;
      assert.equal(events[3].connection, tcp);
      const tlsConn = events[4].connection;
      assert.ok(tlsConn instanceof TlsClientConnection);
      assert.equal(tlsConn.baseIOStream, tcp, 'TLS runs over the attempt’s TCP connection');
      assert.equal(events[5].connection, tlsConn);
      assert.ok(conn instanceof TcpWrapperConnection);
      assert.equal(events[6].connection, conn);
      assert.equal(conn.getBaseIOStream(), tlsConn);
      assert.ok(conn.stream instanceof TLSSocket, 'stream is the TLS socket');
      assert.equal(conn.stream, tlsConn.stream);
      assert.notEqual(conn.socket, conn.stream);
      assert.equal(conn.getRemoteAddress().toString(), `[::1]:${server.port}`);
      assert.equal(tlsConn.peerCertificateErrors, F.NO_FLAGS);
      assert.equal(await echo(conn.stream, 'through the client'), 'through the client');
      assert.deepEqual(server.v6.servernames, ['localhost']);
    } finally {
      await conn?.close();
      await server.close();
    }
  });

  it('TLS failure with two addresses: localhost → ::1 then 127.0.0.1, TLS_HANDSHAKING twice', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startDualStackTlsServer(p.selfSigned);
    try {
      const c = client(p);
      const events = recordEvents(c);
      await rejectsWith(
        c.connectToHost(`localhost:${server.port}`, 0),
        TlsError,
        TlsErrorEnum.BAD_CERTIFICATE,
        'Unacceptable TLS certificate',
      );
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'TLS_HANDSHAKING',
        'CONNECTING',
        'CONNECTED',
        'TLS_HANDSHAKING',
        'COMPLETE',
      ]);
      const connecting = events.filter((e) => e.event === 'CONNECTING');
      assert.deepEqual(
        connecting.map((e) => e.remote),
        [`[::1]:${server.port}`, `127.0.0.1:${server.port}`],
      );
      const handshakes = events.filter((e) => e.event === 'TLS_HANDSHAKING').map((e) => e.connection);
      assert.notEqual(handshakes[0], handshakes[1], 'a new TLS connection per address');
      assert.equal(events.at(-1)?.connection, null);
    } finally {
      await server.close();
    }
  });

  it('accept-certificate connected at TLS_HANDSHAKING: asked once per address, first yes wins', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startDualStackTlsServer(p.selfSigned);
    let conn: SocketConnection | null = null;
    try {
      const c = client(p);
      const calls = acceptOnHandshake(c, (remote) => remote.startsWith('127.'));
      conn = await c.connectToHost(`localhost:${server.port}`, 0);
      assert.deepEqual(calls, [
        { remote: `[::1]:${server.port}`, errors: 'UNKNOWN_CA' },
        { remote: `127.0.0.1:${server.port}`, errors: 'UNKNOWN_CA' },
      ]);
      assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${server.port}`);
      assert.equal(await echo(conn.stream, 'accepted'), 'accepted');
    } finally {
      await conn?.close();
      await server.close();
    }
  });

  it('tlsValidationFlags = 0: accepted silently, no accept-certificate, errors still recorded', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.expiredUnknownWrongName);
    let conn: SocketConnection | null = null;
    try {
      const c = client(p, { tlsValidationFlags: F.NO_FLAGS });
      const calls = acceptOnHandshake(c, () => false);
      conn = await c.connectToHost(`127.0.0.1:${server.port}`, 0);
      assert.deepEqual(calls, []);
      const tlsConn = (conn as TcpWrapperConnection).getBaseIOStream() as TlsClientConnection;
      assert.equal(formatCertificateFlags(tlsConn.peerCertificateErrors), 'UNKNOWN_CA|BAD_IDENTITY|EXPIRED');
      assert.deepEqual(server.servernames, []);
    } finally {
      await conn?.close();
      await server.close();
    }
  });

  it('TLS to a plain TCP server → MISC; the sequence ends TLS_HANDSHAKING, COMPLETE(null)', async (t) => {
    const p = pki(t);
    if (!p) return;
    const plain = await startServer('127.0.0.1', 0, (s) => s.pipe(s));
    try {
      const c = client(p);
      const events = recordEvents(c);
      await rejectsWith(
        c.connectToHost(`127.0.0.1:${plain.port}`, 0),
        TlsError,
        TlsErrorEnum.MISC,
        'Error performing TLS handshake: An unexpected TLS handshake packet was received.',
      );
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'TLS_HANDSHAKING',
        'COMPLETE',
      ]);
    } finally {
      await plain.close();
    }
  });

  it('timeout bounds a stalled handshake: TIMED_OUT "Socket I/O timed out"', async (t) => {
    const p = pki(t);
    if (!p) return;
    const silent = await startServer('127.0.0.1', 0, () => undefined);
    try {
      const c = client(p, { timeout: 0.5 });
      const events = recordEvents(c);
      const t0 = Date.now();
      await rejectsWith(
        c.connectToHost(`127.0.0.1:${silent.port}`, 0),
        IOError,
        IOErrorEnum.TIMED_OUT,
        'Socket I/O timed out',
      );
      assert.ok(Date.now() - t0 >= 400, 'not before the timeout');
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'TLS_HANDSHAKING',
        'COMPLETE',
      ]);
    } finally {
      await silent.close();
    }
  });

  it('the inactivity timeout still works on a TLS connection: activity keeps it, idleness ends it', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid);
    let conn: SocketConnection | null = null;
    try {
      conn = await client(p, { timeout: 0.3 }).connectToHost(`127.0.0.1:${server.port}`, 0);
      for (let i = 0; i < 6; i++) {
        assert.equal(await echo(conn.stream, `tick ${i}`), `tick ${i}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const err = await new Promise<unknown>((resolve) => conn!.stream.once('error', resolve));
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.TIMED_OUT);
      assert.equal(err.message, 'Socket I/O timed out');
    } finally {
      await conn?.close();
      await server.close();
    }
  });

  it('cancelled during the handshake → CANCELLED, COMPLETE(null)', async (t) => {
    const p = pki(t);
    if (!p) return;
    const silent = await startServer('127.0.0.1', 0, () => undefined);
    try {
      const c = client(p);
      const events = recordEvents(c);
      const cancellable = new Cancellable();
      c.on('event', (e) => {
        if (e === SocketClientEvent.TLS_HANDSHAKING) setTimeout(() => cancellable.cancel(), 50);
      });
      await rejectsWith(
        c.connectToHost(`127.0.0.1:${silent.port}`, 0, { cancellable }),
        IOError,
        IOErrorEnum.CANCELLED,
        'Operation was cancelled',
      );
      assert.equal(names(events).at(-1), 'COMPLETE');
      assert.equal(events.at(-1)?.connection, null);
    } finally {
      await silent.close();
    }
  });

  it('TLS through an HTTP CONNECT proxy (tinyproxy): the destination’s name is the identity and SNI', async (t) => {
    const p = pki(t);
    if (!p) return;
    if (!requireOrSkip(t, hasDaemon('tinyproxy'), 'tinyproxy')) return;
    const server = await startDualStackTlsServer(p.valid);
    const proxy = await startTinyproxy({ connectPorts: [server.port] });
    let conn: SocketConnection | null = null;
    try {
      const c = client(p, { proxyResolver: new SimpleProxyResolver(`http://127.0.0.1:${proxy.port}`) });
      const events = recordEvents(c);
      conn = await c.connectToHost(`localhost:${server.port}`, 0);
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'PROXY_NEGOTIATING',
        'PROXY_NEGOTIATED',
        'TLS_HANDSHAKING',
        'TLS_HANDSHAKED',
        'COMPLETE',
      ]);
      const tlsConn = (conn as TcpWrapperConnection).getBaseIOStream() as TlsClientConnection;
      assert.equal(tlsConn.serverIdentity?.toString(), `localhost:${server.port}`);
      assert.equal(tlsConn.peerCertificateErrors, F.NO_FLAGS);
      assert.ok(conn.getRemoteAddress() instanceof ProxyAddress);
      assert.equal(await echo(conn.stream, 'via tinyproxy'), 'via tinyproxy');
      assert.deepEqual([...server.v4.servernames, ...server.v6.servernames], ['localhost']);
    } finally {
      await conn?.close();
      await proxy.stop();
      await server.close();
    }
  });

  it('TLS inside an HTTPS proxy’s TLS: two TLS layers, each with its own identity', async (t) => {
    const p = pki(t);
    if (!p) return;
    const server = await startTlsServer('127.0.0.1', p.valid);
    const proxy = await startHttpsConnectProxy(p, { localhost: '127.0.0.1' });
    let conn: SocketConnection | null = null;
    try {
      const c = client(p, { proxyResolver: new SimpleProxyResolver(`https://127.0.0.1:${proxy.port}`) });
      const events = recordEvents(c);
      // The proxy's TLS connection is shown at PROXY_NEGOTIATING so it can be given our CA.
      c.on('event', (e, _connectable, connection) => {
        if (e === SocketClientEvent.PROXY_NEGOTIATING) (connection as TlsClientConnection).ca = p.ca;
      });
      conn = await c.connectToHost(`localhost:${server.port}`, 0);
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'PROXY_NEGOTIATING',
        'PROXY_NEGOTIATED',
        'TLS_HANDSHAKING',
        'TLS_HANDSHAKED',
        'COMPLETE',
      ]);
      const outer = events.find((e) => e.event === 'PROXY_NEGOTIATED')?.connection;
      const inner = (conn as TcpWrapperConnection).getBaseIOStream();
      assert.ok(outer instanceof TlsClientConnection && inner instanceof TlsClientConnection);
      assert.equal(inner.baseIOStream, outer, 'destination TLS runs inside the proxy TLS');
      assert.equal(inner.serverIdentity?.toString(), `localhost:${server.port}`);
      assert.equal(outer.peerCertificateErrors, F.NO_FLAGS);
      assert.equal(inner.peerCertificateErrors, F.NO_FLAGS);
      assert.equal(await echo(conn.stream, 'tls in tls'), 'tls in tls');
      assert.deepEqual(server.servernames, ['localhost']);
    } finally {
      await conn?.close();
      await proxy.close();
      await server.close();
    }
  });
});

/**
 * A minimal HTTPS proxy: TLS with the PKI's valid certificate, then `CONNECT host:port`, mapped
 * through `hosts` (never a DNS lookup), answered 200 and relayed.
 */
async function startHttpsConnectProxy(
  p: TestPki,
  hosts: Record<string, string>,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };
  const server = createTlsServer({ cert: p.valid.cert, key: p.valid.key }, (client: TlsSocketType) => {
    track(client);
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const m = /^CONNECT \[?([^\]\s]+?)\]?:(\d+) HTTP\/1\.[01]\r\n/.exec(head);
      if (!m) {
        client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      const upstream = netConnect({ host: hosts[m[1]] ?? m[1], port: Number(m[2]) });
      track(upstream);
      upstream.once('connect', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      upstream.once('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// The HTTPS proxy (§7.3 with SPEC §3's fix): TLS to the proxy verified against the proxy URI's
// host name (SNI too), then CONNECT inside TLS. The proxy is a Node tls server with a test CA.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import {
  Cancellable,
  InetAddress,
  IOError,
  IOErrorEnum,
  NetworkAddress,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  TcpWrapperConnection,
  TlsClientConnection,
  TlsError,
  TlsErrorEnum,
  type SocketConnection,
} from '../../src/index.js';
import { timedOutError } from '../../src/errors/gerror.js';
import { HttpsProxy, httpsProxyIdentity } from '../../src/proxy/https-proxy.js';
import { HAS_OPENSSL, testPki, type CertPair } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { FakeResolver } from '../helpers/resolvers.js';
import { startServer } from '../helpers/servers.js';
import { appRead, closedSoon, proxyAddress, serverReadHeader, tcpConnect } from './peer.js';

interface HttpsPeer {
  readonly port: number;
  /** The SNI each connection sent (false: none), and its CONNECT header. */
  readonly seen: { servername: string | false; request: string }[];
  close(): Promise<void>;
}

/** A CONNECT proxy inside TLS: answers `reply`, then echoes (the "destination"). */
async function startHttpsPeer(
  pair: CertPair,
  reply = 'HTTP/1.1 200 Connection established\r\n\r\n',
): Promise<HttpsPeer> {
  const seen: HttpsPeer['seen'] = [];
  const sockets = new Set<Socket>();
  const server: TlsServer = createTlsServer({ cert: pair.cert, key: pair.key }, (s: TLSSocket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    void serverReadHeader(s).then(
      (request) => {
        seen.push({ servername: s.servername ?? false, request });
        s.write(reply);
        s.pipe(s);
      },
      () => undefined,
    );
  });
  server.on('tlsClientError', () => undefined);
  server.on('connection', (raw: Socket) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const httpsAddress = (
  port: number,
  uriHost: string,
  extra: { username?: string; password?: string } = {},
): ProxyAddress =>
  proxyAddress(port, {
    protocol: 'https',
    destinationHostname: 'example.test',
    destinationPort: 443,
    uri: `https://${uriHost}:${port}`,
    ...extra,
  });

function assertTlsError(err: unknown, code: number, message: string): void {
  assert.ok(err instanceof TlsError, String(err));
  assert.equal(err.code, code, err.message);
  assert.equal(err.message, message);
}

describe('HTTPS proxy identity', () => {
  const base = InetAddress.newFromString('127.0.0.1')!;
  const make = (uri: string | null): ProxyAddress =>
    new ProxyAddress(base, 3129, {
      protocol: 'https',
      destinationProtocol: 'none',
      destinationHostname: 'example.test',
      destinationPort: 443,
      uri,
    });
  const rows: readonly [string | null, string][] = [
    ['https://proxy.example:3129', 'proxy.example'],
    ['https://user:pw@Proxy.Example:3129/', 'proxy.example'],
    ['https://[::1]:3129', '::1'],
    ['https://[fe80::1%25lo]:3129', 'fe80::1'],
    ['https://127.0.0.1', '127.0.0.1'],
    [null, '127.0.0.1'],
  ];
  for (const [uri, host] of rows) {
    it(`${uri} → ${host} (port of the address connected to)`, () => {
      const id = httpsProxyIdentity(make(uri));
      assert.ok(id instanceof NetworkAddress);
      assert.equal(id.hostname.toLowerCase(), host);
      assert.equal(id.port, 3129);
    });
  }
});

describe('HTTPS proxy over TLS', { timeout: 60_000 }, () => {
  const proxy = new HttpsProxy();

  it('is verified against the URI host name with SNI; CONNECT runs inside TLS; bytes intact', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI is not installed')) return;
    const pki = testPki();
    // The certificate names only wrong.example: it validates only if the *name* is the identity
    // (GIO 2.74 checks the proxy's IP and would refuse it).
    const peer = await startHttpsPeer(pki.wrongName);
    try {
      const address = httpsAddress(peer.port, 'wrong.example');
      const connection = await tcpConnect(address);
      const shown = proxy.prepare(connection, address);
      assert.ok(shown instanceof TlsClientConnection);
      shown.ca = pki.ca;
      const result = await proxy.connect(shown, address);
      assert.equal(result, shown, 'the TLS connection is the stream to use');
      assert.deepEqual(
        peer.seen.map((s) => s.servername),
        ['wrong.example'],
      );
      assert.match(
        peer.seen[0].request,
        /^CONNECT example\.test:443 HTTP\/1\.0\r\nHost: example\.test:443\r\n/,
      );
      result.stream.write('through the tunnel\n');
      assert.equal((await appRead(result.stream, 19)).toString(), 'through the tunnel\n');
      await result.close();
      assert.ok(await closedSoon(connection.socket));
    } finally {
      await peer.close();
    }
  });

  it('an IP host in the URI is an IP identity: no SNI, the certificate must cover the IP', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI is not installed')) return;
    const pki = testPki();
    const good = await startHttpsPeer(pki.valid);
    const bad = await startHttpsPeer(pki.wrongName);
    try {
      const a = httpsAddress(good.port, '127.0.0.1');
      const tls = proxy.prepare(await tcpConnect(a), a);
      tls.ca = pki.ca;
      const ok = await proxy.connect(tls, a);
      assert.deepEqual(
        good.seen.map((s) => s.servername),
        [false],
      );
      await ok.close();

      const b = httpsAddress(bad.port, '127.0.0.1');
      const connection = await tcpConnect(b);
      const tls2 = proxy.prepare(connection, b);
      tls2.ca = pki.ca;
      const err = await proxy.connect(tls2, b).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertTlsError(err, TlsErrorEnum.BAD_CERTIFICATE, 'Unacceptable TLS certificate');
      assert.ok(await closedSoon(connection.socket));
      assert.equal(bad.seen.length, 0, 'no CONNECT after a refused certificate');
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('untrusted: BAD_CERTIFICATE (also without prepare()), unless an accept-certificate handler says yes', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI is not installed')) return;
    const pki = testPki();
    const peer = await startHttpsPeer(pki.valid);
    try {
      const a = httpsAddress(peer.port, 'localhost');
      const direct = await tcpConnect(a);
      const err = await proxy.connect(direct, a).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assertTlsError(err, TlsErrorEnum.BAD_CERTIFICATE, 'Unacceptable TLS certificate');
      assert.ok(await closedSoon(direct.socket));

      const tls = proxy.prepare(await tcpConnect(a), a);
      let asked = 0;
      tls.onAcceptCertificate(() => {
        asked++;
        return true;
      });
      const ok = await proxy.connect(tls, a);
      assert.equal(asked, 1);
      assert.deepEqual(
        peer.seen.map((s) => s.servername),
        ['localhost'],
      );
      await ok.close();
    } finally {
      await peer.close();
    }
  });

  for (const [name, reply, creds, code, message] of [
    [
      '407 without credentials',
      'HTTP/1.1 407 Auth\r\n\r\n',
      {},
      IOErrorEnum.PROXY_NEED_AUTH,
      'HTTP proxy authentication required',
    ],
    [
      '407 with credentials',
      'HTTP/1.1 407 Auth\r\n\r\n',
      { username: 'u', password: 'secret' },
      IOErrorEnum.PROXY_AUTH_FAILED,
      'HTTP proxy authentication failed',
    ],
    [
      '403',
      'HTTP/1.1 403 No\r\n\r\n',
      {},
      IOErrorEnum.PROXY_NOT_ALLOWED,
      'HTTP proxy connection not allowed',
    ],
  ] as const) {
    it(`${name} inside TLS → ${IOErrorEnum[code]}`, async (t) => {
      if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI is not installed')) return;
      const pki = testPki();
      const peer = await startHttpsPeer(pki.valid, reply);
      try {
        const a = httpsAddress(peer.port, 'localhost', creds);
        const connection = await tcpConnect(a);
        const tls = proxy.prepare(connection, a);
        tls.ca = pki.ca;
        const err = await proxy.connect(tls, a).then(
          () => assert.fail('succeeded'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof IOError, String(err));
        assert.equal(err.code, code);
        assert.equal(err.message, message);
        assert.ok(await closedSoon(connection.socket));
      } finally {
        await peer.close();
      }
    });
  }

  it("the destination's first bytes in the same TLS record as the 200 reach the application", async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI is not installed')) return;
    const pki = testPki();
    const peer = await startHttpsPeer(pki.valid, 'HTTP/1.1 200 OK\r\n\r\nWELCOME\n');
    try {
      const a = httpsAddress(peer.port, 'localhost');
      const tls = proxy.prepare(await tcpConnect(a), a);
      tls.ca = pki.ca;
      const ok = await proxy.connect(tls, a);
      assert.equal((await appRead(ok.stream, 8)).toString(), 'WELCOME\n');
      await ok.close();
    } finally {
      await peer.close();
    }
  });

  it("the client's inactivity timeout on the TCP socket under TLS is the error (TIMED_OUT)", async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI is not installed')) return;
    const pki = testPki();
    const peer = await startHttpsPeer(pki.valid, ''); // completes TLS, never answers CONNECT
    try {
      const a = httpsAddress(peer.port, 'localhost');
      const connection = await tcpConnect(a);
      connection.socket.setTimeout(200, () => connection.socket.destroy(timedOutError()));
      const tls = proxy.prepare(connection, a);
      tls.ca = pki.ca;
      const err = await proxy.connect(tls, a).then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError, String(err));
      assert.equal(err.code, IOErrorEnum.TIMED_OUT);
      assert.equal(err.message, 'Socket I/O timed out');
      assert.equal(peer.seen.length, 1, 'the CONNECT was sent');
    } finally {
      await peer.close();
    }
  });

  it('cancellation during the TLS handshake → CANCELLED, sockets destroyed', async () => {
    const silent = await startServer('127.0.0.1', 0, () => undefined);
    try {
      const a = httpsAddress(silent.port, 'localhost');
      const connection = await tcpConnect(a);
      const c = new Cancellable();
      const pending = proxy.connect(proxy.prepare(connection, a), a, { cancellable: c });
      setTimeout(() => c.cancel(), 50);
      const err = await pending.then(
        () => assert.fail('succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.CANCELLED);
      assert.ok(await closedSoon(connection.socket));
    } finally {
      await silent.close();
    }
  });

  it('through SocketClient: the proxy TLS connection is shown at PROXY_NEGOTIATING and can be trusted there', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI is not installed')) return;
    const pki = testPki();
    const peer = await startHttpsPeer(pki.wrongName);
    let conn: SocketConnection | null = null;
    try {
      const client = new SocketClient({
        // The proxy's name resolves in-process: no system DNS.
        resolver: new FakeResolver({ 'wrong.example': { v4: ['127.0.0.1'], v6: 'NXDOMAIN' } }),
        proxyResolver: new SimpleProxyResolver(`https://wrong.example:${peer.port}`),
      });
      const events: SocketClientEvent[] = [];
      const shown: unknown[] = [];
      client.on('event', (event: SocketClientEvent, _c: unknown, connection: unknown) => {
        events.push(event);
        shown.push(connection);
        if (event === SocketClientEvent.PROXY_NEGOTIATING && connection instanceof TlsClientConnection) {
          connection.ca = pki.ca;
        }
      });
      conn = await client.connectToHost('127.0.0.1:7', 0);
      const E = SocketClientEvent;
      assert.deepEqual(
        events.map((e) => E[e]),
        [
          'RESOLVING',
          'RESOLVED',
          'CONNECTING',
          'CONNECTED',
          'PROXY_NEGOTIATING',
          'PROXY_NEGOTIATED',
          'COMPLETE',
        ],
      );
      const negotiating = shown[4];
      assert.ok(negotiating instanceof TlsClientConnection);
      assert.equal(shown[5], negotiating, 'PROXY_NEGOTIATED shows the same TLS connection');
      assert.ok(conn instanceof TcpWrapperConnection);
      assert.equal(conn.getBaseIOStream(), negotiating);
      assert.ok(conn.getRemoteAddress() instanceof ProxyAddress);
      assert.equal(peer.seen[0].servername, 'wrong.example');
      assert.match(peer.seen[0].request, /^CONNECT 127\.0\.0\.1:7 HTTP\/1\.0\r\n/);
      const stream = (conn as TcpWrapperConnection).stream;
      stream.write('e2e\n');
      assert.equal((await appRead(stream, 4)).toString(), 'e2e\n');
    } finally {
      await conn?.close();
      await peer.close();
    }
  });
});

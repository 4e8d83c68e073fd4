// SOCKS4a success end to end: SocketClient → a real forwarding SOCKS4a server on loopback
// (test/helpers/socks4a-server.ts, which resolves names from its own map) → an echo server.
// GIO's event sequence for a proxied connection, bytes both ways, the user id on the wire (never
// the password), the name resolved by the proxy and not by us, and `socks://` falling from a
// refused SOCKS5 to SOCKS4a on the same server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  IOError,
  IOErrorEnum,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
  TcpConnection,
  type SocketConnection,
} from '../../src/index.js';
import { recordEvents, names } from '../helpers/events.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { FakeResolver } from '../helpers/resolvers.js';
import { startEchoServer, type TestServer } from '../helpers/servers.js';
import { startSocks4aServer, type Socks4aServer } from '../helpers/socks4a-server.js';

const PROXIED = [
  'RESOLVING',
  'RESOLVED',
  'CONNECTING',
  'CONNECTED',
  'PROXY_NEGOTIATING',
  'PROXY_NEGOTIATED',
  'COMPLETE',
];

/** Writes `data` and reads the same number of bytes back. */
async function roundTrip(conn: SocketConnection, data: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  const done = new Promise<void>((resolve, reject) => {
    conn.stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= data.length) resolve();
    });
    conn.stream.once('error', reject);
    conn.stream.once('end', () => reject(new Error(`end after ${got} bytes`)));
  });
  conn.stream.write(data);
  await done;
  conn.stream.removeAllListeners('data');
  return Buffer.concat(chunks);
}

async function withPeers(
  body: (proxy: Socks4aServer, echo: TestServer) => Promise<void>,
  names: (echoHost: string) => Record<string, string> = (h) => ({ 'app.socks4a.test': h }),
): Promise<void> {
  const baseline = activeResources();
  const echo = await startEchoServer('127.0.0.1');
  const proxy = await startSocks4aServer(names(echo.host));
  try {
    await body(proxy, echo);
  } finally {
    await proxy.close();
    await echo.close();
  }
  assert.deepEqual(await settleLeaks(baseline), {});
}

describe('SOCKS4a through a real forwarding server', () => {
  it('a name: GIO events, the proxy resolves it, the user id (not the password) is sent, bytes flow', async () => {
    await withPeers(async (proxy, echo) => {
      // Nothing to resolve locally: the proxy is an IP literal and SOCKS4a sends the name.
      const resolver = new FakeResolver({});
      const client = new SocketClient({
        resolver,
        proxyResolver: new SimpleProxyResolver(`socks4a://alice:secret@127.0.0.1:${proxy.port}`),
      });
      const events = recordEvents(client);
      const conn = await client.connectToHost(`app.socks4a.test:${echo.port}`, 0);
      try {
        assert.deepEqual(names(events), PROXIED);
        assert.ok(conn instanceof TcpConnection);
        // CONNECTING … COMPLETE carry the one TcpConnection that is returned.
        for (const e of events.slice(2)) assert.equal(e.connection, conn);
        const remote = conn.getRemoteAddress();
        assert.ok(remote instanceof ProxyAddress);
        assert.equal(remote.protocol, 'socks4a');
        assert.equal(remote.destinationHostname, 'app.socks4a.test');
        assert.equal(remote.destinationPort, echo.port);
        assert.equal(remote.username, 'alice');
        assert.deepEqual(resolver.queries, []);

        assert.equal(proxy.requests.length, 1);
        const [request] = proxy.requests;
        assert.deepEqual(
          { userId: request.userId, host: request.host, port: request.port, socks4a: request.socks4a },
          { userId: 'alice', host: 'app.socks4a.test', port: echo.port, socks4a: true },
        );
        // DSTIP 0.0.0.1 marks the name (gio/gsocks4aproxy.c), and the password is never sent.
        assert.deepEqual([...request.raw.subarray(4, 8)], [0, 0, 0, 1]);
        assert.ok(!request.raw.includes('secret'));

        const data = randomBytes(256 * 1024);
        assert.ok((await roundTrip(conn, data)).equals(data));
        assert.equal(echo.peers.length, 1, 'the proxy really connected to the echo server');
      } finally {
        await conn.close();
      }
    });
  });

  it('an IPv4 literal goes in DSTIP with no name, and an empty user id', async () => {
    await withPeers(async (proxy, echo) => {
      const client = new SocketClient({
        resolver: new FakeResolver({}),
        proxyResolver: new SimpleProxyResolver(`socks4a://127.0.0.1:${proxy.port}`),
      });
      const events = recordEvents(client);
      const conn = await client.connectToHost(`127.0.0.1:${echo.port}`, 0);
      try {
        assert.deepEqual(names(events), PROXIED);
        const [request] = proxy.requests;
        assert.deepEqual(
          { userId: request.userId, host: request.host, socks4a: request.socks4a },
          { userId: '', host: '127.0.0.1', socks4a: false },
        );
        const data = randomBytes(1000);
        assert.ok((await roundTrip(conn, data)).equals(data));
      } finally {
        await conn.close();
      }
    });
  });

  it('a name the proxy cannot resolve: rejected (91) → PROXY_FAILED, after PROXY_NEGOTIATING', async () => {
    await withPeers(async (proxy, echo) => {
      const client = new SocketClient({
        resolver: new FakeResolver({}),
        proxyResolver: new SimpleProxyResolver(`socks4a://127.0.0.1:${proxy.port}`),
      });
      const events = recordEvents(client);
      await assert.rejects(client.connectToHost(`unknown.socks4a.test:${echo.port}`, 0), (err: unknown) => {
        assert.ok(err instanceof IOError, String(err));
        assert.equal(err.code, IOErrorEnum.PROXY_FAILED);
        assert.equal(err.message, 'Connection through SOCKSv4 server was rejected');
        return true;
      });
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'PROXY_NEGOTIATING',
        'COMPLETE',
      ]);
      assert.equal(proxy.requests[0]?.host, 'unknown.socks4a.test');
      assert.equal(echo.peers.length, 0);
    });
  });

  it('socks:// on a SOCKS4a-only server: SOCKS5 is dropped, SOCKS4a tunnels; SOCKS4 is never tried', async () => {
    await withPeers(async (proxy, echo) => {
      const resolver = new FakeResolver({ 'app.socks4a.test': { v4: ['127.0.0.1'] } });
      const client = new SocketClient({
        resolver,
        proxyResolver: new SimpleProxyResolver(`socks://bob@127.0.0.1:${proxy.port}`),
      });
      const events = recordEvents(client);
      const conn = await client.connectToHost(`app.socks4a.test:${echo.port}`, 0);
      try {
        assert.deepEqual(names(events), [
          'RESOLVING',
          'RESOLVED',
          'CONNECTING',
          'CONNECTED',
          'PROXY_NEGOTIATING',
          'CONNECTING',
          'CONNECTED',
          'PROXY_NEGOTIATING',
          'PROXY_NEGOTIATED',
          'COMPLETE',
        ]);
        const protocols = events
          .filter((e) => e.event === 'CONNECTING')
          .map((e) => ((e.connection as TcpConnection).getRemoteAddress() as ProxyAddress).protocol);
        assert.deepEqual(protocols, ['socks5', 'socks4a']);
        assert.equal(proxy.refusedOther, 1);
        assert.equal((conn.getRemoteAddress() as ProxyAddress).protocol, 'socks4a');
        assert.equal(proxy.requests[0]?.userId, 'bob');
        // The name went to the proxy; SOCKS4 (which resolves locally) was never needed.
        assert.deepEqual(resolver.queries, []);
        const data = randomBytes(4096);
        assert.ok((await roundTrip(conn, data)).equals(data));
      } finally {
        await conn.close();
      }
    });
  });
});

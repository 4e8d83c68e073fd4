// `timeout` bounds each connect stage as a whole (docs/timeouts.md): peers that send one byte every
// 200 ms keep GIO's per-I/O timer alive forever, but not a deadline. `connectTimeout` bounds the
// whole connect and nothing after it. All peers are hand-written and on loopback. These are the
// end-to-end proof on real sockets and a real DnsResolver; the exact timing of every stage
// deadline (proxies, TLS, name resolution, connectTimeout, the inactivity timeout) is checked on
// the virtual network in test/testing/deadlines.test.ts.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { DnsResolver, IOError, IOErrorEnum, SocketClient, type SocketConnection } from '../../src/index.js';
import { startFakeDns } from '../helpers/fake-dns.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startServer, type TestServer } from '../helpers/servers.js';
import { FakeProxyResolver } from '../proxy/fakes.js';
import { serverReadHeader } from '../proxy/peer.js';

const DRIBBLE_MS = 200;

/** Sends `bytes` one at a time every DRIBBLE_MS until done or the socket closes. */
function dribble(socket: Socket, bytes: Buffer): void {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= bytes.length || socket.destroyed) {
      clearInterval(timer);
      return;
    }
    socket.write(bytes.subarray(i, i + 1));
    i++;
  }, DRIBBLE_MS);
  socket.once('close', () => clearInterval(timer));
}

/** How long a dribble of `bytes` takes: the bound every assertion stays far below. */
const dribbleMs = (bytes: Buffer): number => bytes.length * DRIBBLE_MS;

const HTTP_REPLY = Buffer.from(`HTTP/1.1 200 Connection established\r\nX-Pad: ${'a'.repeat(40)}\r\n\r\n`);

async function timeConnect(work: Promise<SocketConnection>): Promise<{ error: unknown; ms: number }> {
  const t0 = Date.now();
  try {
    const conn = await work;
    await conn.close();
    return { error: null, ms: Date.now() - t0 };
  } catch (error) {
    return { error, ms: Date.now() - t0 };
  }
}

function assertTimedOut(error: unknown, message: string): void {
  assert.ok(error instanceof IOError, `expected an IOError, got ${String(error)}`);
  assert.equal(error.code, IOErrorEnum.TIMED_OUT);
  assert.equal(error.message, message);
}

async function withServer<T>(
  onConnection: (s: Socket) => void,
  body: (s: TestServer) => Promise<T>,
): Promise<T> {
  const server = await startServer('127.0.0.1', 0, onConnection);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

describe('timeout: a deadline per stage', () => {
  it('an HTTP proxy dribbling its reply: TIMED_OUT after ~timeout, not after the dribble', async () => {
    const baseline = activeResources();
    await withServer(
      (s) =>
        void serverReadHeader(s).then(
          () => dribble(s, HTTP_REPLY),
          () => undefined,
        ),
      async (proxy) => {
        const c = new SocketClient({
          timeout: 1,
          proxyResolver: new FakeProxyResolver([`http://127.0.0.1:${proxy.port}`]),
        });
        const { error, ms } = await timeConnect(c.connectToHost('example.test:80', 0));
        assertTimedOut(error, 'Socket I/O timed out');
        assert.ok(ms >= 900, `timed out after ${ms} ms, before the timeout`);
        assert.ok(ms < dribbleMs(HTTP_REPLY) / 2, `timed out after ${ms} ms`);
      },
    );
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('a silent DNS server: TIMED_OUT after ~timeout, no lookup left running', async () => {
    const baseline = activeResources();
    const dns = await startFakeDns(() => null);
    try {
      // c-ares alone would wait 2 s, then 4 s more, for the two tries.
      const resolver = new DnsResolver({ servers: [dns.server], timeout: 2000, tries: 2 });
      const c = new SocketClient({ timeout: 1, resolver, proxyResolver: DIRECT });
      const { error, ms } = await timeConnect(c.connectToHost('silent.test:80', 0));
      assertTimedOut(error, 'Socket I/O timed out');
      assert.ok(ms >= 900 && ms < 5000, `timed out after ${ms} ms`);
      assert.ok(dns.queries.length >= 1, 'the DNS server was asked');
    } finally {
      await dns.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });
});

describe('connectTimeout: one deadline for the whole connect', () => {
  it('bounds name resolution too (a silent DNS server, no per-stage timeout)', async () => {
    const baseline = activeResources();
    const dns = await startFakeDns(() => null);
    try {
      const resolver = new DnsResolver({ servers: [dns.server], timeout: 2000, tries: 2 });
      const c = new SocketClient({ connectTimeout: 0.5, resolver, proxyResolver: DIRECT });
      const { error, ms } = await timeConnect(c.connectToHost('silent.test:80', 0));
      assertTimedOut(error, 'Could not connect to silent.test: Socket I/O timed out');
      assert.ok(ms >= 400 && ms < 5000, `timed out after ${ms} ms`);
    } finally {
      await dns.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('is a property with accessor, getter/setter and constructor option, validated like timeout', () => {
    const c = new SocketClient({ connectTimeout: 2.5 });
    assert.equal(c.connectTimeout, 2.5);
    assert.equal(c.getConnectTimeout(), 2.5);
    c.setConnectTimeout(0);
    assert.equal(c.connectTimeout, 0);
    for (const bad of [-1, Number.NaN, Infinity, '5' as unknown as number, 2_147_483.648]) {
      assert.throws(() => (c.connectTimeout = bad), { code: IOErrorEnum.INVALID_ARGUMENT });
      assert.throws(() => new SocketClient({ connectTimeout: bad }), { code: IOErrorEnum.INVALID_ARGUMENT });
    }
    assert.equal(c.connectTimeout, 0);
  });
});

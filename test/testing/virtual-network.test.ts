// The virtual network's own behaviour: clock, sockets, resolver, behaviours, proxies, records.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TLSSocket } from 'node:tls';
import {
  IOError,
  IOErrorEnum,
  ResolverError,
  ResolverErrorEnum,
  SimpleProxyResolver,
  SocketClient,
  TcpConnection,
} from '../../src/index.js';
import {
  VirtualClock,
  VirtualNetwork,
  echoServer,
  greetingServer,
  httpConnectProxy,
  socks5Proxy,
  type ConnectionHandler,
  type VirtualSocket,
} from '../../src/testing/index.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { settledOutcome, track } from './record.js';

const V4 = '192.0.2.1';
const V6 = '2001:db8::1';
const PROXY = '192.0.2.50';

/** A raw connect through the network's transport, as SocketAttempt does it. */
function rawConnect(net: VirtualNetwork, host: string, port: number): VirtualSocket {
  return net.transport.connectTcp({
    host,
    port,
    family: host.includes(':') ? 6 : 4,
  }) as unknown as VirtualSocket;
}

function errorOf(socket: VirtualSocket): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve) => socket.once('error', resolve));
}

describe('VirtualClock', () => {
  it('fires timers in time order at their exact instants, equal times in arming order', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    const cleared = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cleared);
    await clock.advance(19);
    assert.deepEqual(fired, ['a@10']);
    assert.equal(clock.now(), 19);
    await clock.advance(1);
    assert.deepEqual(fired, ['a@10', 'b@20', 'c@20']);
    assert.equal(clock.pendingTimers, 0);
  });

  it('lets promise work started by a timer run before the next timer fires', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => {
        seen.push(`then@${clock.now()}`);
        clock.setTimeout(() => seen.push(`chained@${clock.now()}`), 5);
      });
    }, 10);
    clock.setTimeout(() => seen.push(`second@${clock.now()}`), 12);
    await clock.advance(100);
    assert.deepEqual(seen, ['then@10', 'second@12', 'chained@15']);
  });

  it('fires a 0 ms timer without advance(), and runUntilIdle() runs to the last timer', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 0);
    await clock.settle();
    assert.deepEqual(fired, [0]);
    clock.setTimeout(() => fired.push(clock.now()), 3000);
    assert.equal(clock.nextTimerAt, 3000);
    assert.equal(await clock.runUntilIdle(), 3000);
    assert.deepEqual(fired, [0, 3000]);
  });

  it('refuses to go back in time, and runUntilIdle() stops at its bound', async () => {
    const clock = new VirtualClock();
    await assert.rejects(clock.advance(-1), RangeError);
    await clock.advance(10);
    await assert.rejects(clock.advanceTo(5), RangeError);
    const rearm = (): void => void clock.setTimeout(rearm, 1000);
    rearm();
    await assert.rejects(clock.runUntilIdle(10_000), /timers still armed/);
  });
});

describe('VirtualNetwork connects', () => {
  it('refuse, unreachable and timeOut fail as Node system errors, after their delays', async () => {
    const net = new VirtualNetwork();
    net.refuse(V4, 1, { delayMs: 30 }).unreachable(V4, 2).timeOut(V4, 3, { delayMs: 127_000 });
    const cases = [
      { port: 1, code: 'ECONNREFUSED', at: 30 },
      { port: 2, code: 'ENETUNREACH', at: 0 },
      { port: 3, code: 'ETIMEDOUT', at: 127_000 },
    ];
    for (const c of cases) {
      const socket = rawConnect(net, V4, c.port);
      let attempt: unknown[] = [];
      socket.once('connectionAttempt', (...args: unknown[]) => (attempt = args));
      const failed = errorOf(socket).then((err) => ({ err, at: net.clock.now() }));
      await net.clock.advance(200_000);
      const { err, at } = await failed;
      assert.deepEqual(attempt, [V4, c.port, 4]);
      assert.equal(err.code, c.code);
      assert.equal(err.syscall, 'connect');
      assert.equal(typeof err.errno, 'number');
      assert.equal(err.message, `connect ${c.code} ${V4}:${c.port}`);
      assert.equal(at - (net.connects.at(-1)?.at ?? 0), c.at);
    }
    assert.deepEqual(
      net.connects.map((r) => r.outcome),
      ['refused', 'unreachable', 'timed-out'],
    );
  });

  it('a known address on an unset port refuses; an unknown address is unreachable', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V4]);
    const refused = errorOf(rawConnect(net, V4, 9));
    const unreachable = errorOf(rawConnect(net, '203.0.113.9', 9));
    assert.equal((await refused).code, 'ECONNREFUSED');
    assert.equal((await unreachable).code, 'ENETUNREACH');
  });

  it('the client maps them to GIO errors: Connection refused, Network is unreachable', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V4]);
    const client = net.client();
    await assert.rejects(client.connectToHost(`${V4}:9`, 0), {
      code: IOErrorEnum.CONNECTION_REFUSED,
      message: `Could not connect to ${V4}: Connection refused`,
    });
    await assert.rejects(client.connectToHost('203.0.113.9:9', 0), {
      code: IOErrorEnum.NETWORK_UNREACHABLE,
      message: 'Could not connect to 203.0.113.9: Network is unreachable',
    });
  });

  it('accept: an echo over both families, with addresses, byte counts and half-close', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V6, V4]).accept(V6, 7, echoServer);
    const conn = await net.client().connectToHost('api.example', 7);
    assert.ok(conn instanceof TcpConnection);
    assert.equal(conn.getRemoteAddress().toString(), `[${V6}]:7`);
    assert.equal(conn.getLocalAddress()?.toString(), '[2001:db8:ffff::1]:49152');
    const chunks: Buffer[] = [];
    conn.stream.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise((resolve) => conn.stream.once('end', resolve));
    conn.stream.end('hello');
    await ended;
    assert.equal(Buffer.concat(chunks).toString(), 'hello');
    assert.equal(conn.socket.bytesWritten, 5);
    assert.equal(conn.socket.bytesRead, 5);
    await conn.close();
  });

  it('a server speaks first; data written before the connect waits for it', async () => {
    const net = new VirtualNetwork();
    net.accept(V4, 25, greetingServer('220 ready\r\n'), { delayMs: 40 });
    const socket = rawConnect(net, V4, 25);
    socket.write('EHLO x\r\n');
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    await net.clock.advance(40);
    assert.equal(Buffer.concat(received).toString(), '220 ready\r\nEHLO x\r\n');
    socket.destroy();
  });

  it('reset after accept: the client reads ECONNRESET at exactly afterMs', async () => {
    const net = new VirtualNetwork();
    net.reset(V4, 80, { delayMs: 10, afterMs: 90 });
    // The connect itself needs the 10 ms delay first.
    const pending = track(net.client().connectToHost(`${V4}:80`, 0));
    await net.clock.advance(10);
    const { value } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.ok(value);
    const failed = new Promise<{ err: unknown; at: number }>((resolve) =>
      value.stream.once('error', (err: unknown) => resolve({ err, at: net.clock.now() })),
    );
    await net.clock.advance(200);
    const { err, at } = await failed;
    assert.equal(at, 100);
    assert.ok(err instanceof IOError || (err as NodeJS.ErrnoException).code === 'ECONNRESET', String(err));
    assert.deepEqual(
      net.connects.map((r) => [r.outcome, r.settledAt, r.closedAt]),
      [['accepted', 10, 100]],
    );
  });
});

describe('VirtualSocket', () => {
  it('net.Socket members: connecting, readyState, address(), setTimeout on the virtual clock', async () => {
    const net = new VirtualNetwork();
    let server: VirtualSocket | null = null;
    net.accept(
      V4,
      80,
      (s) => {
        server = s;
        s.resume(); // a server that reads sees the EOF, and closes its end (allowHalfOpen: false)
      },
      { delayMs: 5 },
    );
    const socket = rawConnect(net, V4, 80);
    assert.equal(socket.connecting, true);
    assert.equal(socket.pending, true);
    assert.equal(socket.readyState, 'opening');
    assert.deepEqual(socket.address(), {});
    await net.clock.advance(5);
    assert.equal(socket.connecting, false);
    assert.equal(socket.readyState, 'open');
    assert.deepEqual(socket.address(), { address: '198.51.100.1', family: 'IPv4', port: 49152 });
    assert.equal(socket.remoteAddress, V4);
    assert.equal(socket.remotePort, 80);
    assert.equal(socket.remoteFamily, 'IPv4');
    assert.equal((server as VirtualSocket | null)?.remotePort, 49152);
    let timedOutAt: number | null = null;
    socket.setTimeout(100, () => (timedOutAt = net.clock.now()));
    assert.equal(socket.timeout, 100);
    await net.clock.advance(99);
    assert.equal(timedOutAt, null);
    await net.clock.advance(1);
    assert.equal(timedOutAt, 105);
    socket.setTimeout(0);
    assert.equal(socket.setNoDelay(true).setKeepAlive(true, 10).ref().unref(), socket);
    socket.destroy();
    await net.clock.settle();
    assert.equal(socket.readyState, 'closed');
    assert.equal((server as VirtualSocket | null)?.destroyed, true, 'the server end closed too');
    assert.equal(net.clock.pendingTimers, 0);
  });

  it('a write to a peer that is gone fails with EPIPE', async () => {
    const net = new VirtualNetwork();
    net.accept(V4, 80, (s) => s.destroy());
    const socket = rawConnect(net, V4, 80);
    socket.on('data', () => undefined);
    await new Promise((resolve) => socket.once('end', resolve));
    await net.clock.settle();
    const failed = errorOf(socket);
    socket.write('late');
    assert.equal((await failed).code, 'EPIPE');
  });
});

describe('VirtualResolver', () => {
  it('answers A and AAAA after their own delays and records each question', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V4, V6], { ipv4: 20, ipv6: 70 });
    const v4 = track(net.resolver.lookupByName('api.example').then((a) => [a.map(String), net.clock.now()]));
    await net.clock.advance(100);
    // In the order addHost() was given, once the slower (AAAA) answer is in.
    assert.deepEqual((await settledOutcome(v4, 'at t=100')).value, [[V4, V6], 70]);
    assert.deepEqual(
      net.lookups.map((l) => [l.name, l.family, l.at]),
      [['api.example', 'any', 0]],
    );
  });

  it('NXDOMAIN for an unknown name, NODATA for a missing family, never the system resolver', async () => {
    const net = new VirtualNetwork();
    net.addHost('v4only.example', [V4]);
    await assert.rejects(net.resolver.lookupByName('nope.example'), (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
      assert.equal(err.message, 'Error resolving “nope.example”: Name or service not known');
      return true;
    });
    const client = net.client();
    await assert.rejects(client.connectToHost('nope.example', 80), {
      message: 'Error resolving “nope.example”: Name or service not known',
    });
    // Only an A answer: the connect goes there, after the 50 ms resolution delay is not needed
    // (the AAAA answer, empty, comes at once).
    net.accept(V4, 80, echoServer);
    const conn = await client.connectToHost('v4only.example', 80);
    assert.equal(conn.getRemoteAddress().toString(), `${V4}:80`);
    await conn.close();
  });

  it('a lookup is cancelled with the operation, leaving no timer', async () => {
    const net = new VirtualNetwork();
    net.addHost('slow.example', [V4], { ipv4: 10_000, ipv6: 10_000 });
    const controller = new AbortController();
    const pending = track(net.client().connectToHost('slow.example', 80, { signal: controller.signal }));
    await net.clock.advance(5);
    controller.abort();
    const { error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.CANCELLED);
    await net.clock.settle();
    assert.equal(net.clock.pendingTimers, 0);
  });
});

describe('virtual proxies', () => {
  const cases = [
    { name: 'SOCKS5 without auth', uri: `socks5://${PROXY}:1080`, server: socks5Proxy(), port: 1080 },
    {
      name: 'SOCKS5 with username/password',
      uri: `socks5://alice:s3cret@${PROXY}:1080`,
      server: socks5Proxy({ username: 'alice', password: 's3cret' }),
      port: 1080,
    },
    { name: 'HTTP CONNECT', uri: `http://${PROXY}:3128`, server: httpConnectProxy(), port: 3128 },
    {
      name: 'HTTP CONNECT with Basic credentials',
      uri: `http://alice:s3cret@${PROXY}:3128`,
      server: httpConnectProxy({ username: 'alice', password: 's3cret' }),
      port: 3128,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: reaches the host by name through the proxy and relays bytes`, async () => {
      const net = new VirtualNetwork();
      net.addHost('api.example', [V4]).accept(V4, 443, echoServer).accept(PROXY, c.port, c.server);
      const client = net.client({ proxyResolver: new SimpleProxyResolver(c.uri) });
      const conn = await client.connectToHost('api.example', 443);
      const reply = new Promise<Buffer>((resolve) => conn.stream.once('data', resolve));
      conn.stream.write('through');
      assert.equal((await reply).toString(), 'through');
      assert.deepEqual(
        net.connects.map((r) => [r.from, r.address, r.port]),
        [
          ['client', PROXY, c.port],
          [PROXY, V4, 443],
        ],
      );
      // The name went to the proxy, not to the client's resolver.
      assert.deepEqual(net.lookups, []);
      await conn.close();
    });
  }

  it("SOCKS5 with a wrong password: GIO's authentication error", async () => {
    const net = new VirtualNetwork();
    net.accept(PROXY, 1080, socks5Proxy({ username: 'alice', password: 's3cret' }));
    const client = net.client({
      proxyResolver: new SimpleProxyResolver(`socks5://alice:wrong@${PROXY}:1080`),
    });
    await assert.rejects(client.connectToHost('api.example', 443), (err: unknown) => {
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.PROXY_AUTH_FAILED);
      return true;
    });
  });

  it('HTTP CONNECT without credentials to a proxy that wants them: 407 → PROXY_NEED_AUTH', async () => {
    const net = new VirtualNetwork();
    net.accept(PROXY, 3128, httpConnectProxy({ username: 'alice', password: 's3cret' }));
    const client = net.client({ proxyResolver: new SimpleProxyResolver(`http://${PROXY}:3128`) });
    await assert.rejects(client.connectToHost('api.example', 443), { code: IOErrorEnum.PROXY_NEED_AUTH });
  });

  it('the proxy reports a refused destination: SOCKS5 "Connection refused"', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V4]).refuse(V4, 443).accept(PROXY, 1080, socks5Proxy());
    const client = net.client({ proxyResolver: new SimpleProxyResolver(`socks5://${PROXY}:1080`) });
    await assert.rejects(client.connectToHost('api.example', 443), { code: IOErrorEnum.CONNECTION_REFUSED });
  });
});

describe('clients on a virtual network', () => {
  it('attach() puts an existing client on the network; its blocking API is refused', async () => {
    const net = new VirtualNetwork();
    net.accept(V4, 80, echoServer);
    const client = net.attach(new SocketClient({ proxyResolver: new SimpleProxyResolver(null) }));
    const conn = await client.connectToHost(`${V4}:80`, 0);
    assert.equal(net.connects.length, 1);
    await conn.close();
    assert.throws(() => client.connectToHostSync(`${V4}:80`, 0), {
      code: IOErrorEnum.NOT_SUPPORTED,
      message: 'The blocking API cannot run on a virtual network',
    });
  });

  it('timings and attempt logs are in virtual milliseconds', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V4], { ipv4: 15, ipv6: 15 }).accept(V4, 80, echoServer, { delayMs: 35 });
    const ended: number[] = [];
    const pending = track(
      net.client().connectToHost('api.example', 80, { onAttemptEnd: (a) => ended.push(a.end ?? -1) }),
    );
    await net.clock.advance(50);
    const { value: conn } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.ok(conn);
    assert.deepEqual(
      { resolve: conn.timings?.resolve, connect: conn.timings?.connect, total: conn.timings?.total },
      { resolve: 15, connect: 50, total: 50 },
    );
    assert.equal(conn.timings?.startTime, 0);
    assert.deepEqual(ended, [50]);
    await conn.close();
  });
});

describe('TLS over virtual sockets', () => {
  it('a real TLS server on the virtual network: handshake, certificate check, echo', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)')) return;
    const pki = testPki();
    const net = new VirtualNetwork();
    const tlsEcho: ConnectionHandler = (socket) => {
      const secure = new TLSSocket(socket, { isServer: true, key: pki.valid.key, cert: pki.valid.cert });
      secure.on('error', () => undefined);
      secure.pipe(secure);
    };
    net.accept('::1', 443, tlsEcho, { delayMs: 40 });
    const client = net.client({ tls: true, tlsOptions: { ca: pki.ca } });
    const pending = track(client.connectToHost('localhost', 443));
    await net.clock.advance(40);
    const { value: conn, error } = await settledOutcome(pending, 'at t=40');
    assert.equal(error, null);
    assert.ok(conn);
    assert.equal(conn.timings?.connect, 40);
    assert.equal(conn.timings?.tls, 40);
    const reply = new Promise<Buffer>((resolve) => conn.stream.once('data', resolve));
    conn.stream.write('over tls');
    assert.equal((await reply).toString(), 'over tls');
    await conn.close();
  });

  it('the same server with an untrusted CA: BAD_CERTIFICATE, as over a real socket', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)')) return;
    const pki = testPki();
    const net = new VirtualNetwork();
    net.accept('::1', 443, (socket) => {
      const secure = new TLSSocket(socket, {
        isServer: true,
        key: pki.unknownCa.key,
        cert: pki.unknownCa.cert,
      });
      secure.on('error', () => undefined);
    });
    const client = net.client({ tls: true, tlsOptions: { ca: pki.ca } });
    await assert.rejects(client.connectToHost('localhost', 443), { domain: 'g-tls-error-quark' });
  });
});

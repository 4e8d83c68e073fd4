// Timeouts, stage deadlines and cancellation on the virtual network: each must fire at exactly
// its virtual instant (the wall-clock versions could only check a window of ±50%). The silent-DNS
// deadline against a real DnsResolver stays in test/client/stage-deadlines.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Cancellable,
  IOError,
  IOErrorEnum,
  SimpleProxyResolver,
  TcpConnection,
  type SocketClientOptions,
} from '../../src/index.js';
import {
  VirtualNetwork,
  echoServer,
  httpConnectProxy,
  silentServer,
  socks5Proxy,
  type ConnectionHandler,
} from '../../src/testing/index.js';
import { recordTimedEvents, settledOutcome, timeline, track } from './record.js';

const HOST = '192.0.2.1';
const PROXY = '192.0.2.50';
const DRIBBLE_MS = 200;

/** Once the client has spoken (or at once), sends `bytes` one every DRIBBLE_MS of virtual time. */
function dribbling(bytes: Buffer, waitForRequest: boolean): ConnectionHandler {
  return (socket, { network }) => {
    let i = 0;
    const tick = (): void => {
      if (socket.destroyed || i >= bytes.length) return;
      socket.write(bytes.subarray(i, ++i));
      network.clock.setTimeout(tick, DRIBBLE_MS);
    };
    socket.on('data', () => undefined);
    if (waitForRequest) socket.once('data', () => network.clock.setTimeout(tick, DRIBBLE_MS));
    else network.clock.setTimeout(tick, DRIBBLE_MS);
  };
}

const HTTP_REPLY = Buffer.from(`HTTP/1.1 200 Connection established\r\nX-Pad: ${'a'.repeat(40)}\r\n\r\n`);
const SOCKS5_REPLY = Buffer.concat([
  Buffer.from([5, 0, 5, 0, 0, 3, 255]),
  Buffer.alloc(255, 0x61),
  Buffer.from([0, 80]),
]);
const TLS_RECORD = Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]), Buffer.alloc(200, 2)]);

function assertTimedOut(error: unknown, message: string): void {
  assert.ok(error instanceof IOError, `expected an IOError, got ${String(error)}`);
  assert.equal(error.code, IOErrorEnum.TIMED_OUT);
  assert.equal(error.message, message);
}

interface DeadlineCase {
  readonly name: string;
  readonly options: SocketClientOptions;
  readonly setup: (net: VirtualNetwork) => void;
  readonly target: string;
  readonly message: string;
  /** The virtual instant of COMPLETE (and of the failure). */
  readonly at: number;
  readonly timeline?: readonly string[];
}

const viaProxy = (uri: string): SocketClientOptions => ({ proxyResolver: new SimpleProxyResolver(uri) });

const deadlineCases: readonly DeadlineCase[] = [
  {
    name: 'a blackholed connect, timeout 1: TIMED_OUT at exactly 1000',
    options: { timeout: 1 },
    setup: (net) => net.blackhole(HOST, 80),
    target: `${HOST}:80`,
    message: `Could not connect to ${HOST}: Socket I/O timed out`,
    at: 1000,
    timeline: ['RESOLVING@0', 'RESOLVED@0', `CONNECTING[${HOST}:80]@0`, 'COMPLETE@1000'],
  },
  {
    name: 'a blackholed connect, connectTimeout 0.5: TIMED_OUT at exactly 500',
    options: { connectTimeout: 0.5 },
    setup: (net) => net.blackhole(HOST, 80),
    target: `${HOST}:80`,
    message: `Could not connect to ${HOST}: Socket I/O timed out`,
    at: 500,
  },
  {
    name: 'a silent name server, timeout 1: TIMED_OUT at exactly 1000',
    options: { timeout: 1 },
    setup: (net) => net.addHost('slow.example', [HOST], { ipv4: 60_000, ipv6: 60_000 }),
    target: 'slow.example:80',
    message: 'Socket I/O timed out',
    at: 1000,
    timeline: ['RESOLVING@0', 'COMPLETE@1000'],
  },
  {
    name: 'a silent name server, connectTimeout 0.5: TIMED_OUT at exactly 500',
    options: { connectTimeout: 0.5 },
    setup: (net) => net.addHost('slow.example', [HOST], { ipv4: 60_000, ipv6: 60_000 }),
    target: 'slow.example:80',
    message: 'Could not connect to slow.example: Socket I/O timed out',
    at: 500,
  },
  {
    name: 'an HTTP proxy dribbling its reply, timeout 1: TIMED_OUT at exactly 1000, not after the dribble',
    options: { timeout: 1, ...viaProxy(`http://${PROXY}:3128`) },
    setup: (net) => net.accept(PROXY, 3128, dribbling(HTTP_REPLY, true)),
    target: 'api.example:80',
    message: 'Socket I/O timed out',
    at: 1000,
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[${PROXY}:3128]@0`,
      'CONNECTED@0',
      'PROXY_NEGOTIATING@0',
      'COMPLETE@1000',
    ],
  },
  {
    name: 'a SOCKS5 proxy dribbling its replies, timeout 1: TIMED_OUT at exactly 1000',
    options: { timeout: 1, ...viaProxy(`socks5://${PROXY}:1080`) },
    setup: (net) => net.accept(PROXY, 1080, dribbling(SOCKS5_REPLY, true)),
    target: 'api.example:80',
    message: 'Socket I/O timed out',
    at: 1000,
  },
  {
    name: 'a stalled SOCKS5 proxy, timeout 2: TIMED_OUT at exactly 2000',
    options: { timeout: 2, ...viaProxy(`socks5://${PROXY}:1080`) },
    setup: (net) => net.accept(PROXY, 1080, socks5Proxy({ stall: true })),
    target: 'api.example:80',
    message: 'Socket I/O timed out',
    at: 2000,
  },
  {
    name: 'a proxy accepting 300 ms late then stalling, timeout 1: the negotiation deadline starts at 300',
    options: { timeout: 1, ...viaProxy(`http://${PROXY}:3128`) },
    setup: (net) => net.accept(PROXY, 3128, httpConnectProxy({ stall: true }), { delayMs: 300 }),
    target: 'api.example:80',
    message: 'Socket I/O timed out',
    at: 1300,
  },
  {
    name: 'a TLS server dribbling its handshake, timeout 1: TIMED_OUT at exactly 1000',
    options: { timeout: 1, tls: true },
    setup: (net) => net.accept(HOST, 443, dribbling(TLS_RECORD, false)),
    target: `${HOST}:443`,
    message: 'Socket I/O timed out',
    at: 1000,
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[${HOST}:443]@0`,
      'CONNECTED@0',
      'TLS_HANDSHAKING@0',
      'COMPLETE@1000',
    ],
  },
  {
    name: 'each stage within timeout 3 but connectTimeout 0.5: TIMED_OUT at exactly 500',
    options: { timeout: 3, connectTimeout: 0.5, ...viaProxy(`http://${PROXY}:3128`) },
    // The proxy accepts after 400 ms and reaches the host 400 ms later: each stage well within 3 s.
    setup: (net) =>
      net
        .accept(PROXY, 3128, httpConnectProxy(), { delayMs: 400 })
        .accept(HOST, 80, echoServer, { delayMs: 400 }),
    target: `${HOST}:80`,
    message: `Could not connect to ${HOST}: Socket I/O timed out`,
    at: 500,
  },
];

describe('deadlines on the virtual network (exact virtual times)', () => {
  for (const c of deadlineCases) {
    it(c.name, async () => {
      const net = new VirtualNetwork();
      net.addHost('api.example', [HOST]);
      c.setup(net);
      const client = net.client(c.options);
      const events = recordTimedEvents(client, net.clock);
      const pending = track(client.connectToHost(c.target, 0));
      await net.clock.advance(c.at - 1);
      assert.equal(
        events.at(-1)?.event === 'COMPLETE',
        false,
        `completed before ${c.at}: ${timeline(events).join(' ')}`,
      );
      await net.clock.advance(1);
      const { error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
      assertTimedOut(error, c.message);
      assert.equal(events.at(-1)?.event, 'COMPLETE');
      assert.equal(events.at(-1)?.at, c.at);
      if (c.timeline) assert.deepEqual(timeline(events), c.timeline);
      // Every socket the client opened is closed by then, and no timer of it is left.
      for (const record of net.connects.filter((r) => r.from === 'client')) {
        assert.equal(record.closedAt, c.at, `${record.address} closed at ${String(record.closedAt)}`);
      }
      await net.clock.settle();
      assert.equal(net.clock.pendingTimers, 0, 'a timer outlived the operation');
    });
  }

  it('control: the same slow proxy without connectTimeout connects at 400 and negotiates by 800', async () => {
    const net = new VirtualNetwork();
    net
      .accept(PROXY, 3128, httpConnectProxy(), { delayMs: 400 })
      .accept(HOST, 80, echoServer, { delayMs: 400 });
    const client = net.client({ timeout: 3, ...viaProxy(`http://${PROXY}:3128`) });
    const pending = track(client.connectToHost(`${HOST}:80`, 0));
    await net.clock.advance(800);
    const { value: conn, error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.equal(error, null);
    assert.equal(conn?.timings?.connect, 400);
    assert.equal(conn?.timings?.proxy, 800);
    assert.deepEqual(
      net.connects.map((r) => [r.from, r.address, r.at]),
      [
        ['client', PROXY, 0],
        [PROXY, HOST, 400],
      ],
    );
    await conn?.close();
  });
});

describe('cancellation on the virtual network', () => {
  it('cancelled at 100 into a hanging attempt: CONNECTING@0, COMPLETE@100, CANCELLED, the socket closed at 100', async () => {
    const net = new VirtualNetwork();
    net.blackhole(HOST, 80);
    const client = net.client();
    const events = recordTimedEvents(client, net.clock);
    const cancellable = new Cancellable();
    net.clock.setTimeout(() => cancellable.cancel(), 100);
    const pending = track(client.connectToHost(`${HOST}:80`, 0, { cancellable }));
    await net.clock.advance(100);
    const { error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.CANCELLED);
    assert.deepEqual(timeline(events), [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[${HOST}:80]@0`,
      'COMPLETE@100',
    ]);
    assert.equal((events[2].connection as TcpConnection).socket.destroyed, true);
    assert.deepEqual(
      net.connects.map((r) => [r.outcome, r.closedAt]),
      [['aborted', 100]],
    );
    assert.equal(net.clock.pendingTimers, 0);
  });

  it('cancelled during the Happy Eyeballs race: both attempts are destroyed at the cancel instant', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', ['2001:db8::1', HOST]);
    net.blackhole('2001:db8::1', 80).blackhole(HOST, 80);
    const client = net.client();
    const controller = new AbortController();
    net.clock.setTimeout(() => controller.abort(), 400);
    const pending = track(client.connectToHost('api.example:80', 0, { signal: controller.signal }));
    await net.clock.advance(1000);
    const { error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.CANCELLED);
    assert.deepEqual(
      net.connects.map((r) => [r.address, r.at, r.closedAt]),
      [
        ['2001:db8::1', 0, 400],
        [HOST, 250, 400],
      ],
    );
  });

  it('cancelled during a stalled proxy negotiation: CANCELLED at that instant', async () => {
    const net = new VirtualNetwork();
    net.accept(PROXY, 1080, socks5Proxy({ stall: true }));
    const client = net.client({ ...viaProxy(`socks5://${PROXY}:1080`) });
    const events = recordTimedEvents(client, net.clock);
    const cancellable = new Cancellable();
    net.clock.setTimeout(() => cancellable.cancel(), 700);
    const pending = track(client.connectToHost('api.example:80', 0, { cancellable }));
    await net.clock.advance(5000);
    const { error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.CANCELLED);
    assert.equal(events.at(-1)?.at, 700);
    assert.equal(net.connects[0].closedAt, 700);
  });
});

describe('the inactivity timeout of a returned connection (virtual time)', () => {
  it('an idle connection fails with TIMED_OUT exactly `timeout` after its last I/O', async () => {
    const net = new VirtualNetwork();
    net.accept(HOST, 80, silentServer);
    const conn = await net.client({ timeout: 0.3 }).connectToHost(`${HOST}:80`, 0);
    let failedAt: number | null = null;
    let failure: unknown = null;
    conn.stream.once('error', (err) => {
      failure = err;
      failedAt = net.clock.now();
    });
    await net.clock.advance(100);
    conn.stream.write('x'); // activity at 100 restarts the timer
    await net.clock.advance(299);
    assert.equal(failedAt, null);
    await net.clock.advance(1);
    assert.equal(failedAt, 400);
    assertTimedOut(failure, 'Socket I/O timed out');
    assert.equal(conn.stream.destroyed, true);
  });

  it('through a proxy too: TIMED_OUT exactly `timeout` after the connect', async () => {
    const net = new VirtualNetwork();
    net.accept(PROXY, 3128, httpConnectProxy()).accept(HOST, 80, silentServer);
    const client = net.client({ timeout: 0.5, ...viaProxy(`http://${PROXY}:3128`) });
    const conn = await client.connectToHost(`${HOST}:80`, 0);
    const start = net.clock.now();
    const failed = new Promise<number>((resolve) =>
      conn.stream.once('error', () => resolve(net.clock.now())),
    );
    await net.clock.advance(2000);
    assert.equal((await failed) - start, 500);
  });

  it('connectTimeout does not end an idle connection after the connect', async () => {
    const net = new VirtualNetwork();
    net.accept(HOST, 80, echoServer);
    const conn = await net.client({ connectTimeout: 0.3 }).connectToHost(`${HOST}:80`, 0);
    let failure: unknown = null;
    conn.stream.on('error', (e: Error) => {
      failure = e;
    });
    await net.clock.advance(3_600_000);
    assert.equal(failure, null);
    const reply = new Promise<Buffer>((resolve) => conn.stream.once('data', resolve));
    conn.stream.write('ping');
    assert.equal((await reply).toString(), 'ping');
    await conn.close();
  });
});

describe('closing on the virtual network', () => {
  it("a graceful close waits for the peer's FIN at most 5000 virtual ms", async () => {
    const net = new VirtualNetwork();
    net.accept(HOST, 80, silentServer); // never reads, never closes
    const conn = await net.client().connectToHost(`${HOST}:80`, 0);
    assert.ok(conn instanceof TcpConnection);
    conn.gracefulDisconnect = true;
    const closing = track(conn.close());
    await net.clock.advance(4999);
    assert.equal(closing.settled(), false);
    await net.clock.advance(1);
    const { error } = await settledOutcome(closing, 'at t=5000');
    assert.equal(error, null);
    assert.equal(conn.socket.destroyed, true);
    assert.equal(net.connects[0].closedAt, 5000);
  });

  it('a graceful close with an echo server ends as soon as the peer closes', async () => {
    const net = new VirtualNetwork();
    net.accept(HOST, 80, echoServer);
    const conn = await net.client().connectToHost(`${HOST}:80`, 0);
    assert.ok(conn instanceof TcpConnection);
    conn.gracefulDisconnect = true;
    await conn.close();
    assert.equal(net.connects[0].closedAt, 0);
    assert.equal(net.clock.pendingTimers, 0);
  });
});

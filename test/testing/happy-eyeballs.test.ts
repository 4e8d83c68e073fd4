// Happy Eyeballs (RFC 8305) on the virtual network: exact virtual timestamps for every attempt,
// event and loser, table-driven. The real-iptables versions of a few of these stay in
// test/client/happy-eyeballs.test.ts as end-to-end proof.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IOError, IOErrorEnum, type SocketClientOptions } from '../../src/index.js';
import { VirtualNetwork, echoServer } from '../../src/testing/index.js';
import { recordTimedEvents, settledOutcome, timeline, track } from './record.js';

const V6 = '2001:db8::1';
const V6B = '2001:db8::2';
const V4 = '192.0.2.1';
const V4B = '192.0.2.2';
const PORT = 443;

type Setup = (net: VirtualNetwork) => void;

interface Scenario {
  readonly name: string;
  readonly addresses?: readonly string[];
  readonly delays?: { readonly ipv4?: number; readonly ipv6?: number };
  readonly options?: SocketClientOptions;
  readonly setup: Setup;
  /** How far to advance the clock before expecting the outcome. */
  readonly advance: number;
  /** [address, virtual start] of each connect(), in order. */
  readonly attempts: readonly (readonly [string, number])[];
  readonly timeline: readonly string[];
  /** The winner's address and timings.connect, or the error's code and message. */
  readonly result:
    | { readonly connected: string; readonly at: number }
    | { readonly code: IOErrorEnum; readonly message: string };
  /** [address, virtual time its socket was closed] for every loser. */
  readonly closed?: readonly (readonly [string, number | null])[];
}

const scenarios: readonly Scenario[] = [
  {
    name: 'IPv6 blackholed: IPv4 starts after exactly one attempt delay and wins; the IPv6 socket is destroyed then',
    setup: (net) => net.blackhole(V6, PORT).accept(V4, PORT, echoServer),
    advance: 1000,
    attempts: [
      [V6, 0],
      [V4, 250],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@250`,
      'CONNECTED@250',
      'COMPLETE@250',
    ],
    result: { connected: `${V4}:443`, at: 250 },
    closed: [[V6, 250]],
  },
  {
    name: 'attemptDelay 100: the second attempt starts at exactly 100',
    options: { attemptDelay: 100 },
    setup: (net) => net.blackhole(V6, PORT).accept(V4, PORT, echoServer),
    advance: 1000,
    attempts: [
      [V6, 0],
      [V4, 100],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@100`,
      'CONNECTED@100',
      'COMPLETE@100',
    ],
    result: { connected: `${V4}:443`, at: 100 },
    closed: [[V6, 100]],
  },
  {
    name: 'four addresses, all blackholed: attempts at 0, 250, 500, 750 (interleaved v6, v4, v6, v4)',
    addresses: [V6, V6B, V4, V4B],
    options: { timeout: 2 },
    setup: (net) => net.blackhole(V6, PORT).blackhole(V6B, PORT).blackhole(V4, PORT).blackhole(V4B, PORT),
    advance: 5000,
    attempts: [
      [V6, 0],
      [V4, 250],
      [V6B, 500],
      [V4B, 750],
    ],
    // Each attempt times out 2 s after it started; the operation fails with the last one.
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@250`,
      `CONNECTING[[${V6B}]:443]@500`,
      `CONNECTING[${V4B}:443]@750`,
      'COMPLETE@2750',
    ],
    result: {
      code: IOErrorEnum.TIMED_OUT,
      message: 'Could not connect to api.example: Socket I/O timed out',
    },
    closed: [
      [V6, 2000],
      [V4, 2250],
      [V6B, 2500],
      [V4B, 2750],
    ],
  },
  {
    name: 'IPv6 refused at once: IPv4 starts at 0, no attempt delay',
    setup: (net) => net.refuse(V6, PORT).accept(V4, PORT, echoServer),
    advance: 1000,
    attempts: [
      [V6, 0],
      [V4, 0],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@0`,
      'CONNECTED@0',
      'COMPLETE@0',
    ],
    result: { connected: `${V4}:443`, at: 0 },
    closed: [[V6, 0]],
  },
  {
    name: 'IPv6 refused after 100 ms: IPv4 starts at 100',
    setup: (net) => net.refuse(V6, PORT, { delayMs: 100 }).accept(V4, PORT, echoServer),
    advance: 1000,
    attempts: [
      [V6, 0],
      [V4, 100],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@100`,
      'CONNECTED@100',
      'COMPLETE@100',
    ],
    result: { connected: `${V4}:443`, at: 100 },
    closed: [[V6, 100]],
  },
  {
    name: 'IPv6 accepts after 300 ms, IPv4 at once: IPv4 wins at 250 and the slower IPv6 attempt is destroyed at 250',
    setup: (net) => net.accept(V6, PORT, echoServer, { delayMs: 300 }).accept(V4, PORT, echoServer),
    advance: 1000,
    attempts: [
      [V6, 0],
      [V4, 250],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@250`,
      'CONNECTED@250',
      'COMPLETE@250',
    ],
    result: { connected: `${V4}:443`, at: 250 },
    closed: [[V6, 250]],
  },
  {
    name: 'IPv6 accepts after 200 ms: it wins inside the attempt delay, IPv4 is never tried',
    setup: (net) => net.accept(V6, PORT, echoServer, { delayMs: 200 }).accept(V4, PORT, echoServer),
    advance: 1000,
    attempts: [[V6, 0]],
    timeline: ['RESOLVING@0', 'RESOLVED@0', `CONNECTING[[${V6}]:443]@0`, 'CONNECTED@200', 'COMPLETE@200'],
    result: { connected: `[${V6}]:443`, at: 200 },
  },
  {
    name: 'resolution delay: AAAA 30 ms after A, IPv6 still goes first (at 30)',
    delays: { ipv6: 30, ipv4: 0 },
    setup: (net) => net.accept(V6, PORT, echoServer).accept(V4, PORT, echoServer),
    advance: 1000,
    attempts: [[V6, 30]],
    timeline: ['RESOLVING@0', 'RESOLVED@30', `CONNECTING[[${V6}]:443]@30`, 'CONNECTED@30', 'COMPLETE@30'],
    result: { connected: `[${V6}]:443`, at: 30 },
  },
  {
    name: 'resolution delay: AAAA 80 ms after A, IPv4 goes first when the 50 ms delay runs out',
    delays: { ipv6: 80, ipv4: 0 },
    setup: (net) => net.blackhole(V4, PORT).accept(V6, PORT, echoServer),
    advance: 1000,
    attempts: [
      [V4, 50],
      [V6, 300],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@50',
      `CONNECTING[${V4}:443]@50`,
      `CONNECTING[[${V6}]:443]@300`,
      'CONNECTED@300',
      'COMPLETE@300',
    ],
    result: { connected: `[${V6}]:443`, at: 300 },
    closed: [[V4, 300]],
  },
  {
    name: 'IPv6 unreachable (no route): IPv4 at once, the error of IPv6 is not reported',
    setup: (net) => net.unreachable(V6, PORT).accept(V4, PORT, echoServer),
    advance: 0,
    attempts: [
      [V6, 0],
      [V4, 0],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@0`,
      'CONNECTED@0',
      'COMPLETE@0',
    ],
    result: { connected: `${V4}:443`, at: 0 },
  },
  {
    name: 'all refused: the error comes at once with GIO wording',
    setup: (net) => net.refuse(V6, PORT).refuse(V4, PORT),
    advance: 0,
    attempts: [
      [V6, 0],
      [V4, 0],
    ],
    timeline: [
      'RESOLVING@0',
      'RESOLVED@0',
      `CONNECTING[[${V6}]:443]@0`,
      `CONNECTING[${V4}:443]@0`,
      'COMPLETE@0',
    ],
    result: {
      code: IOErrorEnum.CONNECTION_REFUSED,
      message: 'Could not connect to api.example: Connection refused',
    },
  },
];

describe('Happy Eyeballs on the virtual network (exact virtual times)', () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      const net = new VirtualNetwork();
      net.addHost('api.example', [...(s.addresses ?? [V6, V4])], s.delays);
      s.setup(net);
      const client = net.client(s.options);
      const events = recordTimedEvents(client, net.clock);
      const pending = track(client.connectToHost('api.example', PORT));
      await net.clock.advance(s.advance);
      const { value: conn, error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
      assert.deepEqual(
        net.connects.map((c) => [c.address, c.at]),
        s.attempts,
      );
      assert.deepEqual(timeline(events), s.timeline);
      if ('connected' in s.result) {
        assert.equal(error, null);
        assert.ok(conn);
        assert.equal(conn.getRemoteAddress().toString(), s.result.connected);
        assert.equal(conn.timings?.connect, s.result.at);
        assert.equal(conn.timings?.total, s.result.at);
        await conn.close();
      } else {
        assert.ok(error instanceof IOError, `expected an IOError, got ${String(error)}`);
        assert.equal(error.code, s.result.code);
        assert.equal(error.message, s.result.message);
      }
      for (const [address, at] of s.closed ?? []) {
        const record = net.connects.find((c) => c.address === address);
        assert.equal(record?.closedAt, at, `the socket to ${address} closed at ${String(record?.closedAt)}`);
      }
      assert.equal(net.clock.pendingTimers, 0, 'a timer outlived the operation');
    });
  }
});

describe('the best error (GIO consider_tmp_error) on the virtual network', () => {
  it('a TLS failure on IPv6 at 0 outranks IPv4 refused later at 100', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V6, V4]);
    // IPv6 accepts and hangs up at once: the TLS handshake fails (stage TLS_HANDSHAKING).
    net.accept(V6, PORT, (socket) => socket.end()).refuse(V4, PORT, { delayMs: 100 });
    const client = net.client({ tls: true });
    const events = recordTimedEvents(client, net.clock);
    const pending = track(client.connectToHost('api.example', PORT));
    await net.clock.advance(100);
    const { error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.equal(events.at(-1)?.at, 100, timeline(events).join(' '));
    assert.ok(error instanceof Error);
    assert.notEqual((error as IOError).message, 'Could not connect to api.example: Connection refused');
    assert.equal((error as IOError).domain, 'g-tls-error-quark', `${String(error)}`);
  });

  it('a refusal on IPv6 is replaced by a later, deeper TLS failure on IPv4', async () => {
    const net = new VirtualNetwork();
    net.addHost('api.example', [V6, V4]);
    net.refuse(V6, PORT).accept(V4, PORT, (socket) => socket.end(), { delayMs: 100 });
    const client = net.client({ tls: true });
    const pending = track(client.connectToHost('api.example', PORT));
    await net.clock.advance(100);
    const { error } = await settledOutcome(pending, `at t=${net.clock.now()}`);
    assert.equal((error as IOError).domain, 'g-tls-error-quark', `${String(error)}`);
  });
});

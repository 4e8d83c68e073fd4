// The connect policy without I/O (src/client/connect-core.ts): inputs in, exact actions out.
// Addresses and errors are plain strings; time is a number the tests move by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SocketClientEvent } from '../../src/errors/enums.js';
import {
  ConnectCore,
  type CoreAction,
  type CoreSettings,
  type FailureStage,
  type TimerId,
} from '../../src/client/connect-core.js';

const ERRORS = {
  resolveTimedOut: () => 'resolve timed out',
  connectTimedOut: () => 'connect timed out',
  noAddresses: () => 'no addresses',
};

const DEFAULTS: CoreSettings = { attemptDelayMs: 250, timeoutMs: 0, connectTimeoutMs: 0 };

type Core = ConnectCore<string, string>;

function newCore(settings: Partial<CoreSettings> = {}): Core {
  return new ConnectCore<string, string>(Object.freeze({ ...DEFAULTS, ...settings }), ERRORS);
}

/** One action as a short line, e.g. `start #1 a`, `arm #1 250`, `emit CONNECTED #1`. */
function show(action: CoreAction<string, string>): string {
  const timer = (t: TimerId): string => (typeof t === 'number' ? `#${t}` : t);
  switch (action.kind) {
    case 'emit':
      return `emit ${SocketClientEvent[action.event]}${action.attempt === null ? '' : ` #${action.attempt}`}`;
    case 'request':
      return `request ${action.request}`;
    case 'cancelEnumeration':
      return `cancel enumeration: ${action.error}`;
    case 'stopEnumeration':
      return 'stop enumeration';
    case 'start':
      return `start #${action.attempt} ${action.address}`;
    case 'abandon':
      return `abandon #${action.attempt}`;
    case 'application':
      return `application #${action.attempt}`;
    case 'arm':
      return `arm ${timer(action.timer)} ${action.ms}`;
    case 'disarm':
      return `disarm ${timer(action.timer)}`;
    case 'succeed':
      return `succeed #${action.attempt}`;
    case 'fail':
      return `fail: ${action.error}`;
  }
}

const lines = (actions: readonly CoreAction<string, string>[]): string[] => actions.map(show);

/**
 * A core on a hand-moved clock: armed timers are kept with their due time and fired in order by
 * advance(); requests are remembered so that tests answer "the current request".
 */
class Sim {
  readonly core: Core;
  now = 0;
  readonly log: string[] = [];
  request = 0;
  readonly #timers = new Map<TimerId, number>();

  constructor(settings: Partial<CoreSettings> = {}) {
    this.core = newCore(settings);
  }

  feed(actions: readonly CoreAction<string, string>[]): string[] {
    for (const action of actions) {
      if (action.kind === 'arm') this.#timers.set(action.timer, this.now + action.ms);
      if (action.kind === 'disarm') this.#timers.delete(action.timer);
      if (action.kind === 'request') this.request = action.request;
      this.log.push(`${this.now} ${show(action)}`);
    }
    return lines(actions);
  }

  /** Fires every timer due within `ms`, in due order, then leaves the clock `ms` later. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, at]) => at <= end).sort((a, b) => a[1] - b[1])[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.now = due[1];
      this.feed(this.core.timerFired(due[0]));
    }
    this.now = end;
  }

  address(address: string, sameServer = false, last = false): string[] {
    return this.feed(this.core.addressArrived(this.request, address, sameServer, last));
  }

  /** Lines of the log starting with one of `kinds` (e.g. 'start'), with their times. */
  only(...kinds: string[]): string[] {
    return this.log.filter((line) => kinds.some((k) => line.split(' ')[1] === k));
  }
}

describe('connect core: addresses and attempt pacing', () => {
  it('starts with RESOLVING and one request; the deadlines come first when set', () => {
    assert.deepEqual(lines(newCore().start()), ['emit RESOLVING', 'request 1']);
    assert.deepEqual(lines(newCore({ timeoutMs: 5000, connectTimeoutMs: 9000 }).start()), [
      'arm connect 9000',
      'emit RESOLVING',
      'arm resolve 5000',
      'request 1',
    ]);
  });

  it('the first address: RESOLVED, its attempt, its attempt delay', () => {
    const sim = new Sim({ timeoutMs: 5000 });
    sim.feed(sim.core.start());
    assert.deepEqual(sim.address('a'), ['disarm resolve', 'emit RESOLVED', 'start #1 a', 'arm #1 250']);
    assert.deepEqual(sim.feed(sim.core.attemptConnecting(1)), ['emit CONNECTING #1']);
  });

  const pacing: readonly { name: string; delay: number; starts: string[] }[] = [
    { name: 'default 250 ms', delay: 250, starts: ['0 start #1 a', '250 start #2 b', '500 start #3 c'] },
    { name: 'attemptDelay 100 ms', delay: 100, starts: ['0 start #1 a', '100 start #2 b', '200 start #3 c'] },
  ];
  for (const { name, delay, starts } of pacing) {
    it(`attempts that hang start one attempt delay apart (${name})`, () => {
      const sim = new Sim({ attemptDelayMs: delay });
      sim.feed(sim.core.start());
      sim.address('a');
      sim.advance(delay); // #1's delay: request 2
      sim.address('b');
      sim.advance(delay);
      sim.address('c');
      assert.deepEqual(sim.only('start'), starts);
      assert.deepEqual(sim.only('request'), ['0 request 1', `${delay} request 2`, `${2 * delay} request 3`]);
    });
  }

  it('a failed attempt asks for the next address at once, and its delay timer is disarmed', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    sim.address('a');
    sim.advance(10);
    assert.deepEqual(sim.feed(sim.core.attemptFailed(1, 'refused a')), ['disarm #1', 'request 2']);
    assert.deepEqual(sim.address('b'), ['start #2 b', 'arm #2 250']);
  });

  it('no delay timer is armed once the enumeration is known to be over', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    assert.deepEqual(sim.address('a', false, true), ['emit RESOLVED', 'start #1 a']);
    // Nothing can come: its failure ends the operation without another request.
    assert.deepEqual(sim.feed(sim.core.attemptFailed(1, 'refused a')), [
      'stop enumeration',
      'fail: refused a',
    ]);
  });

  it('a delay timer that fires after its attempt connected asks for nothing', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    sim.address('a');
    sim.feed(sim.core.attemptConnected(1));
    assert.deepEqual(sim.feed(sim.core.timerFired(1)), []);
  });

  it('one address request at a time: a delay that fires while a request is out adds none', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    sim.address('a');
    sim.feed(sim.core.attemptFailed(1, 'x')); // request 2 is out, not answered yet
    sim.advance(1000);
    assert.deepEqual(sim.only('request'), ['0 request 1', '0 request 2']);
  });

  it('a proxy URI to the same server as another: nothing more is asked for until it fails', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    sim.address('socks5://p', true);
    sim.advance(1000);
    assert.deepEqual(sim.only('request'), ['0 request 1']);
    sim.now = 1200;
    assert.deepEqual(sim.feed(sim.core.attemptFailed(1, 'socks5 refused')), ['request 2']);
  });

  it('the address stage deadline: the enumeration ends with TIMED_OUT, attempts go on, a late answer is ignored', () => {
    const sim = new Sim({ timeoutMs: 1000 });
    sim.feed(sim.core.start());
    sim.address('a');
    sim.advance(250); // #1's delay: request 2, with its deadline
    sim.advance(1000);
    assert.deepEqual(sim.log.slice(-3), [
      '250 arm resolve 1000',
      '250 request 2',
      '1250 cancel enumeration: resolve timed out',
    ]);
    assert.deepEqual(sim.address('late'), []);
    assert.deepEqual(sim.feed(sim.core.attemptFailed(1, 'refused a')), [
      'stop enumeration',
      'fail: refused a',
    ]);
  });
});

describe('connect core: the best error', () => {
  const C = SocketClientEvent.CONNECTING;
  const P = SocketClientEvent.PROXY_NEGOTIATING;
  const T = SocketClientEvent.TLS_HANDSHAKING;
  /** Each address fails at a stage (connect, or the application layer), then enumeration ends. */
  const table: readonly {
    name: string;
    failures: readonly (readonly [string, FailureStage])[];
    end?: string;
    expected: string;
  }[] = [
    {
      name: 'the last of equal stages',
      failures: [
        ['refused a', C],
        ['refused b', C],
      ],
      expected: 'refused b',
    },
    {
      name: 'a deeper stage is not hidden by a later shallower one',
      failures: [
        ['refused a', C],
        ['tls b', T],
        ['unreachable c', C],
      ],
      expected: 'tls b',
    },
    {
      name: 'TLS is deeper than the proxy',
      failures: [
        ['tls a', T],
        ['proxy b', P],
      ],
      expected: 'tls a',
    },
    {
      name: 'an attempt error beats the enumeration error',
      failures: [['refused a', C]],
      end: 'dns',
      expected: 'refused a',
    },
    { name: 'only an enumeration error', failures: [], end: 'dns', expected: 'dns' },
    { name: 'no address and no error', failures: [], expected: 'no addresses' },
  ];
  for (const { name, failures, end, expected } of table) {
    it(name, () => {
      const sim = new Sim();
      sim.feed(sim.core.start());
      failures.forEach(([error, stage], i) => {
        const id = i + 1;
        sim.address(`addr${id}`);
        if (stage === C) sim.feed(sim.core.attemptFailed(id, error));
        else {
          sim.feed(sim.core.attemptConnected(id));
          sim.feed(sim.core.applicationFailed(id, error, stage));
        }
      });
      const out = sim.feed(sim.core.enumerationEnded(sim.request, end ?? null));
      assert.deepEqual(out, ['stop enumeration', `fail: ${expected}`]);
    });
  }

  it('an enumeration error while an attempt is in flight waits for it; the attempt’s error wins', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    sim.address('a');
    sim.advance(250);
    assert.deepEqual(sim.feed(sim.core.enumerationEnded(sim.request, 'dns')), []);
    assert.deepEqual(sim.feed(sim.core.attemptFailed(1, 'refused a')), [
      'stop enumeration',
      'fail: refused a',
    ]);
  });
});

describe('connect core: the application layer and completion', () => {
  it('one connection at a time, in the order they connected; a failure moves to the next', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    sim.address('a');
    sim.advance(250);
    sim.address('b');
    assert.deepEqual(sim.feed(sim.core.attemptConnected(1)), ['emit CONNECTED #1', 'application #1']);
    assert.deepEqual(sim.feed(sim.core.attemptConnected(2)), ['disarm #2', 'emit CONNECTED #2']);
    assert.deepEqual(sim.feed(sim.core.applicationFailed(1, 'tls a', SocketClientEvent.TLS_HANDSHAKING)), [
      'application #2',
    ]);
    assert.deepEqual(sim.feed(sim.core.applicationDone(2)), ['stop enumeration', 'succeed #2']);
  });

  it('the winner: every loser is abandoned — connecting, queued, in the application layer', () => {
    const sim = new Sim({ connectTimeoutMs: 10_000 });
    sim.feed(sim.core.start());
    sim.address('a');
    sim.advance(250);
    sim.address('b');
    sim.advance(250);
    sim.address('c');
    sim.advance(250);
    sim.address('d'); // #1 and #4 still connecting, #4's delay still armed
    assert.deepEqual(sim.feed(sim.core.attemptConnected(2)), ['emit CONNECTED #2', 'application #2']);
    assert.deepEqual(sim.feed(sim.core.attemptConnected(3)), ['emit CONNECTED #3'], 'queued');
    assert.deepEqual(sim.feed(sim.core.applicationDone(2)), [
      'abandon #1',
      'disarm #4',
      'abandon #4',
      'abandon #3',
      'stop enumeration',
      'disarm connect',
      'succeed #2',
    ]);
    assert.deepEqual(sim.feed(sim.core.attemptConnected(1)), [], 'nothing after completion');
  });

  it('cancel mid-attempt: every attempt is abandoned and every timer disarmed', () => {
    const sim = new Sim({ timeoutMs: 3000 });
    sim.feed(sim.core.start());
    sim.address('a');
    sim.advance(250);
    sim.address('b');
    sim.advance(250); // #2's delay: request 3 with its deadline
    sim.feed(sim.core.attemptConnected(1)); // in the application layer
    assert.deepEqual(sim.feed(sim.core.cancel('cancelled')), [
      'abandon #2',
      'abandon #1',
      'stop enumeration',
      'disarm resolve',
      'fail: cancelled',
    ]);
    assert.deepEqual(sim.feed(sim.core.cancel('again')), []);
    assert.deepEqual(sim.address('late'), []);
    assert.equal(sim.core.completed, true);
  });

  it('the connect timeout ends everything with its own error', () => {
    const sim = new Sim({ connectTimeoutMs: 600 });
    sim.feed(sim.core.start());
    sim.address('a');
    sim.advance(250);
    sim.address('b');
    sim.feed(sim.core.attemptConnected(2));
    sim.advance(350);
    assert.deepEqual(sim.log.slice(-4), [
      '600 abandon #1',
      '600 abandon #2',
      '600 stop enumeration',
      '600 fail: connect timed out',
    ]);
  });

  it('a connection that connects after the operation failed is not taken', () => {
    const sim = new Sim();
    sim.feed(sim.core.start());
    sim.address('a');
    sim.feed(sim.core.cancel('cancelled'));
    assert.deepEqual(sim.feed(sim.core.attemptConnecting(1)), []);
    assert.deepEqual(sim.feed(sim.core.attemptConnected(1)), []);
    assert.deepEqual(sim.feed(sim.core.applicationDone(1)), []);
  });

  it('an answer to a request no longer awaited is ignored', () => {
    const core = newCore();
    core.start();
    assert.equal(core.awaits(1), true);
    assert.equal(core.awaits(2), false);
    assert.deepEqual(lines(core.addressArrived(2, 'x')), []);
    assert.deepEqual(lines(core.enumerationEnded(2, 'x')), []);
  });
});

// The driver of the connect core (src/client/connect-operation.ts) against real loopback sockets:
// every timer it arms goes through the operation's Clock, and the fast paths arm nothing they
// do not need.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  InetSocketAddress,
  ListAddressEnumerator,
  NetworkAddress,
  SocketClient,
  SocketClientEvent,
  type SocketAddress,
  type SocketConnectable,
} from '../../src/index.js';
import { LinkedCancellable } from '../../src/cancellable.js';
import { systemClock, type Clock, type ClockTimer } from '../../src/clock.js';
import { ConnectOperation, type OperationSettings } from '../../src/client/connect-operation.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';

/** The system clock, with a record of what was armed, cleared and fired through it. */
class RecordingClock implements Clock {
  readonly armed: number[] = [];
  cleared = 0;
  fired = 0;
  now(): number {
    return systemClock.now();
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    this.armed.push(ms);
    return systemClock.setTimeout(() => {
      this.fired++;
      fn();
    }, ms);
  }
  clearTimeout(timer: ClockTimer): void {
    this.cleared++;
    systemClock.clearTimeout(timer);
  }
}

/** An IPv4 socket address (the literal is known to parse). */
const inet = (ip: string, port: number): SocketAddress => InetSocketAddress.newFromString(ip, port)!;

function listOf(addresses: readonly SocketAddress[]): SocketConnectable {
  return {
    enumerate: () => new ListAddressEnumerator(addresses),
    proxyEnumerate: () => new ListAddressEnumerator(addresses),
    toString: () => 'list',
  };
}

/** Runs one operation on `addresses` with `clock`; resolves with its events and outcome. */
async function run(
  target: readonly SocketAddress[] | SocketConnectable,
  clock: Clock,
  overrides: Partial<OperationSettings> = {},
): Promise<{ events: string[]; error: unknown }> {
  const settings: OperationSettings = {
    ...new SocketClient({ enableProxy: false }).snapshotSettings(),
    clock,
    ...overrides,
  };
  const connectable = Array.isArray(target) ? listOf(target) : (target as SocketConnectable);
  const events: string[] = [];
  const operation = new ConnectOperation(
    connectable,
    connectable.enumerate(),
    settings,
    new LinkedCancellable(),
    (event) => events.push(SocketClientEvent[event]),
  );
  try {
    const connection = await operation.run();
    await connection.close();
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

describe('connect operation: timers through the Clock, fast paths', () => {
  it('a single address arms no timer at all; events as always', async () => {
    const baseline = activeResources();
    const server = await startEchoServer('127.0.0.1');
    try {
      const clock = new RecordingClock();
      const { events, error } = await run([inet('127.0.0.1', server.port)], clock);
      assert.equal(error, null);
      assert.deepEqual(events, ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
      assert.deepEqual(clock.armed, [], 'no attempt delay for the last address, no deadlines');
    } finally {
      await server.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('an IP literal host name (NetworkAddress) arms no timer either', async () => {
    const server = await startEchoServer('127.0.0.1');
    try {
      const clock = new RecordingClock();
      const { events, error } = await run(NetworkAddress.parse(`127.0.0.1:${server.port}`, 0), clock);
      assert.equal(error, null);
      assert.deepEqual(events, ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
      assert.deepEqual(clock.armed, []);
    } finally {
      await server.close();
    }
  });

  it('a refused address then a live one: one attempt delay, disarmed when the first fails', async () => {
    const server = await startEchoServer('127.0.0.1');
    try {
      const clock = new RecordingClock();
      const refused = inet('127.0.0.1', await unusedPort());
      const live = inet('127.0.0.1', server.port);
      const { events, error } = await run([refused, live], clock, { attemptDelayMs: 300 });
      assert.equal(error, null);
      assert.deepEqual(events, [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTING',
        'CONNECTED',
        'COMPLETE',
      ]);
      assert.deepEqual(clock.armed, [300]);
      assert.equal(clock.cleared, 1);
    } finally {
      await server.close();
    }
  });

  it('the stage and overall deadlines are armed on the Clock and all disarmed at the end', async () => {
    const clock = new RecordingClock();
    const port = await unusedPort();
    const { error } = await run([inet('127.0.0.1', port), inet('127.0.0.2', port)], clock, {
      timeoutMs: 5000,
      connectTimeoutMs: 9000,
    });
    assert.ok(
      error instanceof Error && error.message === 'Could not connect: Connection refused',
      String(error),
    );
    // connect deadline, request 1's deadline, #1's delay; then, in an order that depends on the
    // sockets, request 2's deadline (#2 is the last) and each attempt's TCP connect timer.
    assert.deepEqual(clock.armed.slice(0, 3), [9000, 5000, 250]);
    assert.deepEqual(clock.armed.slice(3), [5000, 5000, 5000]);
    assert.equal(clock.fired + clock.cleared, clock.armed.length, 'every timer fired or was cleared');
    assert.equal(clock.fired, 0);
  });
});

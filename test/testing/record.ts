// Test support for the virtual-network tests: events with virtual timestamps.
import assert from 'node:assert/strict';
import {
  SocketClientEvent,
  type SocketClient,
  type SocketConnection,
  type SocketType,
} from '../../src/index.js';
import type { VirtualClock } from '../../src/testing/index.js';

export interface TimedEvent {
  readonly event: string;
  readonly remote: string | null;
  readonly at: number;
  readonly connection: unknown;
}

/** Records each 'event' of `client` with the virtual time it came at. */
export function recordTimedEvents(client: SocketClient<SocketType>, clock: VirtualClock): TimedEvent[] {
  const events: TimedEvent[] = [];
  client.on('event', (event, _connectable, connection) => {
    const remote =
      connection && typeof (connection as SocketConnection).getRemoteAddress === 'function'
        ? (connection as SocketConnection).getRemoteAddress().toString()
        : null;
    events.push({ event: SocketClientEvent[event], remote, at: clock.now(), connection });
  });
  return events;
}

/** `NAME@ms` or `NAME[remote]@ms`, for one-line comparisons of a whole sequence. */
export const timeline = (events: readonly TimedEvent[]): string[] =>
  events.map((e) => `${e.event}${e.remote && e.event === 'CONNECTING' ? `[${e.remote}]` : ''}@${e.at}`);

/** Settles a promise into a value or an error, without an unhandled rejection meanwhile. */
export function outcome<T>(p: Promise<T>): Promise<{ value: T | null; error: unknown }> {
  return p.then(
    (value) => ({ value, error: null }),
    (error: unknown) => ({ value: null, error }),
  );
}

/**
 * Like outcome(), and `settled` says whether it has settled yet: a test checks it after advancing
 * the clock, so an operation that is (wrongly) still running fails the test instead of leaving a
 * promise that never settles.
 */
export function track<T>(p: Promise<T>): {
  readonly result: Promise<{ value: T | null; error: unknown }>;
  readonly settled: () => boolean;
} {
  let settled = false;
  const result = outcome(p).finally(() => (settled = true));
  return { result, settled: () => settled };
}

/** The outcome of `t`, failing the test at once if it is still running. */
export async function settledOutcome<T>(
  t: ReturnType<typeof track<T>>,
  when: string,
): Promise<{ value: T | null; error: unknown }> {
  // One more turn of the event loop for a settlement already under way.
  await new Promise((resolve) => setImmediate(resolve));
  if (!t.settled()) assert.fail(`the connect was still running ${when}`);
  return t.result;
}

// Test support for the virtual-network tests: events with virtual timestamps.
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

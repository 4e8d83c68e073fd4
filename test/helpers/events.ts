import {
  SocketClientEvent,
  type SocketClient,
  type SocketConnection,
  type SocketType,
} from '../../src/index.js';

export interface RecordedEvent {
  readonly event: string;
  readonly connection: unknown;
  /** The connection's remote address at the time of the event, if it has one. */
  readonly remote: string | null;
  readonly at: number;
}

/** Records every 'event' emission of `client` (name, payload, remote address, time). */
export function recordEvents(client: SocketClient<SocketType>): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  const t0 = Date.now();
  client.on('event', (event, _connectable, connection) => {
    const remote =
      connection && typeof (connection as SocketConnection).getRemoteAddress === 'function'
        ? (connection as SocketConnection).getRemoteAddress().toString()
        : null;
    events.push({ event: SocketClientEvent[event], connection, remote, at: Date.now() - t0 });
  });
  return events;
}

export const names = (events: readonly RecordedEvent[]): string[] => events.map((e) => e.event);

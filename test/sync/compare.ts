import {
  GError,
  SocketClient,
  SocketClientEvent,
  SyncSocketConnection,
  type SocketClientOptions,
  type SocketConnection,
  type SocketType,
} from '../../src/index.js';

/** What one connect did, in a form both APIs can be compared on. */
export interface Outcome {
  readonly events: readonly string[];
  /** Remote address shown by each event's connection (null when none). */
  readonly remotes: readonly (string | null)[];
  /** When each event reached the listener, ms after the call started. */
  readonly at: readonly number[];
  readonly error: { readonly domain: string; readonly code: number; readonly message: string } | null;
  readonly remote: string | null;
  readonly elapsed: number;
}

function recorder(client: SocketClient<SocketType>, t0: () => number) {
  const events: string[] = [];
  const remotes: (string | null)[] = [];
  const at: number[] = [];
  client.on('event', (event, _connectable, connection) => {
    events.push(SocketClientEvent[event]);
    at.push(Date.now() - t0());
    const withRemote = connection as { getRemoteAddress?: () => { toString(): string } } | null;
    remotes.push(withRemote?.getRemoteAddress ? withRemote.getRemoteAddress().toString() : null);
  });
  return { events, remotes, at };
}

function describe(err: unknown): Outcome['error'] {
  if (!(err instanceof GError)) throw err;
  return { domain: err.domain, code: err.code, message: err.message };
}

export async function runAsync(
  options: SocketClientOptions,
  call: (client: SocketClient<SocketType>) => Promise<SocketConnection>,
): Promise<Outcome> {
  const client = new SocketClient(options);
  let start = Date.now();
  const rec = recorder(client, () => start);
  start = Date.now();
  try {
    const connection = await call(client);
    const remote = connection.getRemoteAddress().toString();
    await connection.close();
    return { ...rec, error: null, remote, elapsed: Date.now() - start };
  } catch (err) {
    return { ...rec, error: describe(err), remote: null, elapsed: Date.now() - start };
  }
}

export function runSync(
  options: SocketClientOptions,
  call: (client: SocketClient<SocketType>) => SyncSocketConnection,
): Outcome {
  const client = new SocketClient(options);
  let start = Date.now();
  const rec = recorder(client, () => start);
  start = Date.now();
  try {
    const connection = call(client);
    const remote = connection.getRemoteAddress().toString();
    connection.close();
    return { ...rec, error: null, remote, elapsed: Date.now() - start };
  } catch (err) {
    return { ...rec, error: describe(err), remote: null, elapsed: Date.now() - start };
  }
}

/** The parts that must be identical between the two APIs. */
export const comparable = (o: Outcome) => ({
  events: o.events,
  remotes: o.remotes,
  error: o.error,
  remote: o.remote,
});

// The blocking API (g_socket_client_connect and friends) lives in src/sync/, which is built on the
// async client. SocketClient's …Sync methods delegate to the entry points src/sync/sync-connect.ts
// installs with installBlockingEntryPoints() (socket-client.ts) when it is loaded (src/index.ts
// loads it), so that sync/ depends on client/ and never the reverse (docs/architecture.md). Only
// types come from sync/; they are erased at build. `Client` is SocketClient, left generic so that
// this file does not import socket-client.ts back.
import type { SocketConnectable } from '../address/connectable.js';
import type { Cancellable } from '../cancellable.js';
import type { SyncSocketConnection } from '../sync/sync-socket-connection.js';

/** The four blocking entry points, each taking the client it runs for. */
export interface BlockingEntryPoints<Client> {
  connectSync(
    client: Client,
    connectable: SocketConnectable,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
  connectToHostSync(
    client: Client,
    hostAndPort: string,
    defaultPort: number,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
  connectToUriSync(
    client: Client,
    uri: string,
    defaultPort: number,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
  connectToServiceSync(
    client: Client,
    domain: string,
    service: string,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
}

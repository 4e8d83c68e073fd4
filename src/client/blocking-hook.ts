// The blocking API (g_socket_client_connect and friends) lives in src/sync/, which is built on the
// async client. SocketClient's …Sync methods delegate to the entry points src/sync/sync-connect.ts
// installs here when it is loaded (src/index.ts loads it), so that sync/ depends on client/ and
// never the reverse (docs/architecture.md). Types only come from sync/; they are erased at build.
import type { SocketConnectable } from '../address/connectable.js';
import type { Cancellable } from '../cancellable.js';
import type { SocketType } from '../errors/enums.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import type { SyncSocketConnection } from '../sync/sync-socket-connection.js';
import type { SocketClient } from './socket-client.js';

/** The four blocking entry points, each taking the client it runs for. */
export interface BlockingEntryPoints {
  connectSync(
    client: SocketClient<SocketType>,
    connectable: SocketConnectable,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
  connectToHostSync(
    client: SocketClient<SocketType>,
    hostAndPort: string,
    defaultPort: number,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
  connectToUriSync(
    client: SocketClient<SocketType>,
    uri: string,
    defaultPort: number,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
  connectToServiceSync(
    client: SocketClient<SocketType>,
    domain: string,
    service: string,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection;
}

let installed: BlockingEntryPoints | null = null;

/** @internal Called once by src/sync/sync-connect.ts when its module is evaluated. */
export function installBlockingEntryPoints(entryPoints: BlockingEntryPoints): void {
  installed = entryPoints;
}

/**
 * The installed entry points. Missing only when a program deep-imports the client module without
 * the package entry point; that is reported rather than guessed.
 */
export function blockingEntryPoints(): BlockingEntryPoints {
  if (installed === null) {
    throw new IOError(
      IOErrorEnum.NOT_SUPPORTED,
      'The blocking API needs its engine: import gsocketclient (or its sync-connect module) first',
    );
  }
  return installed;
}

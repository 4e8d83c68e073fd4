/**
 * The engine worker: receives the calling thread's requests on its MessagePort, runs them on
 * its own event loop, and answers each with a message plus an Atomics.notify on SEQ. It never
 * blocks (it must keep serving Happy Eyeballs timers, other connections, and nested calls).
 */
import type { MessagePort } from 'node:worker_threads';
import type { SocketConnection } from '../connection/socket-connection.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { describeError } from './codec.js';
import { SEQ, type CallerMessage, type WorkerMessage } from './protocol.js';
import { WorkerConnect } from './worker-connect.js';
import { idOf } from './worker-describe.js';
import { ConnectionIO } from './worker-io.js';

export class WorkerEngine {
  readonly #port: MessagePort;
  readonly #control: Int32Array;
  readonly #operations = new Map<number, WorkerConnect>();
  readonly #connections = new Map<number, ConnectionIO>();
  /** Which call returned which connection, until it is closed (for a caller that gave up). */
  readonly #connectionOfCall = new Map<number, number>();
  /** Diagnostics: messages posted, by kind (WorkerStats.posted). */
  readonly #posted = new Map<string, number>();

  constructor(port: MessagePort, control: Int32Array) {
    this.#port = port;
    this.#control = control;
  }

  post(message: WorkerMessage, transfer?: ArrayBuffer[]): void {
    this.#posted.set(message.kind, (this.#posted.get(message.kind) ?? 0) + 1);
    this.#port.postMessage(message, transfer);
    // After the post, so a caller that saw the old SEQ is sure to find the message (channel.ts).
    this.#wake();
  }

  /** Diagnostics: wake-ups of the caller (WorkerStats.wakes). */
  #wakes = 0;

  /** Wakes the caller without a message: it re-checks shared memory it waits on (the rings). */
  #wake(): void {
    this.#wakes++;
    Atomics.add(this.#control, SEQ, 1);
    Atomics.notify(this.#control, SEQ);
  }

  handle(message: CallerMessage): void {
    switch (message.op) {
      case 'connect': {
        const operation = new WorkerConnect(message.call, message.request, {
          post: (m) => this.post(m),
          adopt: (connection, call) => this.#adopt(connection, call),
        });
        this.#operations.set(message.call, operation);
        void operation.run().finally(() => this.#operations.delete(message.call));
        return;
      }
      case 'cancel': {
        const operation = this.#operations.get(message.call);
        if (operation) operation.cancel(message.reason);
        else this.#dropCallResult(message.call);
        return;
      }
      case 'tls-changes':
        this.#operations.get(message.call)?.answerGate(message.gate, message.changes);
        return;
      case 'proxy-lookup-reply':
        this.#operations.get(message.call)?.answerLookup(message.request, message.proxies, message.error);
        return;
      case 'accept-reply':
        this.#operations.get(message.call)?.answerAccept(message.request, message.accept);
        return;
      case 'read':
        void this.#serve(message.call, message.conn, async (io) => {
          const data = await io.read(message.max, message.timeoutMs, message.cancel);
          // A copy of exactly these bytes, transferred: the caller gets it without another copy.
          const copy = new Uint8Array(data);
          this.post({ kind: 'data', call: message.call, data: copy }, [copy.buffer]);
        });
        return;
      case 'read-ring':
        void this.#serve(message.call, message.conn, async (io) => {
          const readable = await io.readRing(message.ring, message.timeoutMs, message.cancel, () =>
            this.#wake(),
          );
          this.post({ kind: 'done', call: message.call, value: readable });
        });
        return;
      case 'write':
        void this.#serve(message.call, message.conn, async (io) => {
          const written = await io.write(message.data, message.timeoutMs, message.cancel);
          this.post({ kind: 'done', call: message.call, value: written });
        });
        return;
      case 'write-ring':
        void this.#serve(message.call, message.conn, async (io) => {
          const written = await io.writeRing(
            message.ring,
            message.size,
            message.timeoutMs,
            message.cancel,
            () => this.#wake(),
          );
          this.post({ kind: 'done', call: message.call, value: written });
        });
        return;
      case 'shutdown-write':
        void this.#serve(message.call, message.conn, async (io) => {
          await io.shutdownWrite(message.timeoutMs, message.cancel);
          this.post({ kind: 'done', call: message.call, value: 0 });
        });
        return;
      case 'close': {
        const io = this.#take(message.conn);
        void (io ? io.close() : Promise.resolve()).finally(() =>
          this.post({ kind: 'done', call: message.call, value: 0 }),
        );
        return;
      }
      case 'release':
        this.#take(message.conn)?.destroy();
        return;
      case 'stats':
        this.post({
          kind: 'stats',
          call: message.call,
          stats: {
            connections: this.#connections.size,
            operations: this.#operations.size,
            posted: Object.fromEntries(this.#posted),
            wakes: this.#wakes,
            resources: countResources(),
          },
        });
        return;
    }
  }

  #adopt(connection: SocketConnection, call: number): void {
    const id = idOf(connection);
    this.#connections.set(id, new ConnectionIO(connection));
    this.#connectionOfCall.set(call, id);
  }

  #take(id: number): ConnectionIO | undefined {
    const io = this.#connections.get(id);
    this.#connections.delete(id);
    for (const [call, conn] of this.#connectionOfCall) {
      if (conn === id) this.#connectionOfCall.delete(call);
    }
    return io;
  }

  /** A caller that failed after its connect completed never got the connection: close it. */
  #dropCallResult(call: number): void {
    const id = this.#connectionOfCall.get(call);
    if (id !== undefined) this.#take(id)?.destroy();
  }

  async #serve(call: number, conn: number, work: (io: ConnectionIO) => Promise<void>): Promise<void> {
    try {
      const io = this.#connections.get(conn);
      if (!io) throw new IOError(IOErrorEnum.CLOSED, 'Stream is already closed');
      await work(io);
    } catch (err) {
      this.post({ kind: 'error', call, error: describeError(err) });
    }
  }
}

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/**
 * Worker side of a connection a …Sync call returned: blocking read/write/close are requests the
 * worker serves on the connection's stream, one at a time, each bounded by its own timeout (the
 * GSocket `timeout` of g_socket_set_timeout: per operation, not an inactivity timer that kills the socket).
 *
 * Memory stays bounded: the stream is never put in flowing mode, so Node stops reading from the
 * kernel once its buffer (highWaterMark) is full and TCP flow control holds the peer back.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SocketConnection } from '../connection/socket-connection.js';
import { CONNECTION_CLOSED, IOErrorEnum } from '../errors/enums.js';
import { GError, IOError, cancelledError, timedOutError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import { watchSharedWord } from './shared-cancellable.js';
import { RingFeeder } from './worker-read-ring.js';
import { sendFromRing } from './worker-ring.js';

const EMPTY = new Uint8Array(0);

export class ConnectionIO {
  readonly connection: SocketConnection;
  readonly #stream: Duplex;
  #leftover: Buffer | null = null;
  #ended = false;
  #error: GError | null = null;
  #busy = false;
  /** Set once the caller's reads go through its shared ring (read-ring.ts). */
  #feeder: RingFeeder | null = null;
  readonly #onError = (err: Error): void => {
    this.#error ??= toGError(err);
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
  };

  constructor(connection: SocketConnection) {
    this.connection = connection;
    this.#stream = connection.stream;
    // The async engine's inactivity timeout would destroy a socket the caller merely holds
    // between blocking calls; here the timeout applies to each call instead (g_socket_set_timeout).
    const socket = connection.socket as Partial<Socket>;
    if (typeof socket.setTimeout === 'function') socket.setTimeout(0);
    this.#stream.on('error', this.#onError);
    this.#stream.on('end', this.#onEnd);
  }

  /** Up to `max` bytes, at least one; an empty array at end of stream. */
  async read(max: number, timeoutMs: number, cancel: SharedArrayBuffer | null): Promise<Uint8Array> {
    return this.#exclusive(async () => {
      for (;;) {
        const taken = this.#take(max);
        if (taken !== null) return taken;
        if (this.#ended || this.#stream.readableEnded) return EMPTY;
        if (this.#error) throw this.#error;
        if (this.#stream.destroyed) {
          // Closed under us without an error or EOF (e.g. the peer reset before any data).
          throw new IOError(CONNECTION_CLOSED, 'Connection closed');
        }
        // Each pass waits for one stream event (bounded by the timeout and cancellation); nothing
        // here ever wakes on a timer of its own.
        await this.#waitFor(['readable', 'end', 'error', 'close'], timeoutMs, cancel);
      }
    });
  }

  /**
   * A read through the caller's ring (attached at the first one, `ring` non-null then): waits
   * until the ring holds data (1) or the stream ended (0), with the errors, timeout and
   * cancellation of {@link read}. The caller takes the data from the ring itself.
   */
  async readRing(
    ring: SharedArrayBuffer | null,
    timeoutMs: number,
    cancel: SharedArrayBuffer | null,
    wake: () => void,
  ): Promise<number> {
    return this.#exclusive(async () => {
      if (ring) this.#attach(ring, wake);
      const feeder = this.#feeder;
      if (!feeder) throw new IOError(IOErrorEnum.FAILED, 'Internal error: read ring not attached');
      for (;;) {
        if (feeder.holdsData) return 1;
        if (!feeder.holdsPending) {
          // The order of read() above: data, end of stream, error, closed.
          if (this.#ended || this.#stream.readableEnded) return 0;
          if (this.#error) throw this.#error;
          if (this.#stream.destroyed) throw new IOError(CONNECTION_CLOSED, 'Connection closed');
        }
        let off = (): void => undefined;
        const changed = new Promise<void>((resolve) => (off = feeder.onChange(resolve)));
        await this.#race(changed, timeoutMs, cancel).finally(off);
      }
    });
  }

  #attach(ring: SharedArrayBuffer, wake: () => void): void {
    if (this.#stream.readableObjectMode) {
      throw new IOError(IOErrorEnum.FAILED, 'Internal error: no read ring for a datagram connection');
    }
    this.#feeder?.detach();
    this.#feeder = new RingFeeder(this.#stream, ring, this.#leftover, wake);
    this.#leftover = null;
  }

  /** Hands `data` to the socket and waits until it was written to the kernel. */
  async write(data: Uint8Array, timeoutMs: number, cancel: SharedArrayBuffer | null): Promise<number> {
    return this.#exclusive(async () => {
      if (this.#error) throw this.#error;
      if (this.#stream.destroyed || this.#stream.writableEnded) {
        throw new IOError(CONNECTION_CLOSED, 'Broken pipe');
      }
      const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const written = new Promise<void>((resolve, reject) => {
        this.#stream.write(buffer, (err) => {
          if (!err) resolve();
          else reject(this.#error ?? writeError(err));
        });
      });
      await this.#race(written, timeoutMs, cancel);
      return data.byteLength;
    });
  }

  /**
   * A large write through the caller's shared ring (worker-ring.ts): the same checks and errors
   * as {@link write}; resolves once all `size` bytes were written to the kernel.
   */
  async writeRing(
    ring: SharedArrayBuffer,
    size: number,
    timeoutMs: number,
    cancel: SharedArrayBuffer | null,
    progressed: () => void,
  ): Promise<number> {
    return this.#exclusive(async () => {
      if (this.#error) throw this.#error;
      if (this.#stream.destroyed || this.#stream.writableEnded) {
        throw new IOError(CONNECTION_CLOSED, 'Broken pipe');
      }
      await sendFromRing({
        stream: this.#stream,
        ring,
        size,
        timeoutMs,
        cancel,
        progressed,
        failure: (err) => this.#error ?? writeError(err),
      });
      return size;
    });
  }

  /**
   * Ends the write side (g_socket_shutdown with shutdown_write): TCP sends FIN, TLS close_notify
   * first; reading goes on until the peer closes. Resolves once the end was handed to the
   * kernel. A second call does nothing, as a second shutdown(2) does.
   */
  async shutdownWrite(timeoutMs: number, cancel: SharedArrayBuffer | null): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#error) throw this.#error;
      if (this.#stream.readableObjectMode) {
        // A datagram stream's end() closes the socket: there is no write side to end alone.
        throw new IOError(IOErrorEnum.NOT_SUPPORTED, 'Unable to shut down a datagram connection');
      }
      if (this.#stream.writableFinished) return;
      if (this.#stream.destroyed) throw new IOError(CONNECTION_CLOSED, 'Broken pipe');
      const stream = this.#stream;
      let off = (): void => undefined;
      const finished = new Promise<void>((resolve, reject) => {
        const onFinish = (): void => resolve();
        const onError = (err: Error): void => reject(this.#error ?? writeError(err));
        // Destroyed before the FIN went out (e.g. a reset): the write side is gone, as for write().
        const onClose = (): void => reject(this.#error ?? new IOError(CONNECTION_CLOSED, 'Broken pipe'));
        stream.once('finish', onFinish);
        stream.once('error', onError);
        stream.once('close', onClose);
        off = () => {
          stream.off('finish', onFinish);
          stream.off('error', onError);
          stream.off('close', onClose);
        };
      });
      if (!stream.writableEnded) stream.end();
      await this.#race(finished, timeoutMs, cancel).finally(off);
    });
  }

  /** Closes (TLS sends close_notify); resolves once the socket is closed. */
  async close(): Promise<void> {
    this.#detach();
    try {
      await this.connection.close();
    } catch {
      this.connection.destroy();
    }
  }

  /** Abrupt teardown, for connections the caller dropped or abandoned. */
  destroy(): void {
    this.#detach();
    this.connection.destroy();
  }

  #detach(): void {
    this.#feeder?.detach();
    this.#stream.off('end', this.#onEnd);
    // Keep an error listener: a late 'error' must never become an uncaught exception.
    this.#stream.off('error', this.#onError);
    this.#stream.on('error', () => undefined);
  }

  #take(max: number): Uint8Array | null {
    let chunk: Buffer | null = this.#leftover;
    this.#leftover = null;
    if (chunk === null) {
      const read: unknown = this.#stream.read();
      if (read === null || read === undefined) return null;
      chunk = typeof read === 'string' ? Buffer.from(read) : (read as Buffer);
      if (this.#stream.readableObjectMode) {
        // One datagram per read; what does not fit is discarded, as recv(2) does.
        return chunk.subarray(0, max);
      }
    }
    if (chunk.byteLength > max) {
      this.#leftover = chunk.subarray(max);
      return chunk.subarray(0, max);
    }
    return chunk;
  }

  /** GIO: a second operation while one is pending fails with PENDING. */
  async #exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new IOError(IOErrorEnum.PENDING, 'Stream has outstanding operation');
    this.#busy = true;
    try {
      return await work();
    } finally {
      this.#busy = false;
    }
  }

  #waitFor(events: readonly string[], timeoutMs: number, cancel: SharedArrayBuffer | null): Promise<void> {
    const stream = this.#stream;
    let off = (): void => undefined;
    const happened = new Promise<void>((resolve) => {
      const on = (): void => resolve();
      for (const event of events) stream.once(event, on);
      off = () => {
        for (const event of events) stream.off(event, on);
      };
    });
    return this.#race(happened, timeoutMs, cancel).finally(off);
  }

  /** `work`, bounded by the per-operation timeout and the caller's shared cancellable. */
  async #race(work: Promise<void>, timeoutMs: number, cancel: SharedArrayBuffer | null): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let unwatch = (): void => undefined;
    const stop = new Promise<never>((_, reject) => {
      if (timeoutMs > 0) timer = setTimeout(() => reject(timedOutError()), timeoutMs);
      if (cancel) unwatch = watchSharedWord(cancel, () => reject(cancelledError()));
    });
    try {
      await Promise.race([work, stop]);
    } finally {
      clearTimeout(timer);
      unwatch();
      work.catch(() => undefined);
      stop.catch(() => undefined);
    }
  }
}

/** A write on a stream that ended or was destroyed: GIO reports EPIPE. */
function writeError(err: Error): GError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END') {
    return new IOError(CONNECTION_CLOSED, 'Broken pipe', { cause: err });
  }
  return toGError(err);
}

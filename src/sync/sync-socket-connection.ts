import type { SocketAddress } from '../address/socket-address.js';
import type { Cancellable } from '../cancellable.js';
import type { ConnectionTimings } from '../connection/timings.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError, invalidArgument } from '../errors/gerror.js';
import { timeoutSecondsToMs } from '../timeout-value.js';
import type { EngineChannel } from './channel.js';
import { rebuildAddress, rebuildError } from './codec.js';
import {
  WRITE_CHUNK_BYTES,
  type CallerMessage,
  type ConnectionDesc,
  type WorkerMessage,
} from './protocol.js';
import { SharedCancellable } from './shared-cancellable.js';
import type { SyncTlsClientConnection } from './sync-tls-connection.js';
import { OPERATION_BYTES, RING_MIN_BYTES, WriteRing } from './write-ring.js';
import { READ_RING_MIN_BYTES, ReadRing, STREAM_EOF, STREAM_OPEN, STREAM_UNATTACHED } from './read-ring.js';
import { timedOutError } from '../errors/gerror.js';

type SocketDesc = Extract<ConnectionDesc, { kind: 'socket' }>;

/** Default `read()` size, as a typical GIO buffer. */
const DEFAULT_READ_BYTES = 64 * 1024;

/** A connection the caller dropped without close() is released in the worker when collected. */
const released = new FinalizationRegistry<{ readonly channel: EngineChannel; readonly id: number }>(
  ({ channel, id }) => {
    try {
      channel.post({ op: 'release', conn: id });
    } catch {
      // The worker is gone, and the socket with it.
    }
  },
);

/**
 * A connection made by a …Sync call, with blocking I/O: the socket itself lives on the sync engine
 * thread and each call here is one request to it. The `timeout` (seconds, from the client's
 * `timeout`) bounds each blocking operation, as GIO's socket timeout does (g_socket_set_timeout):
 * a read or write that makes no progress for that long fails with TIMED_OUT "Socket I/O timed
 * out", and the connection stays usable. A `SharedCancellable` cancels a blocking operation from
 * another thread.
 *
 * The same class stands in for the attempt connections shown by 'event' listeners during a
 * blocking connect (CONNECTING → CONNECTED → COMPLETE give the same object, as in GIO); only the
 * one the call returns can be read and written.
 *
 * @example
 * ```ts
 * const client = new SocketClient({ timeout: 5 });
 * const conn = client.connectToHostSync('localhost:6379', 6379); // blocks this thread
 * try {
 *   conn.writeAll('PING\r\n');
 *   conn.read().toString(); // '+PONG\r\n'
 * } finally {
 *   conn.close();
 * }
 * ```
 */
export class SyncSocketConnection implements Disposable {
  /** 'tcp', 'unix', 'udp' (message boundaries kept), 'socket', or 'tcp-wrapper' (TLS). */
  readonly type: 'tcp' | 'unix' | 'udp' | 'socket' | 'tcp-wrapper';
  readonly #channel: EngineChannel;
  readonly #id: number;
  #desc: SocketDesc;
  #remote: SocketAddress | null = null;
  #local: SocketAddress | null = null;
  #base: SyncTlsClientConnection | null = null;
  #timeoutMs: number;
  #open = false;
  #closed = false;
  #timings: ConnectionTimings | null = null;
  /** The shared ring of large writes, made at the first one (write-ring.ts). */
  #ring: WriteRing | null = null;
  /** The shared ring reads come through, from the first read of READ_RING_MIN_BYTES on (read-ring.ts). */
  #readRing: ReadRing | null = null;

  /** @internal made by the blocking connect, never by users. */
  constructor(channel: EngineChannel, desc: SocketDesc, timeoutMs: number) {
    this.#channel = channel;
    this.#id = desc.id;
    this.type = desc.type;
    this.#desc = desc;
    this.#timeoutMs = timeoutMs;
  }

  /** @internal a later event showed this connection again. */
  update(desc: SocketDesc, base: SyncTlsClientConnection | null): void {
    this.#desc = desc;
    this.#remote = null;
    this.#local = null;
    if (base) this.#base = base;
  }

  /** @internal this is the connection the call returns: it can now be used. */
  markOpen(): void {
    if (this.#open) return;
    this.#open = true;
    released.register(this, { channel: this.#channel, id: this.#id }, this);
  }

  /** The peer: a ProxyAddress when the connection goes through a proxy. */
  getRemoteAddress(): SocketAddress {
    this.#remote ??= this.#desc.remote ? rebuildAddress(this.#desc.remote) : null;
    if (!this.#remote) throw new IOError(IOErrorEnum.NOT_CONNECTED, 'Unable to get the remote address');
    return this.#remote;
  }

  /**
   * Our end (g_socket_connection_get_local_address), or null when the socket has none yet (an
   * event's stand-in before CONNECTED).
   */
  getLocalAddress(): SocketAddress | null {
    this.#local ??= this.#desc.local ? rebuildAddress(this.#desc.local) : null;
    return this.#local;
  }

  /**
   * The connect's phase timings and attempts, as SocketConnection's `timings` (measured on the
   * sync engine thread; `startTime` is on this thread's clock). Null on an event's stand-in.
   */
  get timings(): ConnectionTimings | null {
    return this.#timings;
  }

  /** @internal set by the blocking connect on the connection it returns. */
  setTimings(timings: ConnectionTimings): void {
    this.#timings = timings;
  }

  /** g_socket_connection_is_connected: connected and not closed by {@link close}. */
  isConnected(): boolean {
    return this.#desc.connected && !this.#closed;
  }

  /** g_io_stream_is_closed: whether {@link close} was called. */
  isClosed(): boolean {
    return this.#closed;
  }

  /** For a TLS connection ('tcp-wrapper'): the TLS connection (certificate, ALPN…). */
  getBaseIOStream(): SyncTlsClientConnection | null {
    return this.#base;
  }

  /** Seconds each blocking operation may wait; 0 = forever (g_socket_set_timeout). */
  get timeout(): number {
    return this.#timeoutMs / 1000;
  }
  /**
   * Sets the per-operation timeout for the next operations; a value that is negative, not
   * finite or above 2,147,483.647 s (about 24.8 days) throws IOError INVALID_ARGUMENT.
   */
  set timeout(seconds: number) {
    this.#timeoutMs = timeoutSecondsToMs('timeout', seconds);
  }
  /** g_socket_get_timeout: see {@link timeout}. */
  getTimeout(): number {
    return this.timeout;
  }
  /** g_socket_set_timeout: see {@link timeout}. */
  setTimeout(seconds: number): void {
    this.timeout = seconds;
  }

  /**
   * Blocks until some data is there, and returns up to `maxBytes` of it; an empty Buffer at end
   * of stream (g_input_stream_read). For 'udp', one datagram (cut to `maxBytes`).
   */
  read(maxBytes = DEFAULT_READ_BYTES, cancellable?: Cancellable | null): Buffer {
    checkCount(maxBytes, 'maxBytes');
    this.#checkUsable(cancellable);
    if (maxBytes === 0) return Buffer.alloc(0);
    // A datagram keeps its boundaries: it cannot go through the ring.
    if (this.#readRing || (maxBytes >= READ_RING_MIN_BYTES && this.type !== 'udp')) {
      return this.#readThroughRing(maxBytes, cancellable);
    }
    const reply = this.#request((call) => ({
      op: 'read',
      call,
      conn: this.#id,
      max: maxBytes,
      timeoutMs: this.#timeoutMs,
      cancel: sharedBuffer(cancellable),
    }));
    if (reply.kind !== 'data') throw unexpected(reply);
    return Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength);
  }

  /**
   * A read from the ring: what it holds, up to `maxBytes`, without asking the engine. When it is
   * empty, this thread sleeps until the engine says data arrived (no message either way), or,
   * with a SharedCancellable (whose cancel() this thread cannot wait for), asks the engine to
   * wait; the engine also reports how a stream that failed ended.
   */
  #readThroughRing(maxBytes: number, cancellable: Cancellable | null | undefined): Buffer {
    const ring = (this.#readRing ??= new ReadRing());
    const cancel = sharedBuffer(cancellable);
    // Bounded: each pass returns, or waits for the engine's next change (data, end, timeout).
    for (;;) {
      const taken = ring.take(maxBytes);
      if (typeof taken !== 'number') return taken;
      if (taken === STREAM_EOF) return Buffer.alloc(0);
      if (taken === STREAM_OPEN && cancel === null) {
        if (!ring.waitForData(this.#channel, this.#timeoutMs)) throw timedOutError();
        continue;
      }
      const reply = this.#request((call) => ({
        op: 'read-ring',
        call,
        conn: this.#id,
        ring: taken === STREAM_UNATTACHED ? ring.buffer : null,
        timeoutMs: this.#timeoutMs,
        cancel,
      }));
      if (reply.kind !== 'done') throw unexpected(reply);
      if (reply.value === 0) return Buffer.alloc(0);
    }
  }

  /**
   * Reads until `count` bytes arrived or the stream ended (g_input_stream_read_all): fewer bytes
   * than asked for mean end of stream. The timeout applies to each underlying read.
   */
  readAll(count: number, cancellable?: Cancellable | null): Buffer {
    checkCount(count, 'count');
    const parts: Buffer[] = [];
    let got = 0;
    while (got < count) {
      const part = this.read(count - got, cancellable);
      if (part.length === 0) break;
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts, got);
  }

  /**
   * Blocks until all of `data` was handed to the kernel; returns the number of bytes written.
   * From 64 KiB on the data streams through shared memory and the timeout counts from the last
   * progress; smaller writes are one request each, the timeout bounding it (docs/sync.md).
   */
  write(data: Uint8Array | string, cancellable?: Cancellable | null): number {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (!(bytes instanceof Uint8Array))
      throw invalidArgument('write() takes a Uint8Array, a Buffer or a string');
    this.#checkUsable(cancellable);
    // A datagram keeps its boundaries: it cannot be cut into stretches of the ring.
    if (bytes.byteLength >= RING_MIN_BYTES && this.type !== 'udp') {
      return this.#writeThroughRing(bytes, cancellable);
    }
    let written = 0;
    // Bounded by the data: each pass sends one piece and waits for it.
    while (written < bytes.byteLength) {
      const end = Math.min(bytes.byteLength, written + WRITE_CHUNK_BYTES);
      // A copy of exactly this piece (never the caller's memory: Buffer#slice would share it),
      // transferred to the worker without another copy.
      const piece = new Uint8Array(bytes.subarray(written, end));
      const reply = this.#request(
        (call) => ({
          op: 'write',
          call,
          conn: this.#id,
          data: piece,
          timeoutMs: this.#timeoutMs,
          cancel: sharedBuffer(cancellable),
        }),
        [piece.buffer],
      );
      if (reply.kind !== 'done') throw unexpected(reply);
      written += reply.value;
    }
    return written;
  }

  /** A large write: one operation per OPERATION_BYTES, each streamed through the ring. */
  #writeThroughRing(bytes: Uint8Array, cancellable: Cancellable | null | undefined): number {
    const channel = this.#channel;
    let written = 0;
    // Bounded by the data: each pass is one operation of at most OPERATION_BYTES.
    while (written < bytes.byteLength) {
      const part = bytes.subarray(written, Math.min(bytes.byteLength, written + OPERATION_BYTES));
      const ring = (this.#ring ??= new WriteRing());
      ring.reset();
      const call = channel.open();
      let failed = true;
      try {
        channel.post({
          op: 'write-ring',
          call,
          conn: this.#id,
          ring: ring.buffer,
          size: part.byteLength,
          timeoutMs: this.#timeoutMs,
          cancel: sharedBuffer(cancellable),
        });
        const reply = ring.fill(channel, call, part) ?? channel.receive(call);
        if (reply.kind === 'error') throw rebuildError(reply.error);
        if (reply.kind !== 'done') throw unexpected(reply);
        failed = false;
        written += reply.value;
      } finally {
        // The socket may still hold views of a failed operation's stretches: never reuse its ring.
        if (failed) this.#ring = null;
        channel.close(call);
      }
    }
    return written;
  }

  /** g_output_stream_write_all: the same as write(), which always writes everything. */
  writeAll(data: Uint8Array | string, cancellable?: Cancellable | null): number {
    return this.write(data, cancellable);
  }

  /**
   * Ends this side's writing and keeps reading (g_socket_shutdown(socket, FALSE, TRUE)): the
   * peer sees end of stream (TCP FIN; for TLS, close_notify then FIN), so a peer that waits for
   * EOF before answering can answer. Blocks until the end was handed to the kernel; a later
   * write() fails with CONNECTION_CLOSED "Broken pipe". Not for 'udp' (NOT_SUPPORTED).
   */
  shutdownWrite(cancellable?: Cancellable | null): void {
    this.#checkUsable(cancellable);
    const reply = this.#request((call) => ({
      op: 'shutdown-write',
      call,
      conn: this.#id,
      timeoutMs: this.#timeoutMs,
      cancel: sharedBuffer(cancellable),
    }));
    if (reply.kind !== 'done') throw unexpected(reply);
  }

  /** Closes the connection (TLS sends close_notify) and waits until it is closed. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#open) return;
    released.unregister(this);
    const reply = this.#request((call) => ({ op: 'close', call, conn: this.#id }));
    if (reply.kind !== 'done') throw unexpected(reply);
  }

  /** `using` support: {@link close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return `SyncSocketConnection(${this.type}, ${this.#desc.remote ? this.getRemoteAddress().toString() : '?'})`;
  }

  #checkUsable(cancellable: Cancellable | null | undefined): void {
    if (this.#closed) throw new IOError(IOErrorEnum.CLOSED, 'Stream is already closed');
    if (!this.#open) {
      throw new IOError(
        IOErrorEnum.NOT_CONNECTED,
        'Only the connection a …Sync connect returned can be read or written',
      );
    }
    if (cancellable !== undefined && cancellable !== null) cancellable.throwIfCancelled();
  }

  /** One request and its reply; an error reply is thrown as the GError it describes. */
  #request(build: (call: number) => CallerMessage, transfer?: ArrayBuffer[]): WorkerMessage {
    const channel = this.#channel;
    const call = channel.open();
    try {
      channel.post(build(call), transfer);
      const reply = channel.receive(call);
      if (reply.kind === 'error') throw rebuildError(reply.error);
      return reply;
    } finally {
      channel.close(call);
    }
  }
}

function sharedBuffer(cancellable: Cancellable | null | undefined): SharedArrayBuffer | null {
  return cancellable instanceof SharedCancellable ? cancellable.buffer : null;
}

function checkCount(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument(`${name} must be an integer >= 0`);
}

function unexpected(reply: WorkerMessage): IOError {
  return new IOError(
    IOErrorEnum.FAILED,
    `Internal error: unexpected ${reply.kind} reply from the sync engine`,
  );
}

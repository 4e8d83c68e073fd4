// The thin I/O layer under the proxy codecs: write a request, read a reply exactly, never a byte
// more. Bytes a destination sends right after the proxy's reply stay in the stream for the
// application (GIO reads its HTTP reply one byte at a time for the same reason, gio/ghttpproxy.c).
import type { Duplex } from 'node:stream';
import type { Cancellable } from '../cancellable.js';
import { toGError } from '../errors/errno.js';
import { GError } from '../errors/gerror.js';
import { done, need, type ReplyDecoder } from './wire.js';

const EMPTY: Buffer = Buffer.alloc(0);
const NO_STREAMS: readonly Duplex[] = [];

export interface NegotiateOptions {
  readonly cancellable?: Cancellable | null;
  /**
   * The error for a peer that closes in the middle of a reply, e.g. CONNECTION_CLOSED
   * "Connection to SOCKSv5 proxy server lost" (gio/gsocks5proxy.c, GLib 2.69+).
   */
  readonly lostError: () => GError;
  /**
   * Streams under `stream` (the TCP socket under the HTTPS proxy's TLS). Their death counts as
   * ours and their error comes first: a reset of the TCP socket, not a TLS-level symptom of it,
   * is the error.
   */
  readonly lowerStreams?: readonly Duplex[];
}

/**
 * How a reply is read:
 * - `exact`: the decoder's `need.total` is exact (length-prefixed SOCKS replies); exactly the
 *   missing bytes are read, and EOF before them is `lostError`.
 * - `chunks`: whatever is buffered is taken (HTTP: the end of the header is only known once seen);
 *   the decoder sees EOF, and bytes after the reply are put back with `unshift`.
 */
export type ReadMode = 'exact' | 'chunks';

/** The reply being read: its decoder, the bytes so far, and how to settle the caller's Promise. */
interface PendingReply {
  readonly decode: ReplyDecoder<unknown>;
  readonly mode: ReadMode;
  bytes: Buffer;
  eof: boolean;
  /** Bytes the decoder asked for in all, or -1 when the bytes have not been decoded yet. */
  total: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * One negotiation's view of a stream. It reads in paused mode with `stream.read(n)`, which only
 * takes bytes out of the stream's buffer (nothing else is consumed), and it owns the listeners it
 * adds: `release()` removes every one of them, after which the stream returns to its initial
 * (non-flowing, non-paused) state so the application can read it in any mode.
 *
 * A reply is read by the stream's own events: each one ('readable', 'end', 'error', 'close', a
 * lower stream's death, cancellation) carries the read on where it stopped, and the caller's one
 * Promise per reply settles when the decoder is done (no Promise per wait or per read).
 */
export class ProxyIO {
  readonly stream: Duplex;
  readonly #lower: readonly Duplex[];
  readonly #cancellable: Cancellable | null;
  readonly #lostError: () => GError;
  readonly #cancelId: number;
  #pending: PendingReply | null = null;
  #released = false;

  constructor(stream: Duplex, opts: NegotiateOptions) {
    this.stream = stream;
    this.#lower = opts.lowerStreams ?? NO_STREAMS;
    this.#cancellable = opts.cancellable ?? null;
    this.#lostError = opts.lostError;
    // 'error' must have a listener while we own the stream, or a reset would crash the process.
    stream.on('readable', this.#pump);
    stream.on('end', this.#pump);
    stream.on('error', this.#pump);
    stream.on('close', this.#pump);
    for (const s of this.#lower) {
      s.on('error', this.#pump);
      s.on('close', this.#pump);
    }
    // Cancelling tears the connection down (its bytes are in an unknown state) and ends the read.
    this.#cancelId =
      this.#cancellable?.connect(() => {
        stream.destroy();
        for (const lower of this.#lower) lower.destroy();
        this.#pump();
      }) ?? 0;
  }

  /**
   * Queues a request (text is written as UTF-8). Write failures surface on the next read as the
   * socket's error.
   */
  write(bytes: Buffer | string): void {
    this.#check();
    if (this.stream.destroyed || !this.stream.writable) throw this.#lostError();
    this.stream.write(bytes);
  }

  /** Reads exactly `n` bytes; EOF first rejects with `lostError`, a socket error with its GError. */
  readExact(n: number): Promise<Buffer> {
    return this.readReply((bytes) => (bytes.length < n ? need(n) : done(bytes, n)));
  }

  /** Reads whatever is buffered (at least one byte), or null at EOF. */
  readSome(): Promise<Buffer | null> {
    return this.readReply<Buffer | null>(
      (bytes, eof) => (bytes.length > 0 ? done(bytes, bytes.length) : eof ? done(null, 0) : need(1)),
      'chunks',
    );
  }

  /** Gives bytes read past the end of a reply back to the stream, ahead of anything buffered. */
  unshift(bytes: Buffer): void {
    if (bytes.length > 0) this.stream.unshift(bytes);
  }

  /** Reads one reply, feeding the decoder until it completes; rejects with the decoder's GError. */
  readReply<T>(decode: ReplyDecoder<T>, mode: ReadMode = 'exact'): Promise<T> {
    if (this.#pending !== null) return Promise.reject(new Error('ProxyIO: concurrent reads'));
    return new Promise<T>((resolve, reject) => {
      this.#pending = {
        decode,
        mode,
        bytes: EMPTY,
        eof: false,
        total: -1,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      this.#pump();
    });
  }

  /** Removes every listener this object added; idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.stream.off('readable', this.#pump);
    this.stream.off('end', this.#pump);
    this.stream.off('error', this.#pump);
    this.stream.off('close', this.#pump);
    for (const s of this.#lower) {
      s.off('error', this.#pump);
      s.off('close', this.#pump);
    }
    this.#cancellable?.disconnect(this.#cancelId);
    this.#pump();
  }

  /**
   * Carries the pending read on as far as the buffered bytes allow. Bounded: every round either
   * adds at least one byte (decoders cap their totals), settles, or stops to wait for an event.
   */
  readonly #pump = (): void => {
    const reply = this.#pending;
    if (reply === null) return;
    try {
      for (;;) {
        if (reply.total < 0) {
          const result = reply.decode(reply.bytes, reply.eof);
          if (result.kind === 'error') throw result.error;
          if (result.kind === 'done') {
            this.#pending = null;
            this.unshift(reply.bytes.subarray(result.length));
            reply.resolve(result.value);
            return;
          }
          if (reply.eof) throw this.#lostError();
          reply.total = result.total;
        }
        this.#check();
        if (reply.mode === 'exact') {
          // read(n) returns fewer than n bytes only once the stream has ended.
          const n = reply.total - reply.bytes.length;
          const chunk = this.#read(n);
          if (chunk === null) {
            if (this.#atEnd()) throw this.#lostError();
            return; // wait for the next event
          }
          if (chunk.length !== n) throw this.#lostError();
          reply.bytes = append(reply.bytes, chunk);
        } else {
          const chunk = this.#read(undefined);
          if (chunk !== null && chunk.length > 0) reply.bytes = append(reply.bytes, chunk);
          else if (this.#atEnd()) reply.eof = true;
          else return; // wait for the next event
        }
        reply.total = -1;
      }
    } catch (err) {
      this.#pending = null;
      reply.reject(err);
    }
  };

  /** Cancellation first (it destroys the stream), then the error the stream died of. */
  #check(): void {
    if (this.#released) throw new Error('ProxyIO used after release()');
    if (this.#cancellable?.isCancelled()) throw this.#cancellable.error();
    // The lower streams first: their error is the cause of ours (no array is built per check).
    for (const s of this.#lower) {
      if (s.errored) throw socketIOError(s.errored);
    }
    if (this.stream.errored) throw socketIOError(this.stream.errored);
  }

  #read(n: number | undefined): Buffer | null {
    if (this.stream.destroyed) return null;
    const chunk: unknown = n === undefined ? this.stream.read() : this.stream.read(n);
    if (chunk === null || chunk === undefined) return null;
    if (!Buffer.isBuffer(chunk)) throw new Error('proxy negotiation needs a byte stream (no setEncoding)');
    return chunk;
  }

  #atEnd(): boolean {
    const s = this.stream;
    if (s.destroyed || s.readableEnded || !s.readable) return true;
    for (const lower of this.#lower) if (lower.destroyed) return true;
    return false;
  }
}

/** `head` followed by `tail`, without a copy when `head` is empty. */
function append(head: Buffer, tail: Buffer): Buffer {
  return head.length === 0 ? tail : Buffer.concat([head, tail], head.length + tail.length);
}

/**
 * A socket error met while negotiating, worded as GSocket's g_socket_receive / g_socket_send
 * word theirs: "Error receiving data: Connection reset by peer" (the errno's code and glibc
 * text). Errors that are already GErrors (a timeout, a TLS error) keep their own wording.
 */
function socketIOError(err: Error): GError {
  const error = toGError(err);
  const syscall = (err as NodeJS.ErrnoException).syscall;
  if (err instanceof GError || typeof syscall !== 'string') return error;
  return error.withPrefix(syscall === 'write' ? 'Error sending data: ' : 'Error receiving data: ');
}

/**
 * Runs one proxy negotiation over `stream`. On any failure (including cancellation) the stream is
 * destroyed — a half-negotiated connection is useless — and the error is a GError. Listeners are
 * removed on every path.
 */
export function negotiate<T>(
  stream: Duplex,
  opts: NegotiateOptions,
  body: (io: ProxyIO) => Promise<T>,
): Promise<T> {
  const io = new ProxyIO(stream, opts);
  const cleanUp = (err: unknown): GError => {
    stream.destroy();
    for (const lower of opts.lowerStreams ?? NO_STREAMS) lower.destroy();
    io.release();
    return toGError(err);
  };
  let result: Promise<T>;
  try {
    opts.cancellable?.throwIfCancelled();
    result = body(io);
  } catch (err) {
    // A request that cannot be encoded, or a cancellation before it: torn down at once.
    return Promise.reject(cleanUp(err));
  }
  // Settled straight from the body's Promise: no async frame of its own.
  return result.then(
    (value) => {
      io.release();
      return value;
    },
    (err: unknown) => {
      throw cleanUp(err);
    },
  );
}

/**
 * Engine side of a connection's read ring (read-ring.ts): the stream flows, and each chunk it
 * delivers is copied into the shared ring at once. When a chunk does not fit, the rest is kept,
 * the stream is paused (Node stops reading from the kernel once its own small buffer is full, so
 * TCP flow control holds the peer back) and the feeder waits, with Atomics.waitAsync on TAIL,
 * until the caller has freed half of the ring. Memory per connection is thus bounded by the ring,
 * one chunk and the stream's high-water mark.
 *
 * The end of the stream is published in R_STATE once every byte before it is in the ring: EOF,
 * or FAILED when the stream failed or was destroyed (the caller then asks the engine, which
 * answers with the same error as a read without the ring).
 */
import type { Duplex } from 'node:stream';
import {
  READ_RING_BYTES,
  READ_RING_RESUME_BYTES,
  R_HEAD,
  R_PAUSED,
  R_STATE,
  R_TAIL,
  R_WAITING,
  STREAM_EOF,
  STREAM_FAILED,
  STREAM_OPEN,
  ringControl,
  ringData,
} from './read-ring.js';
import { copyBytes } from './shared-copy.js';
import { waitAsync } from './wait-async.js';

export class RingFeeder {
  readonly #stream: Duplex;
  readonly #control: Int32Array;
  readonly #data: Buffer;
  /** Wakes the calling thread (bumps the channel's SEQ). */
  readonly #wake: () => void;
  /** Called after each change (data, end): the engine's waits for readability re-check. */
  readonly #changes = new Set<() => void>();
  /** What did not fit in the ring; the stream is paused while it is held. */
  #pending: Buffer | null = null;
  #ended = false;
  #failed = false;
  #detached = false;
  /** Whether a waitAsync on TAIL is pending (released on detach). */
  #waitingForRoom = false;
  /** The caller's wake-up, once this turn of the event loop delivered its chunks. */
  #wakeLater: NodeJS.Immediate | null = null;

  readonly #onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // A chunk while one is held should not come (the stream is paused); keep the order if it does.
    if (this.#pending) this.#pending = Buffer.concat([this.#pending, bytes]);
    else this.#push(bytes);
    this.#changed();
  };
  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#settle();
  };
  readonly #onFailed = (): void => {
    this.#failed = true;
    this.#settle();
  };

  /** Starts feeding the ring from `stream`; `first` is data read from it before (kept in order). */
  constructor(stream: Duplex, ring: SharedArrayBuffer, first: Buffer | null, wake: () => void) {
    this.#stream = stream;
    this.#control = ringControl(ring);
    this.#data = ringData(ring);
    this.#wake = wake;
    Atomics.store(this.#control, R_STATE, STREAM_OPEN);
    // Pause first: a 'data' listener would otherwise start the flow before `first` is in.
    stream.pause();
    if (first && first.byteLength > 0) this.#push(first);
    // What Node holds already: a stream destroyed since (a reset after data) emits no more
    // 'data', but read() still returns it, as a read without the ring would.
    const held: unknown = this.#pending === null ? stream.read() : null;
    if (held !== null && held !== undefined) {
      this.#push(typeof held === 'string' ? Buffer.from(held) : (held as Buffer));
    }
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onFailed);
    stream.on('close', this.#onFailed);
    if (this.#pending === null) stream.resume();
    // Ended or destroyed before the ring came: say so now (no event will).
    if (stream.readableEnded) this.#ended = true;
    else if (stream.destroyed) this.#failed = true;
    this.#settle();
    this.#changed();
  }

  /** Whether the ring holds bytes the caller has not taken yet. */
  get holdsData(): boolean {
    return Atomics.load(this.#control, R_HEAD) !== Atomics.load(this.#control, R_TAIL);
  }

  /** Whether bytes wait to go into the ring (it was full): more data is coming. */
  get holdsPending(): boolean {
    return this.#pending !== null;
  }

  /** Runs `listener` after the next changes until the returned function is called. */
  onChange(listener: () => void): () => void {
    this.#changes.add(listener);
    return () => this.#changes.delete(listener);
  }

  /** Stops feeding (the connection closes); the stream stays paused. */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#stream.off('data', this.#onData);
    this.#stream.off('end', this.#onEnd);
    this.#stream.off('error', this.#onFailed);
    this.#stream.off('close', this.#onFailed);
    this.#stream.pause();
    this.#pending = null;
    this.#changes.clear();
    if (this.#wakeLater) clearImmediate(this.#wakeLater);
    this.#wakeLater = null;
    // Release our pending wait on TAIL (it would otherwise wait for the caller's next take).
    if (this.#waitingForRoom) Atomics.notify(this.#control, R_TAIL);
  }

  /** Copies what fits; pauses the stream and keeps the rest when the ring is full. */
  #push(bytes: Buffer): void {
    const control = this.#control;
    const head = Atomics.load(control, R_HEAD);
    const room = READ_RING_BYTES - ((head - Atomics.load(control, R_TAIL)) | 0);
    const n = Math.min(room, bytes.byteLength);
    const offset = head & (READ_RING_BYTES - 1);
    const first = Math.min(n, READ_RING_BYTES - offset);
    copyBytes(this.#data, offset, bytes.subarray(0, first));
    if (first < n) copyBytes(this.#data, 0, bytes.subarray(first, n));
    Atomics.store(control, R_HEAD, (head + n) | 0);
    if (n === bytes.byteLength) return;
    this.#pending = bytes.subarray(n);
    this.#stream.pause();
    this.#waitForRoom();
  }

  /** Waits until the caller freed enough of the ring, then moves the held bytes in. */
  #waitForRoom(): void {
    const pending = this.#pending;
    if (this.#detached || pending === null) return;
    const control = this.#control;
    // PAUSED before TAIL is read, as the caller stores TAIL before it reads PAUSED (read-ring.ts).
    Atomics.store(control, R_PAUSED, 1);
    const tail = Atomics.load(control, R_TAIL);
    const room = READ_RING_BYTES - ((Atomics.load(control, R_HEAD) - tail) | 0);
    if (room >= READ_RING_RESUME_BYTES || room >= pending.byteLength) {
      Atomics.store(control, R_PAUSED, 0);
      this.#pending = null;
      this.#push(pending);
      if (this.#pending === null) {
        this.#stream.resume();
        this.#settle();
      }
      this.#changed();
      return;
    }
    const wait = waitAsync(control, R_TAIL, tail);
    if (!wait.async) {
      // TAIL moved since it was read: look again.
      queueMicrotask(() => this.#waitForRoom());
      return;
    }
    this.#waitingForRoom = true;
    void wait.value.then(() => {
      this.#waitingForRoom = false;
      this.#waitForRoom();
    });
  }

  /** Publishes the end once every byte before it is in the ring. */
  #settle(): void {
    if (this.#detached || this.#pending !== null) return;
    if (Atomics.load(this.#control, R_STATE) !== STREAM_OPEN) return;
    if (this.#ended) Atomics.store(this.#control, R_STATE, STREAM_EOF);
    else if (this.#failed) Atomics.store(this.#control, R_STATE, STREAM_FAILED);
    else return;
    this.#changed();
  }

  /**
   * Wakes the caller if it sleeps waiting for data, and the engine's own waits. The caller is
   * woken once the event loop has delivered all the chunks this turn read from the kernel
   * (libuv reads a socket up to 32 times per turn while data fills its 64 KiB buffer): one
   * wake-up for all of them, microseconds later.
   */
  #changed(): void {
    if (this.#wakeLater === null && Atomics.load(this.#control, R_WAITING) === 1) {
      this.#wakeLater = setImmediate(this.#wakeNow);
    }
    for (const listener of this.#changes) listener();
  }

  readonly #wakeNow = (): void => {
    this.#wakeLater = null;
    if (Atomics.exchange(this.#control, R_WAITING, 0) === 1) this.#wake();
  };
}

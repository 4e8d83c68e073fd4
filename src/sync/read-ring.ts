/**
 * The shared-memory ring a connection's reads come through (docs/sync.md "Bulk reads"), made at
 * the connection's first read of READ_RING_MIN_BYTES or more. The engine thread copies what the
 * socket receives into it as the data arrives (worker-read-ring.ts) and advances HEAD; the
 * calling thread takes what is there, up to what a read asked for, and advances TAIL. A read that
 * finds data therefore needs no message and no wake-up at all, and returns everything received
 * so far in one piece, as recv(2) of a large buffer does.
 *
 * HEAD and TAIL count bytes modulo 2^32 (Int32 words; their difference is what the ring holds,
 * never more than READ_RING_BYTES), and a position's offset is its low bits. Flow control: when
 * the ring is full the engine pauses the socket (Node then stops reading from the kernel and TCP
 * holds the peer back) and sets PAUSED; the caller wakes it once half of the ring is free again.
 * The other way, the caller sets WAITING before it sleeps and the engine wakes it when data (or
 * the end) arrives: neither thread is woken while the other has nothing to say.
 */
import type { EngineChannel } from './channel.js';
import { copyBytes } from './shared-copy.js';

/** Int32 slots of the control block. */
export const R_HEAD = 0;
export const R_TAIL = 1;
/** OPEN while the stream may still deliver; then EOF, or FAILED (the engine has the error). */
export const R_STATE = 2;
/** 1 while the caller sleeps waiting for data: the engine wakes it. */
export const R_WAITING = 3;
/** 1 while the engine waits for room: the caller wakes it (notify on R_TAIL). */
export const R_PAUSED = 4;
export const READ_RING_CONTROL_BYTES = 20;

export const STREAM_OPEN = 0;
export const STREAM_EOF = 1;
export const STREAM_FAILED = 2;
/** A new ring, before the engine attached it to the connection (the caller asks it to). */
export const STREAM_UNATTACHED = 3;

/** Data bytes: a power of two, so positions map to offsets with a mask. */
export const READ_RING_BYTES = 1024 * 1024;
/** The engine, when paused, resumes once this much is free: no wake-up per byte taken. */
export const READ_RING_RESUME_BYTES = READ_RING_BYTES / 2;
/**
 * Reads from this size on attach the ring (and every later read goes through it): smaller ones
 * are one request each, so a connection that only exchanges small messages holds no ring.
 */
export const READ_RING_MIN_BYTES = 64 * 1024;

/** The words of a ring's control block. */
export function ringControl(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer, 0, READ_RING_CONTROL_BYTES / 4);
}

/** A ring's data bytes, as a Buffer (copies go through copyBytes, shared-copy.ts). */
export function ringData(buffer: SharedArrayBuffer): Buffer {
  return Buffer.from(buffer, READ_RING_CONTROL_BYTES, READ_RING_BYTES);
}

/** What the caller found in the ring. */
export type RingTake =
  Buffer | typeof STREAM_OPEN | typeof STREAM_EOF | typeof STREAM_FAILED | typeof STREAM_UNATTACHED;

export class ReadRing {
  readonly buffer = new SharedArrayBuffer(READ_RING_CONTROL_BYTES + READ_RING_BYTES);
  readonly #control = ringControl(this.buffer);
  readonly #data = ringData(this.buffer);

  constructor() {
    Atomics.store(this.#control, R_STATE, STREAM_UNATTACHED);
  }

  /**
   * Up to `max` bytes of what the ring holds, in one Buffer; when it is empty, the stream's
   * state (the state is read first: the engine publishes it after the last data).
   */
  take(max: number): RingTake {
    const control = this.#control;
    const state = Atomics.load(control, R_STATE);
    const tail = Atomics.load(control, R_TAIL);
    const held = (Atomics.load(control, R_HEAD) - tail) | 0;
    if (held === 0) return state as RingTake;
    const n = Math.min(held, max);
    const out = Buffer.allocUnsafe(n);
    const offset = tail & (READ_RING_BYTES - 1);
    const first = Math.min(n, READ_RING_BYTES - offset);
    copyBytes(out, 0, this.#data.subarray(offset, offset + first));
    if (first < n) copyBytes(out, first, this.#data.subarray(0, n - first));
    Atomics.store(control, R_TAIL, (tail + n) | 0);
    // Wake the engine only once it waits for room and there is plenty of it (Dekker order: TAIL
    // stored before PAUSED is read, as the engine stores PAUSED before it reads TAIL).
    if (held - n <= READ_RING_BYTES - READ_RING_RESUME_BYTES && Atomics.load(control, R_PAUSED) === 1) {
      Atomics.store(control, R_PAUSED, 0);
      Atomics.notify(control, R_TAIL);
    }
    return out;
  }

  /**
   * Sleeps until the ring holds data or the stream ended, at most `timeoutMs` (0: no limit).
   * Returns false on timeout. The engine wakes this thread through the channel's SEQ word, so a
   * message for another call (or the engine's exit) wakes it too; it then checks again.
   */
  waitForData(channel: EngineChannel, timeoutMs: number): boolean {
    const control = this.#control;
    const ready = (): boolean => {
      // Set before the check (the engine stores HEAD before it reads WAITING).
      Atomics.store(control, R_WAITING, 1);
      return (
        Atomics.load(control, R_HEAD) !== Atomics.load(control, R_TAIL) ||
        Atomics.load(control, R_STATE) !== STREAM_OPEN
      );
    };
    try {
      return channel.waitUntil(ready, timeoutMs);
    } finally {
      Atomics.store(control, R_WAITING, 0);
    }
  }
}

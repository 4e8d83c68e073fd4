/**
 * The shared-memory ring a large write goes through (docs/sync.md "Bulk writes"). One per
 * connection, made at its first large write: a control block of Int32 words and RING_BYTES of
 * data. For one write operation the caller copies the data in and advances HEAD; the worker hands
 * each new stretch to the socket as a view of this memory (no copy) and advances TAIL once the
 * socket wrote it to the kernel. So the caller fills while the worker sends, with one message to
 * start the operation and one to end it, whatever the size.
 *
 * HEAD and TAIL count the bytes of the current operation (at most OPERATION_BYTES, so they fit an
 * Int32); both are 0 at its start, when the ring is empty. A failed operation may leave stretches
 * still queued in the socket: the caller then drops the ring and makes another for the next write.
 */
import type { EngineChannel } from './channel.js';
import type { WorkerMessage } from './protocol.js';
import { copyBytes } from './shared-copy.js';

/** Int32 slots of the control block. */
export const HEAD = 0;
export const TAIL = 1;
export const RING_CONTROL_BYTES = 8;
/** Data bytes: a power of two, so positions map to offsets with a mask. */
export const RING_BYTES = 1024 * 1024;
/** The caller publishes its copy in steps of this size, so the worker can start sending early. */
const PUBLISH_BYTES = 128 * 1024;
/** Bytes of one operation; a larger write is several operations. */
export const OPERATION_BYTES = 1024 * 1024 * 1024;
/** Writes from this size on go through the ring; smaller ones are one message each. */
export const RING_MIN_BYTES = 64 * 1024;

export class WriteRing {
  readonly buffer = new SharedArrayBuffer(RING_CONTROL_BYTES + RING_BYTES);
  readonly #control = new Int32Array(this.buffer, 0, RING_CONTROL_BYTES / 4);
  readonly #data = Buffer.from(this.buffer, RING_CONTROL_BYTES, RING_BYTES);

  /** Empties the ring for a new operation (the previous one ended: the worker no longer reads it). */
  reset(): void {
    Atomics.store(this.#control, HEAD, 0);
    Atomics.store(this.#control, TAIL, 0);
  }

  /**
   * Copies `data` into the ring as the worker makes room, blocking meanwhile. Returns null once
   * everything is in; a message of the call (the operation's error) if one came first.
   */
  fill(channel: EngineChannel, call: number, data: Uint8Array): WorkerMessage | null {
    let head = 0;
    const hasRoom = (): boolean => head - Atomics.load(this.#control, TAIL) < RING_BYTES;
    // Bounded by the data: each pass copies at least one byte or waits for the worker's progress.
    while (head < data.byteLength) {
      const room = RING_BYTES - (head - Atomics.load(this.#control, TAIL));
      if (room === 0) {
        const message = channel.receiveUnless(call, hasRoom);
        if (message) return message;
        continue;
      }
      const offset = head & (RING_BYTES - 1);
      const n = Math.min(room, data.byteLength - head, RING_BYTES - offset, PUBLISH_BYTES);
      copyBytes(this.#data, offset, data.subarray(head, head + n));
      head += n;
      Atomics.store(this.#control, HEAD, head);
      Atomics.notify(this.#control, HEAD);
    }
    return null;
  }
}

/**
 * Worker side of a write through the shared ring (write-ring.ts): each stretch the caller
 * publishes is handed to the stream as a view of the shared memory, and TAIL advances as the
 * stream's write callbacks report the bytes written to the kernel. The per-operation timeout
 * counts from the last progress while bytes are in flight (g_socket_set_timeout: no progress for
 * that long), never while the worker waits for the caller's copy.
 */
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GError } from '../errors/gerror.js';
import { cancelledError, timedOutError } from '../errors/gerror.js';
import { watchSharedWord } from './shared-cancellable.js';
import { HEAD, RING_BYTES, RING_CONTROL_BYTES, TAIL } from './write-ring.js';
import { waitAsync } from './wait-async.js';

export interface RingWrite {
  readonly stream: Duplex;
  readonly ring: SharedArrayBuffer;
  readonly size: number;
  readonly timeoutMs: number;
  readonly cancel: SharedArrayBuffer | null;
  /** Wakes the caller after TAIL moved. */
  readonly progressed: () => void;
  /** The error a failed write reports (the stream's own error first, as ConnectionIO.write). */
  readonly failure: (err: Error) => GError;
}

/** Resolves once all `size` bytes were written to the kernel; rejects with the operation's error. */
export function sendFromRing(op: RingWrite): Promise<void> {
  const control = new Int32Array(op.ring, 0, RING_CONTROL_BYTES / 4);
  // A net.Socket (TLSSocket included) is done with a chunk's memory when its write callback runs:
  // libuv wrote it, or OpenSSL copied it in. Another Duplex might keep the chunk itself.
  const zeroCopy = op.stream instanceof Socket;
  return new Promise<void>((resolve, reject) => {
    let taken = 0;
    let written = 0;
    let settled = false;
    let waiting = false;
    let timer: NodeJS.Timeout | undefined;
    let unwatch: (() => void) | null = null;

    function finish(error: GError | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch?.();
      // Release our pending wait on HEAD (it would otherwise wait for the caller's next write).
      if (waiting) Atomics.notify(control, HEAD);
      if (error) reject(error);
      else resolve();
    }

    /** (Re)starts the no-progress timer while bytes are in flight. */
    function arm(): void {
      clearTimeout(timer);
      timer = undefined;
      if (op.timeoutMs > 0 && written < taken) {
        timer = setTimeout(() => finish(timedOutError()), op.timeoutMs);
      }
    }

    function onWritten(end: number, err: Error | null | undefined): void {
      if (err) {
        finish(op.failure(err));
        return;
      }
      written = end;
      Atomics.store(control, TAIL, end);
      op.progressed();
      if (settled) return;
      if (written === op.size) finish(null);
      else arm();
    }

    // Bounded by the operation's size: each pass takes what was published, or waits for more.
    function pump(): void {
      if (settled) return;
      const head = Atomics.load(control, HEAD);
      const idle = written === taken;
      while (taken < head) {
        const offset = taken & (RING_BYTES - 1);
        const n = Math.min(head - taken, RING_BYTES - offset);
        const end = taken + n;
        taken = end;
        const view = Buffer.from(op.ring, RING_CONTROL_BYTES + offset, n);
        op.stream.write(zeroCopy ? view : Buffer.from(view), (err) => onWritten(end, err));
        if (settled) return;
      }
      if (idle && written < taken) arm();
      if (taken >= op.size) return;
      const wait = waitAsync(control, HEAD, head);
      if (!wait.async) {
        queueMicrotask(pump);
        return;
      }
      waiting = true;
      void wait.value.then(() => {
        waiting = false;
        pump();
      });
    }

    // Set up last: a word already set calls finish() at once.
    if (op.cancel) unwatch = watchSharedWord(op.cancel, () => finish(cancelledError()));
    pump();
  });
}

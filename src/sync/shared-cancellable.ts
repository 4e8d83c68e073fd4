import { Cancellable } from '../cancellable.js';
import { invalidArgument } from '../errors/gerror.js';
import { waitAsync } from './wait-async.js';

/** Int32 slot of the shared word: 0 = not cancelled, 1 = cancelled. */
const FLAG = 0;

/**
 * A Cancellable whose state lives in shared memory, so another thread can cancel a blocking
 * call (…Sync connect, SyncSocketConnection read/write) while the calling thread is blocked.
 * Send `buffer` to the other thread (postMessage or workerData) and rebuild it there with
 * `SharedCancellable.fromBuffer(buffer)`; `cancel()` on either copy cancels both.
 *
 * On a thread that did not call cancel() itself, `isCancelled()` reads the shared word, and
 * handlers connected with `connect()` run (on that thread's event loop) when another thread
 * cancels. The engine worker watches the word with Atomics.waitAsync, so nothing polls.
 *
 * @example
 * ```ts
 * // calling thread
 * const cancellable = new SharedCancellable();
 * worker.postMessage({ cancel: cancellable.buffer });
 * const data = conn.read(4096, cancellable); // throws IOError CANCELLED when the worker cancels
 *
 * // the worker
 * parentPort.on('message', ({ cancel }) => SharedCancellable.fromBuffer(cancel).cancel());
 * ```
 */
export class SharedCancellable extends Cancellable {
  /** A SharedArrayBuffer of 4 bytes: share it, never write to it. */
  readonly buffer: SharedArrayBuffer;
  readonly #word: Int32Array;
  /** Whether an Atomics.waitAsync for remote cancellation is pending (only while handlers exist). */
  #watching = false;

  /**
   * g_cancellable_new, in shared memory. With `buffer` (another SharedCancellable's), the same
   * state as that one; a buffer that is not a SharedArrayBuffer of 4 bytes or more throws IOError
   * INVALID_ARGUMENT.
   */
  constructor(buffer?: SharedArrayBuffer) {
    super();
    if (buffer !== undefined && (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < 4)) {
      throw invalidArgument('SharedCancellable needs the `buffer` of another SharedCancellable');
    }
    this.buffer = buffer ?? new SharedArrayBuffer(4);
    this.#word = new Int32Array(this.buffer, 0, 1);
  }

  /** The same cancellation state, on another thread. */
  static fromBuffer(buffer: SharedArrayBuffer): SharedCancellable {
    return new SharedCancellable(buffer);
  }

  override cancel(reason?: unknown): void {
    if (Atomics.compareExchange(this.#word, FLAG, 0, 1) === 0) Atomics.notify(this.#word, FLAG);
    super.cancel(reason);
  }

  override isCancelled(): boolean {
    // Another thread's cancel() is seen here first; run the local part (signal, handlers) now.
    if (!super.isCancelled() && Atomics.load(this.#word, FLAG) !== 0) super.cancel();
    return super.isCancelled();
  }

  override connect(callback: (cancellable: Cancellable) => void): number {
    const id = super.connect(callback);
    if (id !== 0) this.#watch();
    return id;
  }

  override disconnect(id: number): void {
    super.disconnect(id);
    // Release the pending waitAsync (it holds this object) once nobody listens any more.
    if (this.#watching && this.handlerCount === 0) Atomics.notify(this.#word, FLAG);
  }

  /**
   * While handlers are connected, one Atomics.waitAsync waits for another thread's cancel().
   * It neither keeps the event loop alive nor polls; once no handler is left it ends at the
   * next wake-up (cancel(), or a release notify from a thread that stopped watching).
   */
  #watch(): void {
    if (this.#watching || super.isCancelled()) return;
    this.#watching = true;
    const wait = waitAsync(this.#word, FLAG, 0);
    const woke = (): void => {
      this.#watching = false;
      if (this.isCancelled()) return;
      if (this.handlerCount > 0) this.#watch();
    };
    if (wait.async) void wait.value.then(woke);
    else woke();
  }
}

/**
 * Used by the engine worker: runs `onCancel` once when the shared word is set. The returned
 * function stops watching; it wakes the pending waitAsync (a harmless spurious wake-up for any
 * other thread waiting on the same word, which re-checks and waits again).
 */
export function watchSharedWord(buffer: SharedArrayBuffer, onCancel: () => void): () => void {
  const word = new Int32Array(buffer, 0, 1);
  let active = true;
  const arm = (): void => {
    if (!active) return;
    if (Atomics.load(word, FLAG) !== 0) {
      active = false;
      onCancel();
      return;
    }
    const wait = waitAsync(word, FLAG, 0);
    if (wait.async) void wait.value.then(arm);
    else arm();
  };
  arm();
  return () => {
    if (!active) return;
    active = false;
    Atomics.notify(word, FLAG);
  };
}

/** Whether the shared word says cancelled (for a check before a call starts). */
export function sharedWordIsSet(buffer: SharedArrayBuffer): boolean {
  return Atomics.load(new Int32Array(buffer, 0, 1), FLAG) !== 0;
}

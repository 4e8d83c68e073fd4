import { IOErrorEnum } from './errors/enums.js';
import { GError, IOError, cancelledError, timedOutError } from './errors/gerror.js';

/** What every async operation accepts: a GIO-style Cancellable, a Node AbortSignal, or both. */
export interface CancelOptions {
  /** Cancels the operation when cancelled (the GCancellable argument of GIO's calls). */
  readonly cancellable?: Cancellable | null;
  /** Cancels the operation when aborted; `AbortSignal.timeout()` makes it fail with TIMED_OUT. */
  readonly signal?: AbortSignal | null;
}

/**
 * GCancellable bridged both ways with AbortSignal: `cancel()` aborts `signal`, and a Cancellable
 * made with `fromSignal()` is cancelled when that signal aborts. The error a cancelled operation
 * reports is CANCELLED, except for `AbortSignal.timeout()` which reports TIMED_OUT.
 *
 * @example
 * const cancellable = new Cancellable();
 * setTimeout(() => cancellable.cancel(), 1000);
 * const conn = await client.connectToHost('example.com:443', 0, cancellable); // IOError CANCELLED after 1 s
 */
export class Cancellable {
  // The AbortController is made only when `signal` is asked for: most operations never need one,
  // and creating and aborting it costs more than the rest of a loopback connect.
  #controller: AbortController | null = null;
  #cancelled = false;
  #reason: unknown = undefined;
  /** Made on the first connect(): most internal cancellables (per connect, per lookup) get none. */
  #handlers: Map<number, (c: Cancellable) => void> | null = null;
  #nextHandlerId = 1;

  /** An AbortSignal aborted when this is cancelled, for Node APIs (fetch, streams, timers). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  /** Why it was cancelled: the reason given to cancel(), or the CANCELLED error. */
  get reason(): unknown {
    if (!this.#cancelled) return undefined;
    this.#reason ??= cancelledError();
    return this.#reason;
  }

  /** Cancels; the optional reason becomes the `cause` of the error operations report. */
  cancel(reason?: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    this.#controller?.abort(this.reason);
    if (this.#handlers === null) return;
    const handlers = [...this.#handlers.values()];
    this.#handlers.clear();
    for (const handler of handlers) handler(this);
  }

  /** g_cancellable_is_cancelled: whether cancel() was called (or the source signal aborted). */
  isCancelled(): boolean {
    return this.#cancelled;
  }

  /** The error an operation cancelled through this object reports. */
  error(): GError {
    return errorForAbortReason(this.reason);
  }

  /** g_cancellable_set_error_if_cancelled: throws {@link Cancellable.error} when cancelled. */
  throwIfCancelled(): void {
    if (this.#cancelled) throw this.error();
  }

  /**
   * Like g_cancellable_connect: runs `callback` on cancellation, or at once if already cancelled
   * (then returns 0). The id disconnects it again.
   */
  connect(callback: (cancellable: Cancellable) => void): number {
    if (this.#cancelled) {
      callback(this);
      return 0;
    }
    const id = this.#nextHandlerId++;
    (this.#handlers ??= new Map()).set(id, callback);
    return id;
  }

  /** g_cancellable_disconnect: removes a callback added by {@link Cancellable.connect}; 0 is ignored. */
  disconnect(id: number): void {
    this.#handlers?.delete(id);
  }

  /** @internal Number of connected handlers, for leak tests. */
  get handlerCount(): number {
    return this.#handlers?.size ?? 0;
  }

  /**
   * A Cancellable cancelled when `signal` aborts (at once if it already has), with the signal's
   * reason as the cause.
   *
   * @example
   * await client.connectToHost('example.com:443', 0, Cancellable.fromSignal(AbortSignal.timeout(5000)));
   */
  static fromSignal(signal: AbortSignal): Cancellable {
    const c = new Cancellable();
    if (signal.aborted) c.cancel(signal.reason);
    else signal.addEventListener('abort', () => c.cancel(signal.reason), { once: true });
    return c;
  }
}

/** Maps an abort reason to the GError the operation reports (TimeoutError → TIMED_OUT). */
export function errorForAbortReason(reason: unknown): GError {
  if (reason instanceof GError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return timedOutError(reason);
  return cancelledError(reason);
}

/**
 * One internal Cancellable linked to the caller's cancellable and/or signal. `dispose()` unlinks
 * it so a long-lived caller cancellable does not accumulate handlers (GLib fix 56d371942e).
 */
export class LinkedCancellable extends Cancellable {
  /** Made for the first parent to unlink from (an operation's own cancellables often have none). */
  #unlinks: (() => void)[] | null = null;

  constructor(...parents: readonly (Cancellable | AbortSignal | null | undefined)[]) {
    super();
    for (const parent of parents) {
      if (!parent) continue;
      if (parent instanceof Cancellable) {
        if (parent.isCancelled()) {
          this.cancel(parent.reason);
          continue;
        }
        const id = parent.connect((p) => this.cancel(p.reason));
        (this.#unlinks ??= []).push(() => parent.disconnect(id));
      } else {
        if (parent.aborted) {
          this.cancel(parent.reason);
          continue;
        }
        const onAbort = (): void => this.cancel(parent.reason);
        parent.addEventListener('abort', onAbort, { once: true });
        (this.#unlinks ??= []).push(() => parent.removeEventListener('abort', onAbort));
      }
    }
  }

  /** Unlinks from every parent; this one stays as it is (cancelled or not). */
  dispose(): void {
    const unlinks = this.#unlinks;
    if (unlinks === null) return;
    this.#unlinks = null;
    for (const unlink of unlinks) unlink();
  }
}

/**
 * Races `promise` against cancellation. On cancellation `onCancel` runs (to tear the work down)
 * and the returned promise rejects with the cancellation error; the listener is always removed.
 */
export async function raceCancellable<T>(
  promise: Promise<T>,
  cancellable: Cancellable | null | undefined,
  onCancel?: () => void,
): Promise<T> {
  if (!cancellable) return promise;
  if (cancellable.isCancelled()) {
    onCancel?.();
    promise.catch(() => undefined);
    throw cancellable.error();
  }
  let id = 0;
  const cancelled = new Promise<never>((_, reject) => {
    id = cancellable.connect((c) => {
      onCancel?.();
      reject(c.error());
    });
  });
  try {
    return await Promise.race([promise, cancelled]);
  } finally {
    cancellable.disconnect(id);
    promise.catch(() => undefined);
    cancelled.catch(() => undefined);
  }
}

/** Whether `err` is GIO's CANCELLED error (g_error_matches with G_IO_ERROR_CANCELLED). */
export function isCancelledError(err: unknown): boolean {
  return err instanceof IOError && err.code === IOErrorEnum.CANCELLED;
}

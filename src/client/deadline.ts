import { LinkedCancellable, type Cancellable } from '../cancellable.js';
import { timedOutError } from '../errors/gerror.js';

/**
 * A stage deadline: a cancellable linked to the operation's that is also cancelled with TIMED_OUT
 * "Socket I/O timed out" once `ms` have passed (0 = never). GIO only bounds each socket I/O
 * (g_socket_set_timeout), so a peer that sends one byte per timeout never times out there; a
 * deadline per stage bounds the stage as a whole (docs/timeouts.md).
 */
export class Deadline {
  readonly cancellable: LinkedCancellable;
  #timer: NodeJS.Timeout | null = null;

  constructor(parent: Cancellable, ms: number) {
    this.cancellable = new LinkedCancellable(parent);
    if (ms > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.cancellable.cancel(timedOutError());
      }, ms);
    }
  }

  /** Stops the timer and unlinks from the parent; the stage is over. */
  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.cancellable.dispose();
  }
}

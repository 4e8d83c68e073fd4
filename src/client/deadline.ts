import { LinkedCancellable, type Cancellable } from '../cancellable.js';
import { timedOutError } from '../errors/gerror.js';
import { systemClock, type Clock, type ClockTimer } from '../clock.js';

/**
 * A stage deadline: a cancellable linked to the operation's that is also cancelled with TIMED_OUT
 * "Socket I/O timed out" once `ms` have passed (0 = never). GIO only bounds each socket I/O
 * (g_socket_set_timeout), so a peer that sends one byte per timeout never times out there; a
 * deadline per stage bounds the stage as a whole (docs/timeouts.md).
 */
export class Deadline {
  readonly cancellable: LinkedCancellable;
  readonly #clock: Clock;
  #timer: ClockTimer | null = null;

  constructor(parent: Cancellable, ms: number, clock: Clock = systemClock) {
    this.cancellable = new LinkedCancellable(parent);
    this.#clock = clock;
    if (ms > 0) {
      this.#timer = clock.setTimeout(() => {
        this.#timer = null;
        this.cancellable.cancel(timedOutError());
      }, ms);
    }
  }

  /** Stops the timer and unlinks from the parent; the stage is over. */
  dispose(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.cancellable.dispose();
  }
}

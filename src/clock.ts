/**
 * The time source of the connect engine. Every timer the engine arms (Happy Eyeballs attempt
 * delay, resolution delay, per-stage deadlines, `connectTimeout`, close flushes) goes through a
 * Clock, so that a virtual clock (`gsocketclient/testing`) can run the same engine on time that a
 * test advances by hand. The system clock is Node's own timers and `performance.now()`.
 */

/** An armed timer; only its Clock knows what it is. */
export interface ClockTimer {
  /** Keeps the event loop alive until the timer fires (Node's default); a no-op on virtual clocks. */
  ref?(): unknown;
  /** Lets the process exit while the timer is armed; a no-op on virtual clocks. */
  unref?(): unknown;
}

/** A time source: `now()` and one-shot timers (Node's by default, virtual in tests). */
export interface Clock {
  /** Milliseconds on a monotonic scale (the origin is the clock's own). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds (0 or more). */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Disarms a timer this clock armed; a timer that fired or was cleared is ignored. */
  clearTimeout(timer: ClockTimer): void;
}

/** Node's timers and `performance.now()`: the clock every client uses unless told otherwise. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimeout: (fn: () => void, ms: number): ClockTimer => setTimeout(fn, ms),
  clearTimeout: (timer: ClockTimer): void => clearTimeout(timer as NodeJS.Timeout),
});

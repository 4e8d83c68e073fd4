import type { Clock, ClockTimer } from '../clock.js';

/** A timer armed on a VirtualClock. */
class VirtualTimer implements ClockTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  armed = true;

  constructor(at: number, seq: number, fn: () => void) {
    this.at = at;
    this.seq = seq;
    this.fn = fn;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

/** How many rounds of the event loop with nothing new count as "settled" (see VirtualClock.settle). */
const QUIET_ROUNDS = 3;
/** A bound on one settle, so that a busy loop of immediates cannot hang a test. */
const MAX_SETTLE_ROUNDS = 10_000;
/** A bound on runUntilIdle(): a timer that keeps re-arming itself would otherwise run forever. */
const MAX_IDLE_TIMERS = 100_000;

/**
 * A clock that moves only when told to. Time starts at 0; {@link VirtualClock.advance} moves it
 * forward, firing each due timer at its exact instant (in time order; equal times in the order
 * they were armed) and letting the promise, `nextTick` and immediate work each timer starts
 * settle before the next one fires. So the engine reacts at exact virtual instants: an attempt
 * that starts "after 250 ms" starts at 250, not at 251.3. A timer due at the current instant
 * (0 ms) fires on its own, on a later turn of the event loop, without advance().
 *
 * @example
 * const clock = new VirtualClock();
 * clock.setTimeout(() => console.log('at', clock.now()), 250);
 * await clock.advance(1000); // prints "at 250"; clock.now() is then 1000
 */
export class VirtualClock implements Clock {
  #now = 0;
  #seq = 0;
  #timers: VirtualTimer[] = [];
  #activity = 0;

  /** The virtual time in milliseconds (starts at 0). */
  now(): number {
    return this.#now;
  }

  /** Arms a timer `ms` virtual milliseconds from now (negative or NaN counts as 0). */
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer = new VirtualTimer(this.#now + delay, this.#seq++, fn);
    this.#timers.push(timer);
    this.#activity++;
    // What is due now happens now, without advance(), as a 0 ms timer does on real time.
    if (delay === 0) setImmediate(() => timer.armed && this.#fire(timer));
    return timer;
  }

  /** Disarms a timer of this clock; one that fired, was cleared, or is not this clock's is ignored. */
  clearTimeout(timer: ClockTimer): void {
    if (!(timer instanceof VirtualTimer) || !timer.armed) return;
    timer.armed = false;
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#activity++;
  }

  /** How many timers are armed. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the next armed timer fires, or null when none is armed. */
  get nextTimerAt(): number | null {
    const next = this.#next();
    return next ? next.at : null;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way at its own instant, settling
   * after each; then settles once more at the end. Resolves when all of that is done.
   */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance() needs a duration >= 0, got ${ms}`);
    await this.advanceTo(this.#now + ms);
  }

  /** As advance(), to an absolute virtual time (which must not be in the past). */
  async advanceTo(time: number): Promise<void> {
    if (!Number.isFinite(time) || time < this.#now) {
      throw new RangeError(`advanceTo() needs a time >= now (${this.#now}), got ${time}`);
    }
    await this.settle();
    for (;;) {
      const next = this.#next();
      if (!next || next.at > time) break;
      this.#fire(next);
      await this.settle();
    }
    this.#now = time;
    await this.settle();
  }

  /**
   * Fires timers one after another, moving time to each, until none is armed; a timer armed on
   * the way is fired too. Stops with an error after `maxMs` of virtual time (default one hour) so
   * that a timer that always re-arms itself cannot hang a test. Resolves to the time reached.
   */
  async runUntilIdle(maxMs = 3_600_000): Promise<number> {
    const limit = this.#now + maxMs;
    await this.settle();
    for (let fired = 0; fired < MAX_IDLE_TIMERS; fired++) {
      const next = this.#next();
      if (!next) return this.#now;
      if (next.at > limit)
        throw new Error(`runUntilIdle(): timers still armed after ${maxMs} ms of virtual time`);
      this.#fire(next);
      await this.settle();
    }
    throw new Error(`runUntilIdle(): more than ${MAX_IDLE_TIMERS} timers fired`);
  }

  /**
   * Lets the work already started finish without moving time: promise jobs, `nextTick`
   * callbacks, immediates, and in-memory socket traffic, until the event loop has gone a few
   * rounds with no timer armed or cleared and no virtual-network activity.
   */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let round = 0; round < MAX_SETTLE_ROUNDS && quiet < QUIET_ROUNDS; round++) {
      const before = this.#activity;
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = this.#activity === before ? quiet + 1 : 0;
    }
  }

  /** @internal the virtual network counts its socket traffic as activity (see settle()). */
  noteActivity(): void {
    this.#activity++;
  }

  #next(): VirtualTimer | null {
    let best: VirtualTimer | null = null;
    for (const t of this.#timers) {
      if (best === null || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #fire(timer: VirtualTimer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    timer.armed = false;
    this.#activity++;
    this.#now = timer.at;
    timer.fn();
  }
}

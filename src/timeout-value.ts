import { invalidArgument } from './errors/gerror.js';

/**
 * The longest delay a Node timer holds (a signed 32-bit count of ms). A longer one fires after
 * 1 ms with a TimeoutOverflowWarning, so a timeout above it would kill a connection at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The largest timeout in seconds the client properties take: 2,147,483.647 s (about 24.8 days). */
export const MAX_TIMEOUT_SECONDS = MAX_TIMER_MS / 1000;

/**
 * Checks a timeout given in seconds (fractions allowed, 0 = none) and returns it in whole ms.
 * Values a Node timer cannot hold are refused with INVALID_ARGUMENT rather than silently
 * shortened: GIO's `timeout` is a guint of seconds, but nothing useful lies beyond 24 days.
 */
export function timeoutSecondsToMs(name: string, value: unknown): number {
  const ms =
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : NaN;
  if (!(ms <= MAX_TIMER_MS)) {
    throw invalidArgument(
      `Invalid ${name} ${String(value)}: expected seconds, a finite number from 0 to ${MAX_TIMEOUT_SECONDS}`,
    );
  }
  return ms;
}

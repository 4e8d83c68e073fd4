import { performance } from 'node:perf_hooks';

/** Alternating rounds per comparison: both sides see the same machine state, in turn. */
export const ROUNDS = 7;

/**
 * One comparison: each side's median, and the median of the per-round ratios (ours ÷ baseline of
 * the same round). Both sides of a round run back to back, so a change in the machine's load
 * between rounds moves both and cancels out of that round's ratio; `spread` is the lowest and
 * highest round ratio, how far this run's machine let the ratio wander.
 */
export interface Comparison {
  readonly ours: number;
  readonly baseline: number;
  readonly ratio: number;
  /** Absent when no round gave a finite ratio (a size that did not grow, at a tiny scale). */
  readonly spread?: readonly [number, number];
}

/** Each side's median and the median (and range) of the round-by-round ratios. */
export function pairedComparison(ours: readonly number[], baseline: readonly number[]): Comparison {
  const sorted = ours
    .map((value, i) => value / baseline[i])
    .filter((ratio) => Number.isFinite(ratio))
    .sort((x, y) => x - y);
  const sides = { ours: median(ours), baseline: median(baseline) };
  if (sorted.length === 0) return { ...sides, ratio: sides.ours / sides.baseline };
  return { ...sides, ratio: median(sorted), spread: [sorted[0], sorted[sorted.length - 1]] };
}

/** Operations per second for `n` sequential runs of `op`. */
export async function sequentialRate(n: number, op: () => Promise<void>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await op();
  return n / ((performance.now() - start) / 1000);
}

/** Mean milliseconds per run over `n` sequential runs of `op`. */
export async function sequentialMs(n: number, op: () => Promise<void>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await op();
  return (performance.now() - start) / n;
}

/** Operations per second for `n` sequential runs of a blocking `op`. */
export function blockingRate(n: number, op: () => void): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) op();
  return n / ((performance.now() - start) / 1000);
}

/** Operations per second for `n` runs of `op` with `inFlight` running at any time. */
export async function concurrentRate(n: number, inFlight: number, op: () => Promise<void>): Promise<number> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < n) {
      started++;
      await op();
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
  return n / ((performance.now() - start) / 1000);
}

/** MB/s (10^6 bytes per second) for moving `bytes` in `ms`. */
export const megabytesPerSecond = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/**
 * Runs `ours` and `baseline` in alternation, ROUNDS times each with `n` operations, after a short
 * unmeasured warm-up of each (n/10: JIT, connection caches); see Comparison for what it returns.
 */
export async function compare(
  n: number,
  ours: (n: number) => Promise<number>,
  baseline: (n: number) => Promise<number>,
): Promise<Comparison> {
  const warmup = Math.max(1, Math.ceil(n / 10));
  await ours(warmup);
  await baseline(warmup);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Swap the order every round so neither side always runs on a warmer machine.
    if (i % 2 === 0) {
      a.push(await ours(n));
      b.push(await baseline(n));
    } else {
      b.push(await baseline(n));
      a.push(await ours(n));
    }
  }
  return pairedComparison(a, b);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A benchmark section: one comparison (gsocketclient against the plain Node way of doing the same
 * thing), measured in the same run. Sections that need something missing (a daemon, a library
 * feature) return `skip` with the reason, which the table prints.
 */
export interface BenchRow {
  /** What was measured, e.g. `connect, sequential (2000)`. */
  readonly metric: string;
  readonly unit: string;
  readonly ours: number;
  readonly baseline: number;
  /** The baseline's name, e.g. `net.connect`. */
  readonly baselineName: string;
  /** The median of the round-by-round ratios (measure.ts Comparison); else ours ÷ baseline. */
  readonly ratio?: number;
  /** The lowest and highest round ratio. */
  readonly spread?: readonly [number, number];
  /** A time or a size rather than a rate: the ratio is still ours ÷ baseline, but lower is better. */
  readonly lowerIsBetter?: boolean;
}

export type SectionOutcome =
  | { readonly kind: 'rows'; readonly rows: readonly BenchRow[]; readonly notes?: readonly string[] }
  | { readonly kind: 'skip'; readonly reason: string };

export interface BenchContext {
  /** Multiplies iteration counts and sizes (BENCH_SCALE, default 1) for quick or longer runs. */
  readonly scale: number;
  /** Progress messages, printed on stderr. */
  log(message: string): void;
}

export interface BenchSection {
  readonly name: string;
  run(ctx: BenchContext): Promise<SectionOutcome>;
}

export const rows = (list: readonly BenchRow[], notes: readonly string[] = []): SectionOutcome => ({
  kind: 'rows',
  rows: list,
  notes,
});
export const skip = (reason: string): SectionOutcome => ({ kind: 'skip', reason });

import type { BenchRow } from './section.js';

export interface SectionResult {
  readonly name: string;
  readonly rows: readonly BenchRow[];
  readonly skipped: string | null;
  /** Parts of the section that could not run, with the reason. */
  readonly notes?: readonly string[];
}

/**
 * One table for the whole run. `ratio` = gsocketclient ÷ baseline (the median of the rounds'
 * ratios, see measure.ts): for rates and throughput, 1.00 means as fast as plain Node, 0.50 half
 * as fast; rows marked ↓ (times, sizes) are better below 1.00. `rounds` is the lowest and
 * highest round ratio.
 */
export function formatTable(results: readonly SectionResult[]): string {
  const header = ['section', 'metric', 'gsocketclient', 'baseline', 'baseline is', 'ratio', 'rounds'];
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const result of results) {
    for (const note of result.notes ?? []) notes.push(`${result.name}: ${note}`);
    if (result.skipped !== null) {
      notes.push(`${result.name}: skipped — ${result.skipped}`);
      continue;
    }
    for (const row of result.rows) {
      lines.push([
        result.name,
        row.metric,
        `${format(row.ours)} ${row.unit}`,
        `${format(row.baseline)} ${row.unit}`,
        row.baselineName,
        `${(row.ratio ?? row.ours / row.baseline).toFixed(2)}${row.lowerIsBetter === true ? ' ↓' : ''}`,
        row.spread === undefined ? '' : `${row.spread[0].toFixed(2)}–${row.spread[1].toFixed(2)}`,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]): string =>
    cells.map((c, i) => (i >= 2 && i !== 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const out = [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)];
  if (results.some((r) => r.rows.some((row) => row.lowerIsBetter === true))) {
    out.push('', '↓: a time or a size, so lower is better (1.00 = same as the baseline)');
  }
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toString();
  return value.toFixed(1);
}

// `npm run bench`: gsocketclient against plain Node on loopback, one table of ratios.
// See docs/benchmarks.md. Numbers are informative only; no test asserts on them.
import { performance } from 'node:perf_hooks';
import { toGError } from '../src/errors/errno.js';
import { ROUNDS } from './measure.js';
import type { BenchContext, BenchSection } from './section.js';
import { formatTable, type SectionResult } from './table.js';
import { connectSection } from './sections/connect.js';
import { eyeballsSection } from './sections/eyeballs.js';
import { memorySection } from './sections/memory.js';
import { refusedSection } from './sections/refused.js';
import { fetchSection } from './sections/fetch.js';
import { proxySection } from './sections/proxy.js';
import { proxyLookupSection } from './sections/proxy-lookup.js';
import { syncSection } from './sections/sync.js';
import { throughputSection } from './sections/throughput.js';
import { tlsSection } from './sections/tls.js';

/** Every section, in order. Add new ones here. */
const SECTIONS: readonly BenchSection[] = [
  connectSection,
  eyeballsSection,
  refusedSection,
  memorySection,
  throughputSection,
  proxySection,
  proxyLookupSection,
  tlsSection,
  syncSection,
  fetchSection,
];

async function main(): Promise<void> {
  // Proxy variables from the shell must not route the benches anywhere: sections that measure
  // proxies start their own on loopback and configure them explicitly.
  for (const name of Object.keys(process.env)) if (/_proxy$/i.test(name)) delete process.env[name];

  const scale = Number(process.env.BENCH_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) throw new Error('BENCH_SCALE must be a positive number');
  const only = process.argv.slice(2);
  const ctx: BenchContext = { scale, log: (message) => process.stderr.write(`  … ${message}\n`) };

  const results: SectionResult[] = [];
  const start = performance.now();
  for (const section of SECTIONS) {
    if (only.length > 0 && !only.includes(section.name)) continue;
    process.stderr.write(`[${section.name}]\n`);
    try {
      const outcome = await section.run(ctx);
      results.push(
        outcome.kind === 'skip'
          ? { name: section.name, rows: [], skipped: outcome.reason }
          : { name: section.name, rows: outcome.rows, skipped: null, notes: outcome.notes ?? [] },
      );
    } catch (err) {
      const error = toGError(err);
      results.push({ name: section.name, rows: [], skipped: `failed: ${error.codeName}: ${error.message}` });
    }
  }
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  process.stdout.write(
    `\ngsocketclient benchmarks (node ${process.version}, ${process.platform}/${process.arch}, ` +
      `scale ${scale}, ${seconds} s)\nratio = gsocketclient ÷ baseline, the median of ${ROUNDS} alternating rounds' ratios ` +
      `(higher is better; 1.00 = same speed); rounds = the lowest and highest round ratio\n\n` +
      `${formatTable(results)}\n`,
  );
}

await main();

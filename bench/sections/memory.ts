import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROUNDS, pairedComparison } from '../measure.js';
import { rows, type BenchSection } from '../section.js';
import { startBenchServer } from '../servers.js';

const CONNECTIONS = 1000;
/** A child that has not answered by then is killed (by its PID, through execFile's timeout). */
const CHILD_TIMEOUT_MS = 60_000;

const CHILD = fileURLToPath(new URL('../rss-child.js', import.meta.url));

/** What one child measured, in bytes per idle connection (bench/rss-child.ts). */
interface ChildResult {
  /** Resident growth after a short warm-up (one-time costs included). */
  readonly bytesPerConnection: number;
  /** Resident growth once as many connections as are measured have been made before. */
  readonly steadyBytesPerConnection: number;
  /** V8 heap in use after a full GC, in the steady measurement. */
  readonly heapPerConnection: number;
}

/** Memory per idle connection, measured in a fresh child process. */
function measureChild(mode: 'ours' | 'net', port: number, count: number): Promise<ChildResult> {
  return new Promise<ChildResult>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', CHILD, mode, String(port), String(count)],
      { timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (err, stdout) => {
        if (err) {
          reject(new Error(`${mode} child failed: ${err.message}`));
          return;
        }
        resolve(JSON.parse(stdout) as ChildResult);
      },
    );
  });
}

/**
 * Resident memory per idle connection: a child process opens N connections with a default
 * SocketClient and keeps them; another does the same with net.connect. Each child reports
 * (RSS after − RSS before) ÷ N after a short warm-up and a full GC, then the same again once it
 * has made as many connections as it measures (one-time costs paid: code optimised, V8's young
 * generation sized), and the V8 heap in use per connection then. The table shows the medians of
 * alternating runs, and the median of the pairs' ratios.
 */
export const memorySection: BenchSection = {
  name: 'memory',
  async run(ctx) {
    const server = await startBenchServer();
    try {
      const n = Math.max(100, Math.round(CONNECTIONS * ctx.scale));
      const ours: ChildResult[] = [];
      const base: ChildResult[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        ctx.log(`memory: round ${i + 1}, ${n} idle connections per side`);
        if (i % 2 === 0) {
          ours.push(await measureChild('ours', server.port, n));
          base.push(await measureChild('net', server.port, n));
        } else {
          base.push(await measureChild('net', server.port, n));
          ours.push(await measureChild('ours', server.port, n));
        }
      }
      const kib = (bytes: number): number => (bytes * 1000) / 1024;
      const pick = (list: readonly ChildResult[], key: keyof ChildResult): number[] =>
        list.map((r) => kib(r[key]));
      const cold = pairedComparison(pick(ours, 'bytesPerConnection'), pick(base, 'bytesPerConnection'));
      const steady = pairedComparison(
        pick(ours, 'steadyBytesPerConnection'),
        pick(base, 'steadyBytesPerConnection'),
      );
      const heap = pairedComparison(
        ours.map((r) => r.heapPerConnection),
        base.map((r) => r.heapPerConnection),
      );
      return rows(
        [
          {
            metric: `RSS per 1000 idle connections (${n} held, 50 made before)`,
            unit: 'KiB',
            ...cold,
            baselineName: 'net.connect',
            lowerIsBetter: true,
          },
          {
            metric: `RSS per 1000 idle connections (${n} held, ${n + 50} made before)`,
            unit: 'KiB',
            ...steady,
            baselineName: 'net.connect',
            lowerIsBetter: true,
          },
        ],
        [
          `V8 heap in use per idle connection, after a full GC: ${Math.round(heap.ours)} B ` +
            `(net.connect ${Math.round(heap.baseline)} B)`,
        ],
      );
    } finally {
      await server.close();
    }
  },
};

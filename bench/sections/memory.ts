import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROUNDS, pairedComparison } from '../measure.js';
import { rows, type BenchSection } from '../section.js';
import { startBenchServer } from '../servers.js';

const CONNECTIONS = 1000;
/** A child that has not answered by then is killed (by its PID, through execFile's timeout). */
const CHILD_TIMEOUT_MS = 60_000;

const CHILD = fileURLToPath(new URL('../rss-child.js', import.meta.url));

/** Bytes of resident memory per idle connection, measured in a fresh child process. */
function measureChild(mode: 'ours' | 'net', port: number, count: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', CHILD, mode, String(port), String(count)],
      { timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (err, stdout) => {
        if (err) {
          reject(new Error(`${mode} child failed: ${err.message}`));
          return;
        }
        const parsed = JSON.parse(stdout) as { bytesPerConnection: number };
        resolve(parsed.bytesPerConnection);
      },
    );
  });
}

/**
 * Resident memory per idle connection: a child process opens N connections with a default
 * SocketClient and keeps them; another does the same with net.connect. Each child reports
 * (RSS after − RSS before) ÷ N after a warm-up and a full GC; the table shows the medians of
 * alternating runs, and the median of the pairs' ratios.
 */
export const memorySection: BenchSection = {
  name: 'memory',
  async run(ctx) {
    const server = await startBenchServer();
    try {
      const n = Math.max(100, Math.round(CONNECTIONS * ctx.scale));
      const ours: number[] = [];
      const base: number[] = [];
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
      const result = pairedComparison(ours.map(kib), base.map(kib));
      return rows([
        {
          metric: `RSS per 1000 idle connections (${n} held)`,
          unit: 'KiB',
          ...result,
          baselineName: 'net.connect',
          lowerIsBetter: true,
        },
      ]);
    } finally {
      await server.close();
    }
  },
};

import { connect, type Socket } from 'node:net';
import { SocketClient } from '../../src/index.js';
import { fixedLookup } from '../lookups.js';
import { compare, sequentialMs, sequentialRate } from '../measure.js';
import { rows, type BenchSection } from '../section.js';
import { destroyAndWait, startBenchServer } from '../servers.js';

const SEQUENTIAL = 1000;
const FALLBACK = 300;

/** net.connect with Node's Happy Eyeballs (autoSelectFamily), resolved once connected. */
function autoSelect(port: number, lookup?: ReturnType<typeof fixedLookup>): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({
      host: 'localhost',
      port,
      autoSelectFamily: true,
      ...(lookup ? { lookup } : {}),
    });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Connecting by name on loopback, against net.connect({ autoSelectFamily: true }):
 * - `localhost` to a peer on both families (each side takes its first address);
 * - `localhost` to a peer on 127.0.0.1 only, with both sides trying ::1 first: ::1 refuses and
 *   the fallback to 127.0.0.1 is the measured cost (time to connected, per connect).
 */
export const eyeballsSection: BenchSection = {
  name: 'eyeballs',
  async run(ctx) {
    const client = new SocketClient();
    const ours = (port: number) => async (): Promise<void> => {
      const connection = await client.connectToHost(`localhost:${port}`, 0);
      await connection.close();
    };

    const both = await startBenchServer({ host: '::' });
    let named: { ours: number; baseline: number };
    try {
      const n = Math.max(10, Math.round(SEQUENTIAL * ctx.scale));
      ctx.log(`eyeballs: ${n} sequential to localhost`);
      named = await compare(
        n,
        (k) => sequentialRate(k, ours(both.port)),
        (k) => sequentialRate(k, async () => destroyAndWait(await autoSelect(both.port))),
      );
    } finally {
      await both.close();
    }

    const v4only = await startBenchServer({ host: '127.0.0.1' });
    const n = Math.max(10, Math.round(FALLBACK * ctx.scale));
    try {
      ctx.log(`eyeballs: ${n} sequential to localhost, ::1 refused`);
      const v6First = fixedLookup(['::1', '127.0.0.1']);
      const fallback = await compare(
        n,
        (k) => sequentialMs(k, ours(v4only.port)),
        (k) => sequentialMs(k, async () => destroyAndWait(await autoSelect(v4only.port, v6First))),
      );
      return rows([
        {
          metric: `localhost (${Math.max(10, Math.round(SEQUENTIAL * ctx.scale))})`,
          unit: 'conn/s',
          ...named,
          baselineName: 'net autoSelectFamily',
        },
        {
          metric: `::1 refused → 127.0.0.1, time to connected (${n})`,
          unit: 'ms',
          ...fallback,
          baselineName: 'net autoSelectFamily',
          lowerIsBetter: true,
        },
      ]);
    } finally {
      await v4only.close();
    }
  },
};

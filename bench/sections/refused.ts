import { connect } from 'node:net';
import { PinnedResolver, SocketClient } from '../../src/index.js';
import { fixedLookup, loopbackAddresses } from '../lookups.js';
import { compare, sequentialMs } from '../measure.js';
import { rows, type BenchRow, type BenchSection } from '../section.js';
import { closedPort } from '../servers.js';

/** Address counts, and how many failed connects each is measured over (per round). */
const CASES: readonly { readonly addresses: number; readonly runs: number }[] = [
  { addresses: 16, runs: 40 },
  { addresses: 64, runs: 12 },
  { addresses: 256, runs: 4 },
];

/**
 * A name with N IPv4 loopback addresses, every one refused: the time until the connect fails,
 * against net.connect({ autoSelectFamily: true }) trying the same list (a fixed lookup on Node's
 * side, a PinnedResolver on ours; no query either way). Three sizes, to show how it grows: with
 * linear work the time per address stays flat.
 */
export const refusedSection: BenchSection = {
  name: 'refused',
  async run(ctx) {
    const port = await closedPort();
    const results: BenchRow[] = [];
    const notes: string[] = [];
    for (const c of CASES) {
      const addresses = loopbackAddresses(c.addresses);
      const client = new SocketClient({ resolver: new PinnedResolver({ 'many.test': addresses }) });
      const ours = async (): Promise<void> => {
        const failed = await client.connectToHost(`many.test:${port}`, 0).then(
          (connection) => connection.close().then(() => false),
          () => true,
        );
        if (!failed) throw new Error(`a connect to the closed port ${port} succeeded`);
      };
      const lookup = fixedLookup(addresses);
      const node = (): Promise<void> =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({ host: 'many.test', port, autoSelectFamily: true, lookup });
          socket.once('connect', () => {
            socket.destroy();
            reject(new Error(`a connect to the closed port ${port} succeeded`));
          });
          socket.once('error', () => resolve());
        });
      const n = Math.max(2, Math.round(c.runs * ctx.scale));
      ctx.log(`refused: ${c.addresses} addresses, ${n} runs`);
      const result = await compare(
        n,
        (k) => sequentialMs(k, ours),
        (k) => sequentialMs(k, node),
      );
      results.push({
        metric: `${c.addresses} addresses refused, time to the error (${n})`,
        unit: 'ms',
        ...result,
        baselineName: 'net autoSelectFamily',
        lowerIsBetter: true,
      });
      notes.push(
        `${c.addresses} addresses: ${((result.ours * 1000) / c.addresses).toFixed(0)} µs per address ` +
          `(baseline ${((result.baseline * 1000) / c.addresses).toFixed(0)} µs)`,
      );
    }
    return rows(results, notes);
  },
};

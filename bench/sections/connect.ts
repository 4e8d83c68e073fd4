import { SocketClient } from '../../src/index.js';
import { compare, concurrentRate, sequentialRate } from '../measure.js';
import { rows, type BenchSection } from '../section.js';
import { destroyAndWait, rawConnect, startBenchServer } from '../servers.js';

const SEQUENTIAL = 2000;
const IN_FLIGHT = 100;

/**
 * Connection setup on loopback: SocketClient.connectToHost('127.0.0.1:P') (parse, events, the
 * attempt engine, a default client with proxy lookup) against a bare net.connect; both close
 * the connection and wait for it to be closed.
 */
export const connectSection: BenchSection = {
  name: 'connect',
  async run(ctx) {
    const server = await startBenchServer();
    try {
      const client = new SocketClient();
      const target = `127.0.0.1:${server.port}`;
      const ours = async (): Promise<void> => {
        const connection = await client.connectToHost(target, 0);
        await connection.close();
      };
      const raw = async (): Promise<void> => destroyAndWait(await rawConnect(server.port));
      const n = Math.max(10, Math.round(SEQUENTIAL * ctx.scale));

      ctx.log(`connect: ${n} sequential`);
      const seq = await compare(
        n,
        (k) => sequentialRate(k, ours),
        (k) => sequentialRate(k, raw),
      );
      ctx.log(`connect: ${n} with ${IN_FLIGHT} in flight`);
      const par = await compare(
        n,
        (k) => concurrentRate(k, IN_FLIGHT, ours),
        (k) => concurrentRate(k, IN_FLIGHT, raw),
      );
      return rows([
        { metric: `sequential (${n})`, unit: 'conn/s', ...seq, baselineName: 'net.connect' },
        { metric: `${IN_FLIGHT} in flight (${n})`, unit: 'conn/s', ...par, baselineName: 'net.connect' },
      ]);
    } finally {
      await server.close();
    }
  },
};

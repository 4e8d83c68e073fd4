import { once } from 'node:events';
import { SocketClient } from '../../src/index.js';
import { blockingRate, compare, sequentialRate } from '../measure.js';
import { rows, type BenchSection } from '../section.js';
import { ECHO_COMMAND, startBenchServerOnThread, startEcho } from '../servers.js';

const CONNECTS = 1000;
const ROUND_TRIPS = 5000;
const ONE_BYTE = Buffer.from('x');

/**
 * The blocking API against the Promise API of the same library: connect + close, and a 1-byte
 * round trip on an open connection. Each blocking call is a request to the engine thread and back,
 * so this is the price of blocking, not of the network.
 */
export const syncSection: BenchSection = {
  name: 'sync',
  async run(ctx) {
    const server = await startBenchServerOnThread();
    try {
      const client = new SocketClient();
      const target = `127.0.0.1:${server.port}`;
      const n = Math.max(10, Math.round(CONNECTS * ctx.scale));
      ctx.log(`sync: ${n} sequential connects`);
      const connects = await compare(
        n,
        async (k) =>
          blockingRate(k, () => {
            client.connectToHostSync(target, 0).close();
          }),
        (k) =>
          sequentialRate(k, async () => {
            const connection = await client.connectToHost(target, 0);
            await connection.close();
          }),
      );

      const m = Math.max(10, Math.round(ROUND_TRIPS * ctx.scale));
      ctx.log(`sync: ${m} one-byte round trips`);
      const blocking = client.connectToHostSync(target, 0);
      const connection = await client.connectToHost(target, 0);
      try {
        blocking.write(ECHO_COMMAND);
        startEcho(connection.stream);
        const stream = connection.stream;
        const roundTrips = await compare(
          m,
          async (k) =>
            blockingRate(k, () => {
              blocking.write(ONE_BYTE);
              if (blocking.read(1).length !== 1) throw new Error('echo ended');
            }),
          (k) =>
            sequentialRate(k, async () => {
              const reply = once(stream, 'data');
              stream.write(ONE_BYTE);
              await reply;
            }),
        );
        return rows([
          { metric: `connect + close (${n})`, unit: 'conn/s', ...connects, baselineName: 'async API' },
          { metric: `1-byte round trip (${m})`, unit: 'op/s', ...roundTrips, baselineName: 'async API' },
        ]);
      } finally {
        blocking.close();
        await connection.close();
      }
    } finally {
      await server.close();
    }
  },
};

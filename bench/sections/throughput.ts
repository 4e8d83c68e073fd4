import type { Duplex } from 'node:stream';
import { SocketClient } from '../../src/index.js';
import { compare, megabytesPerSecond } from '../measure.js';
import { rows, type BenchSection } from '../section.js';
import { destroyAndWait, download, rawConnect, startBenchServer, upload } from '../servers.js';

const BYTES = 256 * 1024 * 1024;

type Transfer = (stream: Duplex, bytes: number) => Promise<number>;

/**
 * Bulk transfer on loopback through `connection.stream` (which is the net.Socket itself, so the
 * ratio should be ~1.00) against a raw net.connect socket, in both directions. Each measurement
 * uses a fresh connection; connection setup is not timed.
 */
export const throughputSection: BenchSection = {
  name: 'throughput',
  async run(ctx) {
    const server = await startBenchServer();
    try {
      const client = new SocketClient();
      const bytes = Math.max(1024 * 1024, Math.round(BYTES * ctx.scale));
      const mib = Math.round(bytes / (1024 * 1024));
      // Each side takes the byte count (compare() warms up with a tenth of it).
      const ours =
        (transfer: Transfer) =>
        async (n: number): Promise<number> => {
          const connection = await client.connectToHost(`127.0.0.1:${server.port}`, 0);
          try {
            return megabytesPerSecond(n, await transfer(connection.stream, n));
          } finally {
            await connection.close();
          }
        };
      const raw =
        (transfer: Transfer) =>
        async (n: number): Promise<number> => {
          const socket = await rawConnect(server.port);
          try {
            return megabytesPerSecond(n, await transfer(socket, n));
          } finally {
            await destroyAndWait(socket);
          }
        };
      ctx.log(`throughput: ${mib} MiB upload`);
      const up = await compare(bytes, ours(upload), raw(upload));
      ctx.log(`throughput: ${mib} MiB download`);
      const down = await compare(bytes, ours(download), raw(download));
      return rows([
        { metric: `upload ${mib} MiB`, unit: 'MB/s', ...up, baselineName: 'net.Socket' },
        { metric: `download ${mib} MiB`, unit: 'MB/s', ...down, baselineName: 'net.Socket' },
      ]);
    } finally {
      await server.close();
    }
  },
};

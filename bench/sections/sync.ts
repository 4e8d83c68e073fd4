import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { SocketClient } from '../../src/index.js';
import { blockingRate, compare, megabytesPerSecond, sequentialRate } from '../measure.js';
import { rows, type BenchSection } from '../section.js';
import {
  ECHO_COMMAND,
  destroyAndWait,
  download,
  rawConnect,
  startBenchServerOnThread,
  startEcho,
  upload,
} from '../servers.js';

const CONNECTS = 1000;
const ROUND_TRIPS = 5000;
const BULK_BYTES = 64 * 1024 * 1024;
const ONE_BYTE = Buffer.from('x');
/** The bench peer's upload command ('U' and a 64-bit size, bench/servers.ts). */
const UPLOAD = 0x55;
/** The bench peer's download command ('D' and a 64-bit size: it sends that many bytes). */
const DOWNLOAD = 0x44;
/** What each blocking read asks for: a large buffer, as a bulk reader would pass. */
const READ_BYTES = 1024 * 1024;

function command(code: number, size: number): Buffer {
  const header = Buffer.alloc(9);
  header[0] = code;
  header.writeBigUInt64BE(BigInt(size), 1);
  return header;
}

/**
 * The blocking API against the Promise API of the same library (connect + close, a 1-byte round
 * trip on an open connection) and against a plain net.Socket (a bulk writeAll; a bulk download
 * read with read(1 MiB)). Each blocking call is a request to the engine thread and back (a read
 * that finds data in the connection's read ring is none), so this is the price of blocking, not
 * of the network.
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

      /** The baseline of the bulk rows: `k` bytes moved on a fresh net.Socket, in MB/s. */
      const overNetSocket = async (
        move: (socket: Duplex, k: number) => Promise<number>,
        k: number,
      ): Promise<number> => {
        const socket = await rawConnect(server.port);
        try {
          return megabytesPerSecond(k, await move(socket, k));
        } finally {
          await destroyAndWait(socket);
        }
      };
      const bytes = Math.max(1024 * 1024, Math.round(BULK_BYTES * ctx.scale));
      const mib = Math.round(bytes / (1024 * 1024));
      ctx.log(`sync: ${mib} MiB writeAll`);
      const payload = Buffer.alloc(bytes, 0x61);
      const bulk = await compare(
        bytes,
        async (k) => {
          // A fresh connection each time; only the transfer is timed, as in the baseline.
          const connection = client.connectToHostSync(target, 0);
          try {
            const start = performance.now();
            connection.writeAll(command(UPLOAD, k));
            connection.writeAll(payload.subarray(0, k));
            if (connection.read(1).length !== 1) throw new Error('upload not acknowledged');
            return megabytesPerSecond(k, performance.now() - start);
          } finally {
            connection.close();
          }
        },
        (k) => overNetSocket(upload, k),
      );

      ctx.log(`sync: ${mib} MiB bulk read`);
      const bulkRead = await compare(
        bytes,
        async (k) => {
          const connection = client.connectToHostSync(target, 0);
          try {
            const start = performance.now();
            connection.writeAll(command(DOWNLOAD, k));
            let received = 0;
            // Bounded by the peer's k bytes: every read returns at least one byte until the end.
            while (received < k) {
              const part = connection.read(READ_BYTES);
              if (part.length === 0) throw new Error('download ended early');
              received += part.length;
            }
            return megabytesPerSecond(k, performance.now() - start);
          } finally {
            connection.close();
          }
        },
        (k) => overNetSocket(download, k),
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
          {
            metric: `blocking connect + close (${n})`,
            unit: 'conn/s',
            ...connects,
            baselineName: 'async API',
          },
          {
            metric: `blocking bulk writeAll ${mib} MiB`,
            unit: 'MB/s',
            ...bulk,
            baselineName: 'net.Socket',
          },
          {
            metric: `blocking bulk read ${mib} MiB`,
            unit: 'MB/s',
            ...bulkRead,
            baselineName: 'net.Socket',
          },
          { metric: `blocking 1-byte RTT (${m})`, unit: 'op/s', ...roundTrips, baselineName: 'async API' },
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

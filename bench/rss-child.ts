// One side of the `memory` bench, in a process of its own: opens `count` connections to the
// bench peer at 127.0.0.1:port, keeps them idle, and prints how much the resident set grew per
// connection, twice: after a short warm-up, then after a warm-up as long as the measurement.
// Run by bench/sections/memory.ts as `node --expose-gc rss-child.js <ours|net> <port> <count>`.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SocketClient, type SocketConnection } from '../src/index.js';

const [mode, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const WARMUP = 50;
const BATCH = 50;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with --expose-gc');
  collect();
  collect();
}

function netConnect(): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

const client = new SocketClient();
const open = async (): Promise<() => void> => {
  if (mode === 'net') {
    const socket = await netConnect();
    return () => socket.destroy();
  }
  const connection: SocketConnection = await client.connectToHost(`127.0.0.1:${port}`, 0);
  return () => connection.destroy();
};

async function openMany(n: number): Promise<(() => void)[]> {
  const closers: (() => void)[] = [];
  while (closers.length < n) {
    const batch = Math.min(BATCH, n - closers.length);
    closers.push(...(await Promise.all(Array.from({ length: batch }, open))));
  }
  return closers;
}

/** Opens `count` connections, keeps them idle, and measures what the process grew by, per connection. */
async function measureHeld(): Promise<{ rss: number; heap: number; close: () => void }> {
  await sleep(50);
  gc();
  const before = process.memoryUsage();
  const held = await openMany(count);
  await sleep(50);
  gc();
  const after = process.memoryUsage();
  return {
    rss: (after.rss - before.rss) / count,
    heap: (after.heapUsed - before.heapUsed) / count,
    close: () => {
      for (const close of held) close();
    },
  };
}

// Warm-up: lazily created state (the default resolvers, JIT code) is not per connection.
for (const close of await openMany(WARMUP)) close();
// First with only that short warm-up: what 1000 connections cost a process that has barely
// connected before, one-time costs included (code optimised while they open, V8 sizing its
// young generation to the allocation rate).
const cold = await measureHeld();
cold.close();
// Then again in the same process, now warmed by as many connections as are measured: what each
// held connection costs once those one-time costs are paid.
const steady = await measureHeld();
process.stdout.write(
  `${JSON.stringify({ bytesPerConnection: cold.rss, steadyBytesPerConnection: steady.rss, heapPerConnection: steady.heap })}\n`,
);
steady.close();
process.exit(0);

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';
import { SocketClient } from '../../src/index.js';
import { UndiciAgent } from '../../src/adapters/undici.js';
import { compare, concurrentRate, sequentialRate } from '../measure.js';
import { rows, type BenchRow, type BenchSection } from '../section.js';

const SEQUENTIAL = 1000;
const IN_FLIGHT = 20;

/** A loopback HTTP server; `/close` answers with `Connection: close`, so every request is a new connection. */
async function startHttpServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/close') res.setHeader('connection', 'close');
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * `fetch()` through UndiciAgent (every connection made by a SocketClient) against undici's own
 * Agent, on one loopback HTTP server: fresh connections (the server closes after each response)
 * and keep-alive (connections reused, so the connect path is off the measured loop).
 */
export const fetchSection: BenchSection = {
  name: 'fetch',
  async run(ctx) {
    const { server, port } = await startHttpServer();
    const ours = new UndiciAgent({ client: new SocketClient({ enableProxy: false }) });
    const theirs = new Agent();
    const results: BenchRow[] = [];
    try {
      const get = (agent: Agent, path: string) => async (): Promise<void> => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { dispatcher: agent });
        await res.arrayBuffer();
      };
      const n = Math.max(20, Math.round(SEQUENTIAL * ctx.scale));
      for (const [label, path] of [
        ['fresh connections', '/close'],
        ['keep-alive', '/'],
      ] as const) {
        ctx.log(`fetch: ${label}, ${n} sequential`);
        const seq = await compare(
          n,
          (k) => sequentialRate(k, get(ours, path)),
          (k) => sequentialRate(k, get(theirs, path)),
        );
        results.push({
          metric: `fetch, ${label}, sequential (${n})`,
          unit: 'req/s',
          ...seq,
          baselineName: 'undici Agent',
        });
        ctx.log(`fetch: ${label}, ${n} with ${IN_FLIGHT} in flight`);
        const par = await compare(
          n,
          (k) => concurrentRate(k, IN_FLIGHT, get(ours, path)),
          (k) => concurrentRate(k, IN_FLIGHT, get(theirs, path)),
        );
        results.push({
          metric: `fetch, ${label}, ${IN_FLIGHT} in flight (${n})`,
          unit: 'req/s',
          ...par,
          baselineName: 'undici Agent',
        });
      }
    } finally {
      await ours.close();
      await theirs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    return rows(results);
  },
};

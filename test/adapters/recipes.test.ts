// The README's recipes for database clients, run against real servers on loopback: PostgreSQL with
// `pg` (Client and Pool, through deferredSocket / connectedSocket) and Redis with `ioredis` (its
// Connector option), each directly and through a SOCKS5 proxy (microsocks).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import pg from 'pg';
import { AbstractConnector, Redis } from 'ioredis';
import { SimpleProxyResolver, SocketClient } from '../../src/index.js';
import { connectedSocket, deferredSocket } from '../../src/adapters/socket.js';
import { hasDaemon, startMicrosocks, daemonPath, type Daemon } from '../helpers/daemons.js';
import { postgresBinDir, startPostgres, startRedis } from '../helpers/databases.js';
import { requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { DIRECT } from '../helpers/resolvers.js';

/** The README's ioredis recipe: a Connector whose connections a SocketClient makes. */
function gsocketclientConnector(client: SocketClient, target: string) {
  return class extends AbstractConnector {
    constructor(options: unknown) {
      super((options as { disconnectTimeout?: number }).disconnectTimeout ?? 2000);
    }
    async connect(): Promise<Socket> {
      this.connecting = true;
      const connection = await client.connectToHost(target, 6379);
      this.stream = connectedSocket(connection);
      return this.stream;
    }
  };
}

async function withSocks<T>(run: (proxy: Daemon | null) => Promise<T>, viaSocks: boolean): Promise<T> {
  const proxy = viaSocks ? await startMicrosocks() : null;
  try {
    return await run(proxy);
  } finally {
    await proxy?.stop();
  }
}

function clientFor(proxy: Daemon | null): SocketClient {
  return new SocketClient({
    proxyResolver: proxy ? new SimpleProxyResolver(`socks5://127.0.0.1:${proxy.port}`) : DIRECT,
  });
}

describe('recipes: database clients over gsocketclient', { timeout: 120_000 }, () => {
  for (const viaSocks of [false, true]) {
    const how = viaSocks ? 'through SOCKS5 (microsocks)' : 'directly';

    it(`pg: Client and Pool with deferredSocket, Client with connectedSocket — ${how}`, async (t) => {
      if (!requireOrSkip(t, postgresBinDir() !== null, 'PostgreSQL is not installed')) return;
      if (viaSocks && !requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
      const server = await startPostgres();
      try {
        await withSocks(async (proxy) => {
          const client = clientFor(proxy);
          const events = recordEvents(client);
          const config = { host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' };

          const single = new pg.Client({ ...config, stream: () => deferredSocket(client) });
          await single.connect();
          assert.equal((await single.query<{ n: number }>('SELECT 1 + 1 AS n')).rows[0].n, 2);
          await single.end();

          const pool = new pg.Pool({ ...config, max: 3, stream: () => deferredSocket(client) });
          const results = await Promise.all(
            [1, 2, 3, 4, 5].map(
              async (i) => (await pool.query<{ n: number }>('SELECT $1::int AS n', [i])).rows[0].n,
            ),
          );
          assert.deepEqual(results, [1, 2, 3, 4, 5]);
          await pool.end();

          const conn = await client.connectToHost(`127.0.0.1:${server.port}`, 5432);
          const reused = new pg.Client({ ...config, stream: () => connectedSocket(conn) });
          await reused.connect();
          assert.equal(
            (await reused.query<{ v: string }>('SELECT version() AS v')).rows[0].v.slice(0, 10),
            'PostgreSQL',
          );
          await reused.end();

          const proxied = names(events).filter((e) => e === 'PROXY_NEGOTIATED').length;
          assert.equal(proxied > 0, viaSocks, names(events).join(' '));
        }, viaSocks);
      } finally {
        await server.stop();
      }
    });

    it(`ioredis with a Connector over a SocketClient — ${how}`, async (t) => {
      if (!requireOrSkip(t, daemonPath('redis-server') !== null, 'redis-server is not installed')) return;
      if (viaSocks && !requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
      const server = await startRedis();
      try {
        await withSocks(async (proxy) => {
          const client = clientFor(proxy);
          const events = recordEvents(client);
          const redis = new Redis({
            Connector: gsocketclientConnector(client, `127.0.0.1:${server.port}`),
            lazyConnect: true,
            maxRetriesPerRequest: 0,
          });
          try {
            await redis.connect();
            await redis.set('greeting', 'hello through gsocketclient');
            assert.equal(await redis.get('greeting'), 'hello through gsocketclient');
          } finally {
            await redis.quit();
          }
          assert.equal(names(events).includes('PROXY_NEGOTIATED'), viaSocks, names(events).join(' '));
        }, viaSocks);
      } finally {
        await server.stop();
      }
    });
  }

  it('deferredSocket: a refused connect destroys it with a ConnectError (ECONNREFUSED)', async () => {
    const socket = deferredSocket(new SocketClient({ proxyResolver: DIRECT }));
    const failed = new Promise<Error>((resolve) => socket.once('error', resolve));
    socket.connect(1, '127.0.0.1');
    const err = await failed;
    assert.equal((err as Error & { code: string }).code, 'ECONNREFUSED');
  });
});

// What the blocking connect no longer sends across threads: events nobody listens to, and proxy
// lookups that a built-in resolver can answer on the engine thread (docs/sync.md). Counted with the
// worker's own tally of the messages it posted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EnvironmentProxyResolver,
  IOErrorEnum,
  ProxyResolver,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  SystemProxyResolver,
  type GError,
} from '../../src/index.js';
import { recipeOf } from '../../src/proxy/proxy-recipe.js';
import { syncEngineStats } from '../../src/sync/channel.js';
import { unusedPort } from '../helpers/servers.js';
import { startPeer } from './peer.js';

const direct = new SimpleProxyResolver();

/** Messages of `kind` the engine posted while `body` ran. */
function postedDuring(kind: string, body: () => void): number {
  const before = syncEngineStats().posted[kind] ?? 0;
  body();
  return (syncEngineStats().posted[kind] ?? 0) - before;
}

function syncError(body: () => void): GError {
  try {
    body();
  } catch (err) {
    return err as GError;
  }
  assert.fail('no error');
}

describe('blocking connect: events are posted only to a caller that listens', () => {
  it('no listener: no event message; one listener: the five events of the async API', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const client = new SocketClient({ proxyResolver: direct });
      const target = `127.0.0.1:${peer.port}`;
      assert.equal(
        postedDuring('event', () => client.connectToHostSync(target, 0).close()),
        0,
      );
      const seen: SocketClientEvent[] = [];
      client.on('event', (event) => seen.push(event));
      assert.equal(
        postedDuring('event', () => client.connectToHostSync(target, 0).close()),
        5,
      );
      assert.deepEqual(seen, [
        SocketClientEvent.RESOLVING,
        SocketClientEvent.RESOLVED,
        SocketClientEvent.CONNECTING,
        SocketClientEvent.CONNECTED,
        SocketClientEvent.COMPLETE,
      ]);
    } finally {
      await peer.stop();
    }
  });

  it('a listener added by another listener hears the rest of the call, as with the async API', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const target = `127.0.0.1:${peer.port}`;
      const record = (client: SocketClient): SocketClientEvent[] => {
        const late: SocketClientEvent[] = [];
        client.once('event', () => client.on('event', (event) => late.push(event)));
        return late;
      };
      const asyncClient = new SocketClient({ proxyResolver: direct });
      const asyncLate = record(asyncClient);
      await (await asyncClient.connectToHost(target, 0)).close();
      const syncClient = new SocketClient({ proxyResolver: direct });
      const syncLate = record(syncClient);
      syncClient.connectToHostSync(target, 0).close();
      assert.deepEqual(syncLate, asyncLate);
      assert.equal(syncLate[0], SocketClientEvent.RESOLVED);
    } finally {
      await peer.stop();
    }
  });

  it('with no listener when the call starts, one added during it hears the next call only', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const seen: SocketClientEvent[] = [];
      const client = new SocketClient();
      // The only caller code that can run during a call without listeners: a custom proxy
      // resolver's lookupSync (asked across threads).
      client.proxyResolver = {
        isSupported: () => true,
        lookup: async () => ['direct://'],
        lookupSync: () => {
          if (client.listenerCount('event') === 0) client.on('event', (event) => seen.push(event));
          return ['direct://'];
        },
      } as ProxyResolver & { lookupSync(uri: string): string[] };
      client.connectToHostSync(`127.0.0.1:${peer.port}`, 0).close();
      assert.deepEqual(seen, []);
      client.connectToHostSync(`127.0.0.1:${peer.port}`, 0).close();
      assert.equal(seen.length, 5);
    } finally {
      await peer.stop();
    }
  });
});

describe('blocking connect: built-in proxy resolvers decide on the engine thread', () => {
  it('an EnvironmentProxyResolver: no lookup round trip, and err.proxy as the async API gives it', async () => {
    const port = await unusedPort('127.0.0.1');
    const proxyResolver = new EnvironmentProxyResolver({
      http_proxy: `http://alice:s3cret@127.0.0.1:${port}`,
      no_proxy: 'skip.example.test',
    });
    const client = new SocketClient({ proxyResolver });
    const asyncError = await client.connectToHost('db.example.test:5432', 0).then(
      () => assert.fail('connected'),
      (e: GError) => e,
    );
    let syncErr: GError | null = null;
    assert.equal(
      postedDuring('proxy-lookup', () => {
        syncErr = syncError(() => client.connectToHostSync('db.example.test:5432', 0));
      }),
      0,
    );
    const err = syncErr as unknown as GError;
    assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(err.message, asyncError.message);
    assert.deepEqual(err.proxy, asyncError.proxy);
    assert.deepEqual(err.proxy, { uri: `http://***@127.0.0.1:${port}`, source: 'http_proxy' });
  });

  it('the default resolver from the environment (GIO_USE_PROXY_RESOLVER too) decides there as well', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    const saved = { ...process.env };
    try {
      const port = await unusedPort('127.0.0.1');
      for (const name of Object.keys(process.env)) if (/_proxy$/i.test(name)) delete process.env[name];
      delete process.env.XDG_CURRENT_DESKTOP;
      process.env.http_proxy = `http://127.0.0.1:${port}`;
      for (const choice of [undefined, 'environment']) {
        if (choice === undefined) delete process.env.GIO_USE_PROXY_RESOLVER;
        else process.env.GIO_USE_PROXY_RESOLVER = choice;
        ProxyResolver.setDefault(null);
        const client = new SocketClient();
        const err = syncError(() => {
          assert.equal(
            postedDuring('proxy-lookup', () => client.connectToHostSync('db.example.test:5432', 0)),
            0,
          );
        });
        assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED, err.message);
        assert.deepEqual(err.proxy, { uri: `http://127.0.0.1:${port}`, source: 'http_proxy' });
        // Loopback destinations stay direct, as the caller's resolver decides.
        client.connectToHostSync(`127.0.0.1:${peer.port}`, 0).close();
      }
      // `dummy`: always direct.
      process.env.GIO_USE_PROXY_RESOLVER = 'dummy';
      ProxyResolver.setDefault(null);
      const conn = new SocketClient().connectToHostSync(`127.0.0.1:${peer.port}`, 0);
      assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${peer.port}`);
      conn.close();
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      ProxyResolver.setDefault(null);
      await peer.stop();
    }
  });

  it('which resolvers have a recipe: the environment’s yes; desktop settings, subclasses and custom ones no', () => {
    const env = { https_proxy: 'http://127.0.0.1:3128', PATH: '/usr/bin' };
    assert.deepEqual(recipeOf(new EnvironmentProxyResolver(env)), {
      kind: 'environment',
      env: { https_proxy: 'http://127.0.0.1:3128' },
      proxyLoopback: false,
    });
    assert.deepEqual(recipeOf(new SystemProxyResolver(env, { proxyLoopback: true })), {
      kind: 'environment',
      env: { https_proxy: 'http://127.0.0.1:3128' },
      proxyLoopback: true,
    });
    assert.equal(recipeOf(new SystemProxyResolver({ ...env, XDG_CURRENT_DESKTOP: 'GNOME' })), null);
    assert.equal(recipeOf(new SystemProxyResolver({ ...env, XDG_CURRENT_DESKTOP: 'KDE' })), null);
    class Custom extends EnvironmentProxyResolver {}
    assert.equal(recipeOf(new Custom(env)), null);
    assert.equal(recipeOf(direct), null);
    assert.equal(recipeOf({ isSupported: () => true, lookup: async () => ['direct://'] }), null);
  });

  it('a desktop-settings resolver is still asked on the calling thread', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      // No gsettings answer here is needed: loopback destinations go direct before any setting.
      const proxyResolver = new SystemProxyResolver({ XDG_CURRENT_DESKTOP: 'KDE', HOME: '/nonexistent' });
      const client = new SocketClient({ proxyResolver });
      assert.equal(
        postedDuring('proxy-lookup', () => client.connectToHostSync(`127.0.0.1:${peer.port}`, 0).close()),
        1,
      );
    } finally {
      await peer.stop();
    }
  });
});

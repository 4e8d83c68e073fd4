// PinnedResolver: pinned names answer from the table (never the fallback), family flags apply,
// other names go to the fallback; async and blocking connects both honour it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  IOError,
  IOErrorEnum,
  PinnedResolver,
  ResolverNameLookupFlags,
  SocketClient,
  ResolverError,
} from '../../src/index.js';
import { FakeResolver, DIRECT } from '../helpers/resolvers.js';
import { startEchoServer } from '../helpers/servers.js';

describe('PinnedResolver', () => {
  it('answers pinned names, with family flags; other names go to the fallback', async () => {
    const fallback = new FakeResolver({ 'other.test': { v4: ['127.0.0.9'], v6: 'NXDOMAIN' } });
    const pinned = new PinnedResolver({ 'API.Example.test': ['127.0.0.2', '::1'] }, fallback);
    assert.deepEqual((await pinned.lookupByName('api.example.test')).map(String), ['127.0.0.2', '::1']);
    assert.deepEqual(
      (await pinned.lookupByNameWithFlags('api.example.test', ResolverNameLookupFlags.IPV6_ONLY)).map(String),
      ['::1'],
    );
    assert.deepEqual((await pinned.lookupByName('other.test')).map(String), ['127.0.0.9']);
    assert.ok(fallback.queries.every((q) => q.name === 'other.test'));
    await assert.rejects(pinned.lookupByName('missing.test'), ResolverError);
    assert.deepEqual(pinned.pins, { 'api.example.test': ['127.0.0.2', '::1'] });
  });

  it('refuses bad pins with INVALID_ARGUMENT', () => {
    const bads: Record<string, string | string[]>[] = [
      { 'a.test': 'not-an-ip' },
      { 'a.test': [] },
      { 'bad\r\nname': '127.0.0.1' },
    ];
    for (const bad of bads) {
      assert.throws(
        () => new PinnedResolver(bad, new FakeResolver()),
        (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.INVALID_ARGUMENT,
      );
    }
  });

  it('a client connects to a pinned name, async and blocking', async () => {
    const echo = await startEchoServer('127.0.0.1');
    try {
      const client = new SocketClient({
        proxyResolver: DIRECT,
        resolver: new PinnedResolver({ 'service.test': '127.0.0.1' }, new FakeResolver()),
      });
      const conn = await client.connectToHost(`service.test:${echo.port}`, 0);
      assert.equal(String(conn.getRemoteAddress()), `127.0.0.1:${echo.port}`);
      await conn.close();
      const sync = new SocketClient({
        enableProxy: false,
        resolver: new PinnedResolver({ 'service.test': '127.0.0.1' }),
      });
      const blocking = sync.connectToHostSync(`service.test:${echo.port}`, 0);
      blocking.close();
    } finally {
      await echo.close();
    }
  });
});

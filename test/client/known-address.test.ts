// The plain connect path (default client, an IP literal, no proxy configured) takes the target's
// address synchronously instead of through the enumerators' Promise chains
// (takeKnownAddress in src/address/connectable.ts). These tests pin that it stays cheap and that
// the synchronous path hands out exactly what next() would, in the same order.
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { describe, it } from 'node:test';
import { NetworkAddress, SocketClient, SocketClientEvent, type SocketAddress } from '../../src/index.js';
import { takeKnownAddress } from '../../src/address/connectable.js';
import { startEchoServer } from '../helpers/servers.js';

/** How many Promises `fn` creates before it settles (async_hooks PROMISE inits). */
async function promisesCreatedBy(fn: () => Promise<unknown>): Promise<{ count: number; value: unknown }> {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') count++;
    },
  });
  hook.enable();
  let value: unknown;
  try {
    value = await fn();
  } finally {
    hook.disable();
  }
  return { count, value };
}

describe('known addresses: the plain connect path', () => {
  it('connectToHost to an IP literal with the default client creates only a handful of Promises', async () => {
    const server = await startEchoServer();
    try {
      const client = new SocketClient();
      // Warm up: modules, the default proxy resolver, the address cache.
      await (await client.connectToHost(`127.0.0.1:${server.port}`, 0)).close();
      const baseline = await promisesCreatedBy(async () => undefined);
      const { count, value } = await promisesCreatedBy(() =>
        client.connectToHost(`127.0.0.1:${server.port}`, 0),
      );
      const connection = value as Awaited<ReturnType<SocketClient['connectToHost']>>;
      await connection.close();
      // 30 before the synchronous path (the proxy and address enumerators' chains); 4 with it.
      assert.ok(count - baseline.count <= 8, `${count - baseline.count} promises per connect`);
    } finally {
      await server.close();
    }
  });

  it('the events of a plain connect stay GIO’s sequence', async () => {
    const server = await startEchoServer();
    try {
      const client = new SocketClient();
      const events: SocketClientEvent[] = [];
      client.on('event', (event: SocketClientEvent) => events.push(event));
      const connection = await client.connectToHost(`127.0.0.1:${server.port}`, 0);
      await connection.close();
      assert.deepEqual(events, [
        SocketClientEvent.RESOLVING,
        SocketClientEvent.RESOLVED,
        SocketClientEvent.CONNECTING,
        SocketClientEvent.CONNECTED,
        SocketClientEvent.COMPLETE,
      ]);
    } finally {
      await server.close();
    }
  });

  it('the synchronous path hands out what next() would, then the end', async () => {
    const enumerator = NetworkAddress.parse('127.0.0.1:80', 0).proxyEnumerate();
    const first = takeKnownAddress(enumerator, null);
    assert.equal(String(first), '127.0.0.1:80');
    // The end of the list is left to next(), which also reports it: nothing is taken.
    assert.equal(takeKnownAddress(enumerator, null), undefined);
    assert.equal(await enumerator.next(), null);
  });

  it('nothing is taken synchronously while a next() is in progress, so the order holds', async () => {
    const enumerator = NetworkAddress.parse('127.0.0.1:80', 0).enumerate();
    const pending = enumerator.next();
    assert.equal(takeKnownAddress(enumerator, null), undefined);
    assert.equal(String(await pending), '127.0.0.1:80');
    assert.equal(await enumerator.next(), null);
  });

  it('a name that needs a lookup is left to next()', async () => {
    const enumerator = NetworkAddress.parse('host.invalid:80', 0).enumerate();
    const taken: SocketAddress | null | undefined = takeKnownAddress(enumerator, null);
    assert.equal(taken, undefined);
    enumerator.close?.();
  });
});

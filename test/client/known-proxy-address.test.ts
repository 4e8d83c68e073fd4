// A proxied connect whose proxy is decided without I/O (SimpleProxyResolver) and whose proxy
// server is an IP literal takes its ProxyAddress synchronously (ProxyAddressEnumerator's
// knownAddress), sparing the enumerators' Promise chains on every proxied connect. These tests pin
// that the synchronous path hands out exactly what next() would, and leaves everything else to it.
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { describe, it } from 'node:test';
import {
  NetworkAddress,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  type SocketAddress,
  type SocketAddressEnumerator,
} from '../../src/index.js';
import { takeKnownAddress } from '../../src/address/connectable.js';
import { hasDaemon, startMicrosocks, startTinyproxy, type Daemon } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer } from '../helpers/servers.js';

const enumerate = (proxy: string): SocketAddressEnumerator =>
  NetworkAddress.parse('192.0.2.7:8080', 0).proxyEnumerate({
    proxyResolver: new SimpleProxyResolver(proxy),
  });

function fields(address: SocketAddress | null | undefined): Record<string, unknown> {
  assert.ok(address instanceof ProxyAddress, `expected a ProxyAddress, got ${String(address)}`);
  return {
    address: String(address),
    protocol: address.protocol,
    destinationProtocol: address.destinationProtocol,
    destinationHostname: address.destinationHostname,
    destinationPort: address.destinationPort,
    username: address.username,
    password: address.password,
    uri: address.uri,
  };
}

describe('known proxy addresses: the proxied connect path', () => {
  it('a socks5 proxy at an IP literal: the ProxyAddress next() would give, taken without a Promise', async () => {
    const uri = 'socks5://user:secret@127.0.0.1:1080';
    const expected = fields(await enumerate(uri).next());
    const enumerator = enumerate(uri);
    assert.deepEqual(fields(takeKnownAddress(enumerator, null)), expected);
    assert.equal(expected.destinationHostname, '192.0.2.7');
    assert.equal(expected.password, 'secret');
    // The end of the list is left to next(), which also reports it: nothing is taken.
    assert.equal(takeKnownAddress(enumerator, null), undefined);
    assert.equal(await enumerator.next(), null);
  });

  it('socks:// (socks5, socks4a, socks4 in turn): the same addresses in the same order as next()', async () => {
    const uri = 'socks://127.0.0.1:1080';
    const viaNext: Record<string, unknown>[] = [];
    const reference = enumerate(uri);
    for (let a = await reference.next(); a !== null && viaNext.length < 10; a = await reference.next())
      viaNext.push(fields(a));
    assert.deepEqual(
      viaNext.map((f) => f.protocol),
      ['socks5', 'socks4a', 'socks4'],
    );
    const enumerator = enumerate(uri);
    const mixed: Record<string, unknown>[] = [];
    // Taken synchronously while the path allows it: SOCKS4 (the destination is resolved here) is
    // left to next().
    for (
      let a = takeKnownAddress(enumerator, null);
      a !== undefined && a !== null;
      a = takeKnownAddress(enumerator, null)
    )
      mixed.push(fields(a));
    assert.deepEqual(mixed, viaNext.slice(0, mixed.length));
    assert.equal(mixed.length, 2);
    assert.deepEqual(fields(await enumerator.next()), viaNext[2]);
    assert.equal(await enumerator.next(), null);
  });

  it('a proxy given by host name, or SOCKS4 (it resolves the destination itself), is left to next()', () => {
    for (const uri of ['socks5://proxy.invalid:1080', 'socks4://127.0.0.1:1080']) {
      const enumerator = enumerate(uri);
      assert.equal(takeKnownAddress(enumerator, null), undefined, uri);
      enumerator.close?.();
    }
  });

  it('the proxy at an IP literal is the last address: exhausted once taken (not for socks:// or SOCKS4)', () => {
    const http = enumerate('http://127.0.0.1:3128');
    assert.equal(http.exhausted, false);
    assert.equal(fields(takeKnownAddress(http, null)).protocol, 'http');
    assert.equal(http.exhausted, true);
    const socks = enumerate('socks://127.0.0.1:1080');
    assert.equal(fields(takeKnownAddress(socks, null)).protocol, 'socks5');
    assert.equal(socks.exhausted, false); // socks4a and socks4 follow
    socks.close?.();
  });

  it('a SimpleProxyResolver changed between connects: the next enumeration follows every setter', () => {
    const resolver = new SimpleProxyResolver('http://127.0.0.1:3128');
    const take = (): SocketAddress | null | undefined =>
      takeKnownAddress(
        NetworkAddress.parse('192.0.2.7:8080', 0).proxyEnumerate({ proxyResolver: resolver }),
        null,
      );
    assert.equal(String(take()), '127.0.0.1:3128');
    resolver.setDefaultProxy('socks5://127.0.0.1:1080');
    assert.equal(fields(take()).protocol, 'socks5');
    resolver.setIgnoreHosts(['192.0.2.0/24']);
    const direct = take();
    assert.ok(!(direct instanceof ProxyAddress));
    assert.equal(String(direct), '192.0.2.7:8080');
    resolver.setIgnoreHosts(null);
    resolver.setUriProxy('none', 'http://127.0.0.1:8081');
    assert.equal(String(take()), '127.0.0.1:8081');
    assert.equal(fields(take()).protocol, 'http');
  });

  it('nothing is taken while a next() is in progress, so the order holds', async () => {
    const enumerator = enumerate('socks://127.0.0.1:1080');
    const pending = enumerator.next();
    assert.equal(takeKnownAddress(enumerator, null), undefined);
    assert.equal(fields(await pending).protocol, 'socks5');
    assert.equal(fields(takeKnownAddress(enumerator, null)).protocol, 'socks4a');
    enumerator.close?.();
  });

  it('a connect through microsocks and through tinyproxy: few Promises, GIO’s events', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    if (!requireOrSkip(t, hasDaemon('tinyproxy'), 'tinyproxy is not installed')) return;
    const echo = await startEchoServer('127.0.0.1');
    const daemons: Daemon[] = [];
    try {
      daemons.push(await startMicrosocks(), await startTinyproxy({ connectPorts: [echo.port] }));
      for (const [daemon, scheme] of [
        [daemons[0], 'socks5'],
        [daemons[1], 'http'],
      ] as const) {
        const client = new SocketClient({
          proxyResolver: new SimpleProxyResolver(`${scheme}://127.0.0.1:${daemon.port}`),
        });
        const destination = `127.0.0.1:${echo.port}`;
        // Warm up: modules, the proxy registry.
        await (await client.connectToHost(destination, 0)).close();
        const events: SocketClientEvent[] = [];
        client.on('event', (event: SocketClientEvent) => events.push(event));
        let promises = 0;
        let timers = 0;
        const hook = createHook({
          init(_id, type) {
            if (type === 'PROMISE') promises++;
            if (type === 'Timeout') timers++;
          },
        });
        hook.enable();
        let connection;
        try {
          connection = await client.connectToHost(destination, 0);
        } finally {
          hook.disable();
        }
        await connection.close();
        // 54 (socks5) and 46 (http) before the synchronous proxy address; 26 and 18 with it; 13
        // and 9 once a reply is read by the stream's events and the application layer is chained
        // on the proxy's own Promise.
        assert.ok(promises <= 16, `${scheme}: ${promises} promises per connect`);
        // The proxy's one address is the last one: no attempt-delay timer is armed.
        assert.equal(timers, 0, `${scheme}: ${timers} timers per connect`);
        assert.deepEqual(events, [
          SocketClientEvent.RESOLVING,
          SocketClientEvent.RESOLVED,
          SocketClientEvent.CONNECTING,
          SocketClientEvent.CONNECTED,
          SocketClientEvent.PROXY_NEGOTIATING,
          SocketClientEvent.PROXY_NEGOTIATED,
          SocketClientEvent.COMPLETE,
        ]);
      }
    } finally {
      for (const daemon of daemons) await daemon.stop();
      await echo.close();
    }
  });
});

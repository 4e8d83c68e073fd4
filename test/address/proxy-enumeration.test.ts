// The address layer does not import the proxy layer (docs/architecture.md, "Layering"):
// proxyEnumerate() delegates to the factory src/proxy/proxy-address-enumerator.ts installs. This
// file imports only address modules first, so it sees the address layer on its own, then loads
// the proxy layer the way the package entry point does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkAddress } from '../../src/address/network-address.js';
import { InetAddress } from '../../src/address/inet-address.js';
import { InetSocketAddress, ProxyAddress, UnixSocketAddress } from '../../src/address/socket-address.js';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { IOError } from '../../src/errors/gerror.js';

const ipv6 = new InetSocketAddress(InetAddress.newFromString('::1')!, 443);

describe('proxyEnumerate() without the proxy layer loaded', () => {
  it('NetworkAddress and InetSocketAddress throw IOError NOT_SUPPORTED, naming what to import', () => {
    for (const connectable of [new NetworkAddress('example.test', 80), ipv6]) {
      assert.throws(
        () => connectable.proxyEnumerate(),
        (err: unknown) => {
          assert.ok(err instanceof IOError);
          assert.equal(err.code, IOErrorEnum.NOT_SUPPORTED);
          assert.match(err.message, /^Proxy enumeration needs the proxy layer: import gsocketclient/);
          return true;
        },
      );
    }
  });

  it('addresses that never ask a proxy resolver still enumerate themselves', async () => {
    const proxy = new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, 1080, {
      protocol: 'socks5',
      destinationProtocol: 'none',
      destinationHostname: 'dest.test',
      destinationPort: 80,
    });
    assert.equal(await proxy.proxyEnumerate().next(), proxy);
    const unix = new UnixSocketAddress('/run/x.sock');
    assert.equal(await unix.proxyEnumerate().next(), unix);
  });
});

describe('proxyEnumerate() once the proxy layer is loaded', () => {
  it('wraps the connectable in a ProxyAddressEnumerator with the destination URI GIO builds', async () => {
    const { ProxyAddressEnumerator } = await import('../../src/proxy/proxy-address-enumerator.js');
    // IP literals only: the default resolver is installed but never asked.
    await import('../../src/resolver/system-resolver.js');
    const asked: string[] = [];
    const proxyResolver = {
      isSupported: () => true,
      lookup: async (uri: string) => {
        asked.push(uri);
        return ['direct://'];
      },
    };
    const named = new NetworkAddress('127.0.0.1', 8080, 'http');
    const e1 = named.proxyEnumerate({ proxyResolver });
    assert.ok(e1 instanceof ProxyAddressEnumerator);
    assert.equal(String(await e1.next()), '127.0.0.1:8080');
    const e2 = ipv6.proxyEnumerate({ proxyResolver });
    assert.ok(e2 instanceof ProxyAddressEnumerator);
    assert.equal(await e2.next(), ipv6);
    assert.deepEqual(asked, ['http://127.0.0.1:8080', 'none://[::1]:443']);
  });
});

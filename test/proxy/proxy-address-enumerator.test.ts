import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyAddressEnumerator } from '../../src/proxy/proxy-address-enumerator.js';
import { getProxyForProtocol, registerProxy } from '../../src/proxy/proxy.js';
import { NetworkAddress } from '../../src/address/network-address.js';
import { InetAddress } from '../../src/address/inet-address.js';
import { InetSocketAddress, ProxyAddress, type SocketAddress } from '../../src/address/socket-address.js';
import type { EnumerateOptions, SocketAddressEnumerator } from '../../src/address/connectable.js';
import { Cancellable } from '../../src/cancellable.js';
import { IOErrorEnum, ResolverErrorEnum } from '../../src/errors/enums.js';
import { IOError, ResolverError } from '../../src/errors/gerror.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { FakeProxyResolver, RecordingResolver } from './fakes.js';
import { captureWarnings } from './warnings.js';

/** Reads an enumerator to its end (bounded). */
async function collect(
  enumerator: SocketAddressEnumerator,
  cancellable?: Cancellable,
): Promise<SocketAddress[]> {
  const out: SocketAddress[] = [];
  for (let i = 0; i < 50; i++) {
    const address = await enumerator.next(cancellable);
    if (address === null) return out;
    out.push(address);
  }
  throw new Error('enumerator did not end');
}

function proxied(address: SocketAddress | null | undefined): ProxyAddress {
  assert.ok(address instanceof ProxyAddress, `expected a ProxyAddress, got ${String(address)}`);
  return address;
}

const unspecified = (err: unknown): boolean => {
  assert.ok(err instanceof IOError, String(err));
  assert.equal(err.code, IOErrorEnum.FAILED);
  assert.equal(err.message, 'Unspecified proxy lookup failure');
  return true;
};

const resolver = (): RecordingResolver =>
  new RecordingResolver({
    'dest.test': ['127.0.0.10', '2001:db8::10'],
    'proxy.test': ['127.0.0.1', '127.0.0.2'],
  });

function enumerate(
  proxies: readonly string[],
  opts?: { dest?: NetworkAddress; resolver?: RecordingResolver; extra?: EnumerateOptions },
): { enumerator: SocketAddressEnumerator; dns: RecordingResolver; proxyResolver: FakeProxyResolver } {
  const dns = opts?.resolver ?? resolver();
  const proxyResolver = new FakeProxyResolver(proxies);
  const dest = opts?.dest ?? new NetworkAddress('dest.test', 8080);
  const enumerator = dest.proxyEnumerate({ resolver: dns, proxyResolver, ...opts?.extra });
  return { enumerator, dns, proxyResolver };
}

// A proxy protocol without host-name support, like SOCKS4 (proxy-test.c's proxy-a).
before(() => {
  registerProxy('test-nohost', { supportsHostname: () => false, connect: async (connection) => connection });
});

describe('ProxyAddressEnumerator: direct://', () => {
  for (const direct of ['direct://', 'DIRECT://', 'Direct://']) {
    it(`${direct} yields the connectable's own addresses as plain InetSocketAddresses`, async () => {
      const { enumerator, proxyResolver } = enumerate([direct]);
      const addresses = await collect(enumerator);
      assert.deepEqual(
        addresses.map((a) => a.toString()),
        ['[2001:db8::10]:8080', '127.0.0.10:8080'],
      );
      for (const a of addresses) {
        assert.ok(a instanceof InetSocketAddress);
        assert.ok(!(a instanceof ProxyAddress));
      }
      assert.deepEqual(proxyResolver.asked, ['none://dest.test:8080']);
    });
  }

  it('an unresolvable destination fails with the resolver error (proxy-test /proxy/dns simple://)', async () => {
    const { enumerator } = enumerate(['direct://'], { dest: new NetworkAddress('no-such-host.invalid', 80) });
    await assert.rejects(enumerator.next(), (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
      return true;
    });
    assert.equal(await enumerator.next(), null);
  });
});

describe('ProxyAddressEnumerator: proxy URIs', () => {
  it('fills every ProxyAddress field; credentials are percent-decoded', async () => {
    const uri = 'socks5://us%40er:p%3Ass@proxy.test:1081';
    const { enumerator } = enumerate([uri], { dest: new NetworkAddress('Dest.Test', 443, 'https') });
    const addresses = (await collect(enumerator)).map(proxied);
    assert.deepEqual(
      addresses.map((a) => a.toString()),
      ['127.0.0.1:1081', '127.0.0.2:1081'],
    );
    for (const a of addresses) {
      assert.equal(a.protocol, 'socks5');
      assert.equal(a.destinationProtocol, 'https');
      assert.equal(a.destinationHostname, 'Dest.Test');
      assert.equal(a.destinationPort, 443);
      assert.equal(a.username, 'us@er');
      assert.equal(a.password, 'p:ss');
      assert.equal(a.uri, uri);
      assert.ok(!JSON.stringify(a).includes('p%3Ass'));
    }
  });

  it('a URI without userinfo gives null credentials; a user without password gives a null password', async () => {
    const { enumerator } = enumerate(['http://127.0.0.1:3128', 'http://alice@127.0.0.1:3129']);
    const [a, b] = (await collect(enumerator)).map(proxied);
    assert.equal(a.username, null);
    assert.equal(a.password, null);
    assert.equal(b.username, 'alice');
    assert.equal(b.password, null);
  });

  // SPEC §3 / GLib 2.77+: a missing port is the scheme's default, not 0.
  const ports: readonly (readonly [string, string, number])[] = [
    ['http://127.0.0.1', 'http', 80],
    ['http://127.0.0.1/', 'http', 80],
    ['http://127.0.0.1:0', 'http', 80],
    ['HTTP://127.0.0.1', 'http', 80],
    ['https://127.0.0.1', 'https', 443],
    ['socks5://127.0.0.1', 'socks5', 1080],
    ['socks4a://127.0.0.1', 'socks4a', 1080],
    ['socks4://127.0.0.1', 'socks4', 1080],
    ['SOCKS5://127.0.0.1', 'socks5', 1080],
    ['ftp://127.0.0.1', 'ftp', 21],
    ['ws://127.0.0.1', 'ws', 80],
    ['wss://127.0.0.1', 'wss', 443],
    ['made-up://127.0.0.1', 'made-up', 0],
    ['http://127.0.0.1:8080', 'http', 8080],
    ['http://[::1]', 'http', 80],
  ];
  for (const [uri, protocol, port] of ports) {
    it(`${uri} → protocol ${protocol}, port ${port}`, async () => {
      const { enumerator } = enumerate([uri]);
      const all = (await collect(enumerator)).map(proxied);
      // One per proxy address; socks4 pairs it with both destination IPs.
      assert.equal(all.length, protocol === 'socks4' ? 2 : 1);
      for (const a of all) {
        assert.equal(a.protocol, protocol);
        assert.equal(a.port, port);
      }
    });
  }

  it('resolves a proxy host name with the given resolver (proxy-major order by proxy URI)', async () => {
    const { enumerator, dns } = enumerate(['http://proxy.test:3128', 'direct://']);
    const addresses = await collect(enumerator);
    assert.deepEqual(
      addresses.map((a) => `${a instanceof ProxyAddress ? a.protocol : 'direct'} ${a.toString()}`),
      ['http 127.0.0.1:3128', 'http 127.0.0.2:3128', 'direct [2001:db8::10]:8080', 'direct 127.0.0.10:8080'],
    );
    assert.ok(dns.asked.includes('proxy.test'));
  });

  it('socks5, socks4a, http, https and unknown protocols get the host name: no local lookup of the destination', async () => {
    const { enumerator, dns } = enumerate([
      'socks5://127.0.0.1:1080',
      'socks4a://127.0.0.1:1080',
      'http://127.0.0.1:3128',
      'https://127.0.0.1:3129',
      'made-up://127.0.0.1:9',
    ]);
    const addresses = (await collect(enumerator)).map(proxied);
    assert.deepEqual(
      addresses.map((a) => a.protocol),
      ['socks5', 'socks4a', 'http', 'https', 'made-up'],
    );
    for (const a of addresses) assert.equal(a.destinationHostname, 'dest.test');
    assert.ok(!dns.asked.includes('dest.test'), `asked: ${dns.asked.join(', ')}`);
  });
});

describe('ProxyAddressEnumerator: protocols without host names (SOCKS4)', () => {
  for (const protocol of ['test-nohost', 'socks4', 'SOCKS4']) {
    it(`${protocol}: the destination is resolved locally, pairs are proxy-major`, async () => {
      if (protocol.toLowerCase() === 'socks4')
        assert.equal(getProxyForProtocol('socks4')?.supportsHostname(), false);
      const { enumerator, dns } = enumerate([`${protocol}://proxy.test:1080`]);
      const addresses = (await collect(enumerator)).map(proxied);
      assert.deepEqual(
        addresses.map((a) => `${a.toString()} → ${a.destinationHostname}:${a.destinationPort}`),
        [
          '127.0.0.1:1080 → 127.0.0.10:8080',
          '127.0.0.1:1080 → 2001:db8::10:8080',
          '127.0.0.2:1080 → 127.0.0.10:8080',
          '127.0.0.2:1080 → 2001:db8::10:8080',
        ],
      );
      for (const a of addresses) assert.equal(a.protocol, protocol.toLowerCase());
      assert.equal(dns.asked.filter((n) => n === 'dest.test').length, 1);
    });
  }

  it('a destination that does not resolve skips the proxy and is the error when nothing else works', async () => {
    const dest = new NetworkAddress('no-such-host.invalid', 80, 'alpha');
    const { enumerator } = enumerate(['test-nohost://127.0.0.1:1080'], { dest });
    await assert.rejects(enumerator.next(), (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
      assert.match(err.message, /no-such-host\.invalid/);
      return true;
    });
  });

  it('…and a later proxy that takes host names is still used (proxy-test /proxy/dns beta://)', async () => {
    const dest = new NetworkAddress('no-such-host.invalid', 80, 'beta');
    const { enumerator, dns } = enumerate(['test-nohost://127.0.0.1:1080', 'socks5://127.0.0.1:1080'], {
      dest,
    });
    const addresses = (await collect(enumerator)).map(proxied);
    assert.equal(addresses.length, 1);
    assert.equal(addresses[0].protocol, 'socks5');
    assert.equal(addresses[0].destinationHostname, 'no-such-host.invalid');
    assert.equal(dns.asked.filter((n) => n === 'no-such-host.invalid').length, 1);
  });

  it('the destination is not resolved when the proxy host itself fails', async () => {
    const { enumerator, dns } = enumerate(['test-nohost://no-such-proxy.invalid:1080']);
    await assert.rejects(enumerator.next(), ResolverError);
    assert.ok(!dns.asked.includes('dest.test'));
  });
});

describe('ProxyAddressEnumerator: junk from the resolver (GLib #2597, §6.2 point 3)', () => {
  for (const junk of [[''], ['😼'], [], ['', '😼', '://nothing']]) {
    it(`${JSON.stringify(junk)} → FAILED "Unspecified proxy lookup failure", then null`, async () => {
      const { enumerator } = enumerate(junk);
      await assert.rejects(enumerator.next(), unspecified);
      assert.equal(await enumerator.next(), null);
    });
  }

  for (const mixed of [
    ['😼', 'direct://'],
    ['direct://', '😼'],
    ['', 'direct://', ''],
  ]) {
    it(`${JSON.stringify(mixed)} → the direct addresses`, async () => {
      const { enumerator } = enumerate(mixed);
      assert.equal((await collect(enumerator)).length, 2);
    });
  }

  it('a resolver answering something that is not an array counts as nothing', async () => {
    const proxyResolver = new FakeProxyResolver(() => null as unknown as string[]);
    const enumerator = new NetworkAddress('dest.test', 80).proxyEnumerate({
      resolver: resolver(),
      proxyResolver,
    });
    await assert.rejects(enumerator.next(), unspecified);
  });

  it('an unparseable proxy URI is skipped with a warning that shows no credentials', async () => {
    const { enumerator } = enumerate(['http://user:s3cret@[::1', 'socks5://user:s3cret@:1080', 'direct://']);
    const { result, warnings } = await captureWarnings(() => collect(enumerator));
    assert.equal(result.length, 2);
    assert.ok(result.every((a) => !(a instanceof ProxyAddress)));
    assert.equal(warnings.length, 2, warnings.join('\n'));
    for (const w of warnings) {
      assert.match(w, /^Invalid proxy URI '/);
      assert.ok(!w.includes('s3cret'), w);
    }
  });

  it('only unparseable URIs → FAILED', async () => {
    const { enumerator } = enumerate(['http://user:s3cret@[::1']);
    const { result } = await captureWarnings(() => enumerator.next().catch((err: unknown) => err));
    assert.ok(unspecified(result));
  });
});

describe('ProxyAddressEnumerator: error rules', () => {
  it('nothing usable: the first error seen is reported', async () => {
    const { enumerator } = enumerate([
      'http://no-such-proxy.invalid:3128',
      'http://other-missing.invalid:3128',
    ]);
    await assert.rejects(enumerator.next(), (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.match(err.message, /no-such-proxy\.invalid/);
      return true;
    });
  });

  it('after a first result, later failures end the enumeration without an error', async () => {
    const { enumerator } = enumerate(['socks5://127.0.0.1:1080', 'http://no-such-proxy.invalid:3128']);
    assert.ok((await enumerator.next()) instanceof ProxyAddress);
    assert.equal(await enumerator.next(), null);
    assert.equal(await enumerator.next(), null);
  });

  it('a proxy resolver error is returned as is by the first call only', async () => {
    const boom = new IOError(IOErrorEnum.PROXY_FAILED, 'resolver broke');
    const proxyResolver = new FakeProxyResolver(() => {
      throw boom;
    });
    const enumerator = new NetworkAddress('dest.test', 80).proxyEnumerate({
      resolver: resolver(),
      proxyResolver,
    });
    await assert.rejects(enumerator.next(), (err: unknown) => err === boom);
    assert.equal(await enumerator.next(), null);
  });

  it('an invalid destination URI is INVALID_ARGUMENT before any resolver sees it (GIO lookup wrapper)', async () => {
    const proxyResolver = new FakeProxyResolver(['direct://']);
    const enumerator = new ProxyAddressEnumerator(new NetworkAddress('dest.test', 80), 'asdf', {
      resolver: resolver(),
      proxyResolver,
    });
    await assert.rejects(enumerator.next(), (err: unknown) => {
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
      assert.equal(err.message, 'Invalid URI ‘asdf’');
      return true;
    });
    assert.deepEqual(proxyResolver.asked, []);
  });

  it('a destination URI without a host still allows direct://, and makes proxies fail', async () => {
    const connectable = new NetworkAddress('dest.test', 80);
    const direct = new ProxyAddressEnumerator(connectable, 'mailto:someone', {
      resolver: resolver(),
      proxyResolver: new FakeProxyResolver(['direct://']),
    });
    assert.equal((await collect(direct)).length, 2);
    const viaProxy = new ProxyAddressEnumerator(connectable, 'mailto:someone', {
      resolver: resolver(),
      proxyResolver: new FakeProxyResolver(['socks5://127.0.0.1:1080']),
    });
    await assert.rejects(viaProxy.next(), IOError);
  });
});

describe('ProxyAddressEnumerator: the destination URI (§6.1)', () => {
  const cases: readonly (readonly [
    string,
    () => { proxyEnumerate(o: EnumerateOptions): SocketAddressEnumerator },
    string,
  ])[] = [
    ['NetworkAddress without scheme', () => new NetworkAddress('example.test', 80), 'none://example.test:80'],
    [
      'NetworkAddress with scheme, host case kept',
      () => new NetworkAddress('Example.Test', 8443, 'https'),
      'https://Example.Test:8443',
    ],
    ['NetworkAddress port 0', () => new NetworkAddress('example.test', 0), 'none://example.test:0'],
    ['NetworkAddress IPv6', () => new NetworkAddress('::1', 443), 'none://[::1]:443'],
    [
      'NetworkAddress scoped IPv6',
      () => new NetworkAddress('fe80::1%lo', 81, 'http'),
      'http://[fe80::1%25lo]:81',
    ],
    [
      'parseUri drops userinfo, path, query, fragment; lower-cases the scheme',
      () => NetworkAddress.parseUri('HTTPS://user:pw@Example.Test:8443/p?q#f', 80),
      'https://Example.Test:8443',
    ],
    [
      'parseUri scoped IPv6',
      () => NetworkAddress.parseUri('http://[fe80::1%25lo]:81/', 80),
      'http://[fe80::1%25lo]:81',
    ],
    [
      'InetSocketAddress IPv4',
      () => new InetSocketAddress(InetAddress.newFromString('127.0.0.1')!, 80),
      'none://127.0.0.1:80',
    ],
    [
      'InetSocketAddress IPv6',
      () => new InetSocketAddress(InetAddress.newFromString('::1')!, 443),
      'none://[::1]:443',
    ],
  ];
  for (const [name, make, expected] of cases) {
    it(`${name} → ${expected}`, async () => {
      const proxyResolver = new FakeProxyResolver(['socks5://127.0.0.1:1080']);
      const enumerator = make().proxyEnumerate({ resolver: resolver(), proxyResolver });
      const first = proxied((await collect(enumerator))[0]);
      assert.deepEqual(proxyResolver.asked, [expected]);
      assert.equal(first.destinationProtocol, expected.slice(0, expected.indexOf(':')));
    });
  }

  it('a ProxyAddress connectable is enumerated plainly: no proxy lookup', async () => {
    const proxyResolver = new FakeProxyResolver(['socks5://127.0.0.1:1080']);
    const pa = new ProxyAddress(InetAddress.newFromString('127.0.0.1')!, 1080, {
      protocol: 'socks5',
      destinationProtocol: 'none',
      destinationHostname: 'dest.test',
      destinationPort: 80,
    });
    assert.deepEqual(await collect(pa.proxyEnumerate({ proxyResolver })), [pa]);
    assert.deepEqual(proxyResolver.asked, []);
  });

  // proxy-test.c /proxy/enumerator-ports.
  const ports: readonly (readonly [string, number | undefined, number])[] = [
    ['http://example.com/', undefined, 0],
    ['http://example.com:8080/', undefined, 8080],
    ['http://example.com/', 80, 80],
    ['http://example.com:8080/', 80, 8080],
  ];
  for (const [uri, defaultPort, port] of ports) {
    it(`enumerator-ports: ${uri} with defaultPort ${String(defaultPort)} → destination port ${port}`, async () => {
      const enumerator = new ProxyAddressEnumerator(new NetworkAddress('example.com', 1), uri, {
        resolver: resolver(),
        proxyResolver: new FakeProxyResolver(['socks5://127.0.0.1:1080']),
        defaultPort,
      });
      const a = proxied(await enumerator.next());
      assert.equal(a.destinationPort, port);
      assert.equal(a.destinationHostname, 'example.com');
      assert.equal(a.destinationProtocol, 'http');
    });
  }

  it('uses the default proxy resolver when none is given', async () => {
    const { setDefaultProxyResolver } = await import('../../src/proxy/proxy-resolver.js');
    const proxyResolver = new FakeProxyResolver(['socks5://127.0.0.1:1080']);
    setDefaultProxyResolver(proxyResolver);
    try {
      const enumerator = new NetworkAddress('dest.test', 80).proxyEnumerate({ resolver: resolver() });
      proxied(await enumerator.next());
      assert.deepEqual(proxyResolver.asked, ['none://dest.test:80']);
    } finally {
      setDefaultProxyResolver(null);
    }
  });
});

describe('ProxyAddressEnumerator: cancellation and close()', () => {
  it('an already-cancelled next() is CANCELLED and asks nobody', async () => {
    const { enumerator, proxyResolver } = enumerate(['direct://']);
    const cancellable = new Cancellable();
    cancellable.cancel();
    await assert.rejects(enumerator.next(cancellable), { code: IOErrorEnum.CANCELLED });
    assert.deepEqual(proxyResolver.asked, []);
    // Cancellation ends nothing: the next call works.
    assert.equal((await collect(enumerator)).length, 2);
  });

  it('cancelling during a proxy resolver lookup that never answers gives CANCELLED', async () => {
    let seen: Cancellable | null | undefined;
    const proxyResolver = new FakeProxyResolver((_uri, opts) => {
      seen = opts?.cancellable;
      return new Promise<string[]>(() => undefined);
    });
    const enumerator = new NetworkAddress('dest.test', 80).proxyEnumerate({
      resolver: resolver(),
      proxyResolver,
    });
    const cancellable = new Cancellable();
    const pending = enumerator.next(cancellable);
    setTimeout(() => cancellable.cancel(), 10);
    await assert.rejects(pending, { code: IOErrorEnum.CANCELLED });
    assert.equal(seen?.isCancelled(), true);
    assert.equal(cancellable.handlerCount, 0);
  });

  it('after a first result, cancellation is still reported (and stops the lookups)', async () => {
    const dns = new RecordingResolver({}, ['hang.test']);
    const { enumerator } = enumerate(['socks5://127.0.0.1:1080', 'socks5://hang.test:1080'], {
      resolver: dns,
    });
    assert.ok((await enumerator.next()) instanceof ProxyAddress);
    const cancellable = new Cancellable();
    const pending = enumerator.next(cancellable);
    setTimeout(() => cancellable.cancel(), 10);
    await assert.rejects(pending, { code: IOErrorEnum.CANCELLED });
    assert.ok(dns.cancellables.length > 0);
    assert.ok(dns.cancellables.every((c) => c?.isCancelled() === true));
  });

  it('close() stops a pending lookup; the pending and later calls give null; nothing is left behind', async () => {
    const baseline = activeResources();
    const dns = new RecordingResolver({}, ['hang.test']);
    const { enumerator } = enumerate(['socks5://hang.test:1080', 'direct://'], { resolver: dns });
    const pending = enumerator.next();
    await new Promise((r) => setTimeout(r, 10));
    enumerator.close?.();
    assert.equal(await pending, null);
    assert.equal(await enumerator.next(), null);
    assert.ok(dns.cancellables.length > 0);
    assert.ok(dns.cancellables.every((c) => c?.isCancelled() === true));
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('is an async iterator', async () => {
    const { enumerator } = enumerate(['socks5://127.0.0.1:1080', 'direct://']);
    const seen: string[] = [];
    for await (const a of enumerator) seen.push(a instanceof ProxyAddress ? 'proxy' : 'direct');
    assert.deepEqual(seen, ['proxy', 'direct', 'direct']);
  });
});

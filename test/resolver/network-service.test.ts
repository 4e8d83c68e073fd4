import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SocketAddressEnumerator } from '../../src/address/connectable.js';
import { InetAddress } from '../../src/address/inet-address.js';
import { InetSocketAddress, ProxyAddress, type SocketAddress } from '../../src/address/socket-address.js';
import { Cancellable, type CancelOptions } from '../../src/cancellable.js';
import { IOErrorEnum, ResolverErrorEnum, ResolverNameLookupFlags } from '../../src/errors/enums.js';
import { IOError, ResolverError, type GError } from '../../src/errors/gerror.js';
import type { ProxyResolver } from '../../src/proxy/proxy-resolver.js';
// Loads the proxy layer, which installs the enumerator behind proxyEnumerate() (src/address/proxy-enumeration.ts).
import '../../src/proxy/proxy-address-enumerator.js';
import { NetworkService, NetworkServiceAddressEnumerator } from '../../src/resolver/network-service.js';
import { Resolver, type LookupOptions } from '../../src/resolver/resolver.js';
import { SrvTarget } from '../../src/resolver/srv-target.js';
import { dnsmasqAvailable, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';

type Answer = readonly string[] | GError;

/** A resolver answering from tables, counting SRV lookups; `hold` makes a lookup wait for cancellation. */
class TableResolver extends Resolver {
  serviceLookups = 0;
  readonly nameLookups: string[] = [];
  constructor(
    readonly srv: readonly SrvTarget[] | GError | 'hold',
    readonly names: Readonly<Record<string, Answer>> = {},
  ) {
    super();
  }
  protected async lookupAddresses(
    asciiName: string,
    _display: string,
    flags: ResolverNameLookupFlags,
  ): Promise<InetAddress[]> {
    this.nameLookups.push(asciiName);
    const answer = this.names[asciiName];
    if (answer === undefined) {
      throw new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `Error resolving “${asciiName}”: Name or service not known`,
      );
    }
    if (!Array.isArray(answer)) throw answer as GError;
    const all = (answer as readonly string[]).map((a) => InetAddress.newFromString(a)!);
    const family =
      flags === ResolverNameLookupFlags.IPV6_ONLY ? 10 : flags === ResolverNameLookupFlags.IPV4_ONLY ? 2 : 0;
    const mine = all.filter((a) => family === 0 || a.family === family);
    if (mine.length === 0) {
      throw new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `Error resolving “${asciiName}”: No address associated with hostname`,
      );
    }
    return mine;
  }
  async lookupService(_s: string, _p: string, _d: string, opts?: LookupOptions): Promise<SrvTarget[]> {
    this.serviceLookups++;
    if (this.srv === 'hold') {
      const c = opts?.cancellable;
      return new Promise<SrvTarget[]>((_, reject) => {
        if (!c) return;
        c.connect(() => reject(c.error()));
      });
    }
    if (!Array.isArray(this.srv)) throw this.srv as GError;
    return [...(this.srv as readonly SrvTarget[])];
  }
}

/** Drains an enumerator: the address strings, then the error (if any) that ended it. */
async function drain(
  e: SocketAddressEnumerator,
  max = 50,
): Promise<{ addresses: string[]; error: GError | null }> {
  const addresses: string[] = [];
  for (let i = 0; i < max; i++) {
    let a: SocketAddress | null;
    try {
      a = await e.next();
    } catch (err) {
      return { addresses, error: err as GError };
    }
    if (a === null) return { addresses, error: null };
    addresses.push(String(a));
  }
  throw new Error('enumeration did not end');
}

const notFound = (rrname: string): ResolverError =>
  new ResolverError(ResolverErrorEnum.NOT_FOUND, `No DNS record of the requested type for “${rrname}”`);

describe('NetworkService: properties', () => {
  it('keeps service, protocol, domain; scheme reads as the service until set', () => {
    const s = new NetworkService('xmpp-client', 'tcp', 'example.test');
    assert.deepEqual([s.service, s.protocol, s.domain], ['xmpp-client', 'tcp', 'example.test']);
    assert.deepEqual(
      [s.getService(), s.getProtocol(), s.getDomain()],
      ['xmpp-client', 'tcp', 'example.test'],
    );
    assert.equal(s.scheme, 'xmpp-client');
    // The scheme as it reads, never GIO's printed NULL pointer `(null)` (issue 10 item 14).
    assert.equal(s.toString(), '(xmpp-client, tcp, example.test, xmpp-client)');
    s.scheme = 'xmpp';
    assert.equal(s.getScheme(), 'xmpp');
    assert.equal(s.toString(), '(xmpp-client, tcp, example.test, xmpp)');
    s.setScheme(null);
    assert.equal(s.scheme, 'xmpp-client');
    assert.equal(String(s), '(xmpp-client, tcp, example.test, xmpp-client)');
  });

  const bad: readonly (readonly [string, string, string])[] = [
    ['', 'tcp', 'd.test'],
    ['http', '', 'd.test'],
    ['http', 'tcp', ''],
  ];
  for (const args of bad) {
    it(`rejects an empty argument: ${JSON.stringify(args)}`, () => {
      assert.throws(
        () => new NetworkService(...args),
        (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.INVALID_ARGUMENT,
      );
    });
  }

  it('enumerate() and proxyEnumerate() return the service enumerator', () => {
    const s = new NetworkService('http', 'tcp', 'd.test');
    const r = new TableResolver([]);
    assert.ok(s.enumerate({ resolver: r }) instanceof NetworkServiceAddressEnumerator);
    assert.ok(s.proxyEnumerate({ resolver: r }) instanceof NetworkServiceAddressEnumerator);
  });
});

describe('NetworkService: enumeration (table resolver)', () => {
  it('each target’s addresses in order, with the target’s port; currentTarget follows', async () => {
    const r = new TableResolver(
      [new SrvTarget('one.test', 1001, 1, 0), new SrvTarget('two.test', 1002, 2, 0)],
      {
        'one.test': ['::1', '127.0.0.1'],
        'two.test': ['127.0.0.2'],
      },
    );
    const e = new NetworkService('x', 'tcp', 'd.test').enumerate({
      resolver: r,
    }) as NetworkServiceAddressEnumerator;
    assert.equal(e.currentTarget, null);
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const a = await e.next();
      if (a === null) break;
      seen.push(`${String(a)} via ${e.currentTarget!.hostname}`);
    }
    assert.deepEqual(seen, [
      '[::1]:1001 via one.test',
      '127.0.0.1:1001 via one.test',
      '127.0.0.2:1002 via two.test',
    ]);
    assert.equal(e.currentTarget, null);
    assert.equal(await e.next(), null);
  });

  it('targets are looked up once and cached on the NetworkService (per resolver)', async () => {
    const r = new TableResolver([new SrvTarget('one.test', 1, 0, 0)], { 'one.test': ['127.0.0.1'] });
    const s = new NetworkService('x', 'tcp', 'd.test');
    assert.deepEqual((await drain(s.enumerate({ resolver: r }))).addresses, ['127.0.0.1:1']);
    assert.deepEqual((await drain(s.proxyEnumerate({ resolver: r, proxyResolver: direct() }))).addresses, [
      '127.0.0.1:1',
    ]);
    assert.equal(r.serviceLookups, 1);
    const other = new TableResolver([new SrvTarget('one.test', 2, 0, 0)], { 'one.test': ['127.0.0.1'] });
    assert.deepEqual((await drain(s.enumerate({ resolver: other }))).addresses, ['127.0.0.1:2']);
  });

  it('the default resolver is used without opts.resolver', async () => {
    const r = new TableResolver([new SrvTarget('one.test', 7, 0, 0)], { 'one.test': ['127.0.0.1'] });
    Resolver.setDefault(r);
    try {
      assert.deepEqual((await drain(new NetworkService('x', 'tcp', 'd.test').enumerate())).addresses, [
        '127.0.0.1:7',
      ]);
    } finally {
      Resolver.setDefault(null);
    }
  });

  it('no SRV record (NOT_FOUND) and a known service name → domain:<port from /etc/services>', async () => {
    const r = new TableResolver(notFound('_http._tcp.d.test'), { 'd.test': ['127.0.0.9'] });
    const e = new NetworkService('http', 'tcp', 'd.test').enumerate({
      resolver: r,
    }) as NetworkServiceAddressEnumerator;
    assert.equal(String(await e.next()), '127.0.0.9:80');
    assert.deepEqual(
      [e.currentTarget!.hostname, e.currentTarget!.port, e.currentTarget!.priority, e.currentTarget!.weight],
      ['d.test', 80, 0, 0],
    );
  });

  it('the fallback asks for the tcp port whatever the protocol (as GIO)', async () => {
    const r = new TableResolver(notFound('_https._udp.d.test'), { 'd.test': ['127.0.0.9'] });
    assert.deepEqual(
      (await drain(new NetworkService('https', 'udp', 'd.test').enumerate({ resolver: r }))).addresses,
      ['127.0.0.9:443'],
    );
  });

  it('no SRV record and an unknown service name → the SRV error', async () => {
    const err = notFound('_no-such-service-x._tcp.d.test');
    const r = new TableResolver(err, { 'd.test': ['127.0.0.9'] });
    const { addresses, error } = await drain(
      new NetworkService('no-such-service-x', 'tcp', 'd.test').enumerate({ resolver: r }),
    );
    assert.deepEqual(addresses, []);
    assert.equal(error, err);
  });

  it('TEMPORARY_FAILURE is not NOT_FOUND: no fallback even for a known service', async () => {
    const err = new ResolverError(
      ResolverErrorEnum.TEMPORARY_FAILURE,
      'Temporarily unable to resolve “_http._tcp.d.test”',
    );
    const r = new TableResolver(err, { 'd.test': ['127.0.0.9'] });
    const { addresses, error } = await drain(
      new NetworkService('http', 'tcp', 'd.test').enumerate({ resolver: r }),
    );
    assert.deepEqual(addresses, []);
    assert.equal(error, err);
    assert.deepEqual(r.nameLookups, []);
  });

  it('an empty target list (a lone ".") → NOT_FOUND, never an empty success, and no fallback', async () => {
    const r = new TableResolver([], { 'd.test': ['127.0.0.9'] });
    const { addresses, error } = await drain(
      new NetworkService('http', 'tcp', 'd.test').enumerate({ resolver: r }),
    );
    assert.deepEqual(addresses, []);
    assert.ok(error instanceof ResolverError);
    assert.equal(error.code, ResolverErrorEnum.NOT_FOUND);
    assert.equal(error.message, 'Service “http” is not available on “d.test”');
  });

  it('a target that does not resolve is skipped; the next one’s addresses follow, no error', async () => {
    const r = new TableResolver([new SrvTarget('bad.test', 1, 1, 0), new SrvTarget('good.test', 2, 2, 0)], {
      'good.test': ['127.0.0.2'],
    });
    const e = new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: r });
    assert.deepEqual(await drain(e), { addresses: ['127.0.0.2:2'], error: null });
  });

  it('every target fails → the first target’s error', async () => {
    const first = new ResolverError(
      ResolverErrorEnum.TEMPORARY_FAILURE,
      'Error resolving “a.test”: Temporary failure',
    );
    const r = new TableResolver([new SrvTarget('a.test', 1, 1, 0), new SrvTarget('b.test', 2, 2, 0)], {
      'a.test': first,
    });
    const { addresses, error } = await drain(
      new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: r }),
    );
    assert.deepEqual(addresses, []);
    assert.equal(error, first);
  });

  it('after the first address, a failing target ends the enumeration without error (Q4)', async () => {
    const r = new TableResolver([new SrvTarget('good.test', 1, 1, 0), new SrvTarget('bad.test', 2, 2, 0)], {
      'good.test': ['127.0.0.1'],
    });
    const e = new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: r });
    assert.deepEqual(await drain(e), { addresses: ['127.0.0.1:1'], error: null });
  });

  it('a "." among several targets is skipped as an invalid host name', async () => {
    const r = new TableResolver([new SrvTarget('.', 0, 0, 0)].concat(new SrvTarget('ok.test', 5, 1, 0)), {
      'ok.test': ['127.0.0.1'],
    });
    assert.deepEqual(await drain(new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: r })), {
      addresses: ['127.0.0.1:5'],
      error: null,
    });
    const only = new TableResolver([new SrvTarget('.', 0, 0, 0), new SrvTarget('.', 0, 1, 0)]);
    const { error } = await drain(new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: only }));
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.INVALID_ARGUMENT);
    assert.equal(error.message, "Received invalid hostname '.' from GSrvTarget");
  });

  it('cancelling next() during the SRV lookup → CANCELLED, and the lookup is torn down', async () => {
    const baseline = activeResources();
    const r = new TableResolver('hold');
    const e = new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: r });
    const c = new Cancellable();
    setTimeout(() => c.cancel(), 20);
    await assert.rejects(
      e.next(c),
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CANCELLED,
    );
    assert.equal(c.handlerCount, 0);
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('close() during the SRV lookup stops it; later next() returns null', async () => {
    const r = new TableResolver('hold');
    const e = new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: r });
    const pending = e.next();
    setTimeout(() => e.close?.(), 10);
    await assert.rejects(
      pending,
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CANCELLED,
    );
    assert.equal(await e.next(), null);
  });

  it('cancellation inside a target’s lookup is reported, not swallowed as a target error', async () => {
    const r = new TableResolver([new SrvTarget('one.test', 1, 0, 0), new SrvTarget('two.test', 2, 1, 0)], {
      'two.test': ['127.0.0.1'],
    });
    const c = new Cancellable();
    c.cancel();
    const e = new NetworkService('x', 'tcp', 'd.test').enumerate({ resolver: r });
    await assert.rejects(
      e.next(c),
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CANCELLED,
    );
  });
});

/** A proxy resolver that records the URIs it is asked about and answers `answer`. */
function recording(answer: readonly string[]): ProxyResolver & { readonly uris: string[] } {
  const uris: string[] = [];
  return {
    uris,
    isSupported: () => true,
    lookup: async (uri: string, _opts?: CancelOptions) => {
      uris.push(uri);
      return [...answer];
    },
  };
}
const direct = (): ProxyResolver => recording(['direct://']);

describe('NetworkService: proxyEnumerate (SPEC §3: the client’s proxy resolver and the scheme are honoured)', () => {
  const targets = [new SrvTarget('one.test', 5222, 1, 0), new SrvTarget('two.test', 5223, 2, 0)];
  const names = { 'one.test': ['127.0.0.1'], 'two.test': ['127.0.0.2'] };

  it('asks opts.proxyResolver with <service>://<target>:<port> for each target', async () => {
    const proxies = recording(['direct://']);
    const e = new NetworkService('xmpp-client', 'tcp', 'd.test').proxyEnumerate({
      resolver: new TableResolver(targets, names),
      proxyResolver: proxies,
    });
    assert.deepEqual((await drain(e)).addresses, ['127.0.0.1:5222', '127.0.0.2:5223']);
    assert.deepEqual(proxies.uris, ['xmpp-client://one.test:5222', 'xmpp-client://two.test:5223']);
  });

  it('uses the scheme when one is set', async () => {
    const proxies = recording(['direct://']);
    const s = new NetworkService('xmpp-client', 'tcp', 'd.test');
    s.scheme = 'xyz';
    await drain(s.proxyEnumerate({ resolver: new TableResolver(targets, names), proxyResolver: proxies }));
    assert.deepEqual(proxies.uris, ['xyz://one.test:5222', 'xyz://two.test:5223']);
  });

  it('a proxy yields ProxyAddresses whose destination is the SRV target, with the scheme', async () => {
    const proxies = recording(['socks5://127.0.0.1:1080']);
    const e = new NetworkService('https', 'tcp', 'd.test').proxyEnumerate({
      resolver: new TableResolver([targets[0]], names),
      proxyResolver: proxies,
    });
    const a = await e.next();
    assert.ok(a instanceof ProxyAddress);
    assert.deepEqual(
      [a.protocol, a.destinationProtocol, a.destinationHostname, a.destinationPort],
      ['socks5', 'https', 'one.test', 5222],
    );
    e.close?.();
  });

  it('enumerate() does not ask a proxy resolver', async () => {
    const proxies = recording(['direct://']);
    const e = new NetworkService('https', 'tcp', 'd.test').enumerate({
      resolver: new TableResolver([targets[0]], names),
      proxyResolver: proxies,
    });
    const a = await e.next();
    assert.ok(a instanceof InetSocketAddress && !(a instanceof ProxyAddress));
    assert.deepEqual(proxies.uris, []);
    e.close?.();
  });
});

describe('NetworkService against dnsmasq', () => {
  let dns: Dnsmasq | null = null;
  before(async () => {
    if (!dnsmasqAvailable()) return;
    dns = await startDnsmasq({
      srv: [
        // Listed lower priority first: the order must come from the priorities.
        { name: '_xmpp._tcp.two.test', target: 'backup.two.test', port: 6002, priority: 20, weight: 0 },
        { name: '_xmpp._tcp.two.test', target: 'primary.two.test', port: 6001, priority: 10, weight: 0 },
        { name: '_xmpp._tcp.dot.test' },
        { name: '_xmpp._tcp.mixed.test', target: 'missing.mixed.test', port: 6003, priority: 1, weight: 0 },
        { name: '_xmpp._tcp.mixed.test', target: 'ok.mixed.test', port: 6004, priority: 2, weight: 0 },
      ],
      hosts: [
        { name: 'primary.two.test', ipv4: '127.0.0.1', ipv6: '::1' },
        { name: 'backup.two.test', ipv4: '127.0.0.2' },
        { name: 'ok.mixed.test', ipv4: '127.0.0.3' },
        { name: 'plain.test', ipv4: '127.0.0.4' },
      ],
      servfail: ['broken.test'],
    });
  });
  after(async () => {
    await dns?.stop();
  });

  const enumerate = (service: string, domain: string): NetworkServiceAddressEnumerator =>
    new NetworkService(service, 'tcp', domain).enumerate({
      resolver: dns!.resolver,
    }) as NetworkServiceAddressEnumerator;

  it('two priorities: the first target’s addresses (Happy Eyeballs order), then the second’s', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    assert.deepEqual(await drain(enumerate('xmpp', 'two.test')), {
      addresses: ['[::1]:6001', '127.0.0.1:6001', '127.0.0.2:6002'],
      error: null,
    });
  });

  it('no SRV record + a known service (http) → the domain on port 80', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    assert.deepEqual(await drain(enumerate('http', 'plain.test')), {
      addresses: ['127.0.0.4:80'],
      error: null,
    });
  });

  it('no SRV record + an unknown service → NOT_FOUND for the SRV name', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const { addresses, error } = await drain(enumerate('no-such-service-x', 'plain.test'));
    assert.deepEqual(addresses, []);
    assert.ok(error instanceof ResolverError);
    assert.equal(error.code, ResolverErrorEnum.NOT_FOUND);
    assert.equal(
      error.message,
      'No DNS record of the requested type for “_no-such-service-x._tcp.plain.test”',
    );
  });

  it('a lone "." target → NOT_FOUND "Service … is not available"', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const { addresses, error } = await drain(enumerate('xmpp', 'dot.test'));
    assert.deepEqual(addresses, []);
    assert.ok(error instanceof ResolverError);
    assert.equal(error.code, ResolverErrorEnum.NOT_FOUND);
    assert.equal(error.message, 'Service “xmpp” is not available on “dot.test”');
  });

  it('a target whose name does not resolve, then one that does → the working one’s addresses', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    assert.deepEqual(await drain(enumerate('xmpp', 'mixed.test')), {
      addresses: ['127.0.0.3:6004'],
      error: null,
    });
  });

  it('SERVFAIL → TEMPORARY_FAILURE, and no fallback for a known service', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const { addresses, error } = await drain(enumerate('http', 'broken.test'));
    assert.deepEqual(addresses, []);
    assert.ok(error instanceof ResolverError);
    assert.equal(error.code, ResolverErrorEnum.TEMPORARY_FAILURE);
    assert.equal(error.message, 'Temporarily unable to resolve “_http._tcp.broken.test”');
  });
});

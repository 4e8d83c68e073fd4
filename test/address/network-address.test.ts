import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkAddress } from '../../src/address/network-address.js';
import { InetSocketAddress, type SocketAddress } from '../../src/address/socket-address.js';
import { redactUri } from '../../src/address/uri.js';
import { IOError, ResolverError } from '../../src/errors/gerror.js';
import { IOErrorEnum, ResolverErrorEnum, ResolverNameLookupFlags } from '../../src/errors/enums.js';
import type { Resolver } from '../../src/resolver/resolver.js';
import { FixedResolver, NoLookupResolver } from './mock-resolvers.js';

function isInvalidArgument(message: string | RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof IOError, `expected IOError, got ${String(err)}`);
    assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

/** Every address of one enumeration, as `ip|port` strings, up to the end (bounded). */
async function enumerateAll(na: NetworkAddress, resolver: Resolver): Promise<string[]> {
  const e = na.enumerate({ resolver });
  const out: string[] = [];
  for (let i = 0; i < 20; i++) {
    const a: SocketAddress | null = await e.next();
    if (a === null) return out;
    assert.ok(a instanceof InetSocketAddress);
    out.push(`${a.address.toString()}|${a.port}`);
  }
  throw new Error('enumeration did not end');
}

describe('NetworkAddress basics (/network-address/basic, §4.3)', () => {
  it('keeps hostname and port; scheme is null', () => {
    const na = new NetworkAddress('www.gnome.org', 8080);
    assert.equal(na.hostname, 'www.gnome.org');
    assert.equal(na.getHostname(), 'www.gnome.org');
    assert.equal(na.port, 8080);
    assert.equal(na.getPort(), 8080);
    assert.equal(na.scheme, null);
    assert.equal(na.getScheme(), null);
  });
  it('rejects ports outside 0..65535 and non-integer ports', () => {
    for (const port of [-1, 65536, 1.5, NaN]) {
      assert.throws(() => new NetworkAddress('h', port), isInvalidArgument(/port/));
    }
  });
});

describe('NetworkAddress.toString (/network-address/to-string)', () => {
  const cases: readonly (readonly [NetworkAddress, string])[] = [
    [new NetworkAddress('some-hostname', 0), 'some-hostname'],
    [new NetworkAddress('some-hostname', 123), 'some-hostname:123'],
    [new NetworkAddress('some-hostname', 123, 'http'), 'http:some-hostname:123'],
    [new NetworkAddress('some-hostname', 0, 'http'), 'http:some-hostname'],
    [NetworkAddress.loopback(456), 'localhost:456'],
    [new NetworkAddress('2001:db8::1', 1234), '2001:db8::1:1234'], // IPv6 is not bracketed
    [NetworkAddress.parse('hostname:0', 80), 'hostname'], // port 0 left out
    [NetworkAddress.parseUri('http://[fe80::1%25lo]:81/', 0), 'http:fe80::1%lo:81'],
  ];
  for (const [na, want] of cases) it(want, () => assert.equal(na.toString(), want));
});

describe('NetworkAddress.parse (§4.1)', () => {
  it('splits host and port, scheme null', () => {
    const na = NetworkAddress.parse('[2001:db8::1]:888', 1234);
    assert.deepEqual([na.hostname, na.port, na.scheme], ['2001:db8::1', 888, null]);
    const d = NetworkAddress.parse('www.gnome.org', 1234);
    assert.deepEqual([d.hostname, d.port, d.scheme], ['www.gnome.org', 1234, null]);
    const s = NetworkAddress.parse('www.gnome.org:http', 1234);
    assert.equal(s.port, 80);
  });
  const bad: readonly (readonly [string, string])[] = [
    ['[hostname', 'Hostname “[hostname” contains “[” but not “]”'],
    [
      '[hostnam]e',
      "The ']' character (in hostname '[hostnam]e') must come at the end or be immediately followed by ':' and a port",
    ],
    ['hostname:', "If a ':' character is given, it must be followed by a port (in hostname 'hostname:')."],
    ['hostname:65536', "Invalid numeric port '65536' specified in hostname 'hostname:65536'"],
    ['hostname:-1', "Unknown service '-1' specified in hostname 'hostname:-1'"],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${input}`, () =>
      assert.throws(() => NetworkAddress.parse(input, 1234), isInvalidArgument(message)));
  }
  it('rejects non-string input', () => {
    for (const input of [null, undefined, 80, {}]) {
      assert.throws(() => NetworkAddress.parse(input as string, 80), isInvalidArgument(/must be a string/));
    }
  });
  it('rejects an invalid default port', () => {
    for (const port of [-1, 65536, 8.5, NaN, '80' as unknown as number]) {
      assert.throws(() => NetworkAddress.parse('h', port), isInvalidArgument(/default port/));
    }
  });
});

describe('NetworkAddress.parseUri (§4.2, /network-address/parse-uri)', () => {
  const ok: readonly (readonly [string, string, string, number])[] = [
    ['http://www.gnome.org:2020/start', 'http', 'www.gnome.org', 2020],
    ['ftp://joe~:(*)%46@ftp.gnome.org:2020/start', 'ftp', 'ftp.gnome.org', 2020],
    ['ftp://[fec0::abcd]/start', 'ftp', 'fec0::abcd', 8080],
    ['ftp://[fec0::abcd]:999/start', 'ftp', 'fec0::abcd', 999],
    ['http://[fec0::abcd%25em1]/start', 'http', 'fec0::abcd%em1', 8080],
    ['http://[fec0::abcd%25em%31]/start', 'http', 'fec0::abcd%em1', 8080],
    ['ftp://ftp.gnome.org/start?foo=bar@baz', 'ftp', 'ftp.gnome.org', 8080],
    ['https://host', 'https', 'host', 8080], // no scheme → port table here
    ['http://host:0/', 'http', 'host', 8080], // port 0 counts as absent
    ['http://host:/', 'http', 'host', 8080],
    ['HTTP://Host.Example:81', 'http', 'Host.Example', 81],
  ];
  for (const [uri, scheme, host, port] of ok) {
    it(uri, () => {
      const na = NetworkAddress.parseUri(uri, 8080);
      assert.deepEqual([na.scheme, na.hostname, na.port], [scheme, host, port]);
    });
  }
  const bad = [
    'ftp://joe%x-@ftp.gnome.org:2020/start',
    'http://[fec0::abcd%em1]/start',
    'http://[fec0::abcd%10]/start',
    'asdf',
    'http:foo',
    'mailto:joe@example.com',
    'http://h:65536/',
    'http://h:-1/',
    'http://%31.2.3.4/',
    'http://h/%zz',
    '',
  ];
  for (const uri of bad) {
    it(`rejects ${JSON.stringify(uri)}`, () => {
      assert.throws(
        () => NetworkAddress.parseUri(uri, 8080),
        isInvalidArgument(`Invalid URI ‘${redactUri(uri)}’`),
      );
    });
  }
  it('rejects non-string input and an invalid default port', () => {
    assert.throws(
      () => NetworkAddress.parseUri(42 as unknown as string, 80),
      isInvalidArgument(/must be a string/),
    );
    assert.throws(() => NetworkAddress.parseUri('http://h/', 70000), isInvalidArgument(/default port/));
  });
});

describe('NetworkAddress.loopback (/network-address/loopback)', () => {
  it('is localhost, scheme null, and enumerates [::1, 127.0.0.1] then null with no resolver call', async () => {
    const na = NetworkAddress.loopback(5000);
    assert.equal(na.hostname, 'localhost');
    assert.equal(na.port, 5000);
    assert.equal(na.scheme, null);
    const resolver = new NoLookupResolver();
    assert.deepEqual(await enumerateAll(na, resolver), ['::1|5000', '127.0.0.1|5000']);
    assert.deepEqual(resolver.queried, []);
    // and again: the fixed list is not consumed by the first enumeration
    assert.deepEqual(await enumerateAll(na, resolver), ['::1|5000', '127.0.0.1|5000']);
  });
});

describe('IP literals and inet_aton forms (/network-address/resolve-address, §4.5)', () => {
  it('192.168.1.2 and fe80::42 give exactly one address, with no lookup', async () => {
    const resolver = new NoLookupResolver();
    assert.deepEqual(await enumerateAll(new NetworkAddress('192.168.1.2', 80), resolver), ['192.168.1.2|80']);
    assert.deepEqual(await enumerateAll(new NetworkAddress('fe80::42', 80), resolver), ['fe80::42|80']);
    assert.deepEqual((await resolver.lookupByName('192.168.1.2')).map(String), ['192.168.1.2']);
    assert.deepEqual((await resolver.lookupByName('fe80::42')).map(String), ['fe80::42']);
    assert.deepEqual(resolver.queried, []);
  });

  it('192.168.1.2:80, [fe80::42] and [fe80::42]:80 are not IP literals (they go to the resolver)', async () => {
    for (const name of ['192.168.1.2:80', '[fe80::42]', '[fe80::42]:80']) {
      const resolver = new NoLookupResolver();
      await assert.rejects(resolver.lookupByName(name));
      assert.deepEqual(resolver.queried, [name]);
    }
  });

  const atonForms = [
    '192.168.258',
    '192.11010306',
    '3232235778',
    '0300.0250.0001.0001',
    '0xC0.0xA8.0x01.0x02',
    '0xc0.0xa8.0x01.0x02',
    '0xc0a80102',
    '1.2.3.4 trailing', // inet_aton stops at whitespace
  ];
  for (const name of atonForms) {
    it(`${JSON.stringify(name)} → ResolverError NOT_FOUND without a lookup`, async () => {
      const resolver = new NoLookupResolver();
      const notFound = (err: unknown): boolean => {
        assert.ok(err instanceof ResolverError);
        assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
        assert.equal(err.message, `Error resolving “${name}”: Name or service not known`);
        return true;
      };
      await assert.rejects(resolver.lookupByName(name), notFound);
      await assert.rejects(resolver.lookupByNameWithFlags(name, ResolverNameLookupFlags.IPV4_ONLY), notFound);
      await assert.rejects(new NetworkAddress(name, 80).enumerate({ resolver }).next(), notFound);
      assert.deepEqual(resolver.queried, []);
    });
  }

  it('zone ids (/network-address/scope-id, uri-scope-id)', async () => {
    const resolver = new NoLookupResolver();
    for (const na of [
      new NetworkAddress('fe80::42%lo', 99),
      NetworkAddress.parseUri('http://[fe80::42%25lo]:99/foo', 0),
    ]) {
      const e = na.enumerate({ resolver });
      const a = await e.next();
      assert.ok(a instanceof InetSocketAddress);
      assert.equal(a.address.toString(), 'fe80::42');
      assert.equal(a.address.scope, 'lo');
      assert.equal(a.port, 99);
      assert.equal(await e.next(), null);
    }
    assert.throws(
      () => NetworkAddress.parseUri('http://[fe80::42%lo]:99/foo', 0),
      isInvalidArgument(/Invalid URI/),
    );
    assert.deepEqual(resolver.queried, []);
  });
});

describe('localhost names (/network-address/localhost, §4.5)', () => {
  const names = [
    'localhost',
    'localhost.',
    '.localhost',
    'foo.localhost',
    '.localhost.',
    'LOCALHOST',
    'Foo.LocalHost.',
  ];
  for (const name of names) {
    it(`${JSON.stringify(name)} → [::1, 127.0.0.1] without a lookup`, async () => {
      const resolver = new NoLookupResolver();
      assert.deepEqual((await resolver.lookupByName(name)).map(String), ['::1', '127.0.0.1']);
      const v4 = await resolver.lookupByNameWithFlags(name, ResolverNameLookupFlags.IPV4_ONLY);
      assert.deepEqual(v4.map(String), ['127.0.0.1']);
      const v6 = await resolver.lookupByNameWithFlags(name, ResolverNameLookupFlags.IPV6_ONLY);
      assert.deepEqual(v6.map(String), ['::1']);
      assert.deepEqual(await enumerateAll(new NetworkAddress(name, 7), resolver), ['::1|7', '127.0.0.1|7']);
      assert.deepEqual(resolver.queried, []);
    });
  }

  it('names that merely look like localhost go to the resolver', async () => {
    const resolver = new FixedResolver(['123.123.123.123']);
    for (const name of ['invalid', 'localhost.localdomain', 'xlocalhost', 'localhost..', 'localhostx']) {
      assert.deepEqual((await resolver.lookupByName(name)).map(String), ['123.123.123.123'], name);
    }
    assert.deepEqual(await enumerateAll(new NetworkAddress('invalid', 1), resolver), ['123.123.123.123|1']);
  });
});

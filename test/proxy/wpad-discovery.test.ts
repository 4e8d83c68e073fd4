// DNS-based WPAD discovery: the names asked (the walk bounded by the Public Suffix List), the search
// domain, and discovery itself against a real dnsmasq on loopback and a loopback HTTP server
// serving wpad.dat (on an injected port: WPAD's port 80 is an option for tests).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  parsePublicSuffixList,
  loadPublicSuffixList,
  SYSTEM_PUBLIC_SUFFIX_LIST,
} from '../../src/proxy/public-suffix.js';
import { searchDomain, wpadDomains } from '../../src/proxy/wpad-names.js';
import { WpadDiscovery, WPAD_FOUND_MS, WPAD_MISSING_MS } from '../../src/proxy/wpad-discovery.js';
// The package entry point: it installs the client-layer fetcher that WPAD fetches wpad.dat with.
import { IOErrorEnum } from '../../src/index.js';
import type { Clock } from '../../src/clock.js';
import { dnsmasqAvailable, startDnsmasq, type HostRecordSpec } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';

const PAC = 'function FindProxyForURL(url, host) { return "DIRECT"; }';

/** A loopback HTTP server answering `GET /wpad.dat` only for the `Host:` names in `serves`. */
async function startWpadServer(
  serves: readonly string[],
): Promise<{ port: number; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    const host = req.headers.host ?? '';
    requests.push(`${host}${req.url ?? ''}`);
    if (req.url === '/wpad.dat' && serves.some((name) => host === `${name}:${port}`)) {
      res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' });
      res.end(`// ${host}\n${PAC}`);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A clock whose time moves only when told (the cache's lifetimes without waiting). */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('WPAD names', () => {
  it('walks from the domain to the registrable domain of the system Public Suffix List, no further', async (t) => {
    const present = existsSync(SYSTEM_PUBLIC_SUFFIX_LIST);
    if (!requireOrSkip(t, present, `${SYSTEM_PUBLIC_SUFFIX_LIST} missing (Debian package publicsuffix)`))
      return;
    const psl = await loadPublicSuffixList();
    assert.ok(psl !== null);
    const table: [string, string[]][] = [
      ['corp.example.com', ['corp.example.com', 'example.com']],
      ['a.b.example.com', ['a.b.example.com', 'b.example.com', 'example.com']],
      ['example.com', ['example.com']],
      ['corp.example.co.uk', ['corp.example.co.uk', 'example.co.uk']],
      ['co.uk', []],
      ['com', []],
      ['a.corp.test', ['a.corp.test', 'corp.test']],
      ['lan', []],
      ['team.user.github.io', ['team.user.github.io', 'user.github.io']],
    ];
    for (const [domain, expected] of table) assert.deepEqual(wpadDomains(domain, psl), expected, domain);
  });

  it('reads wildcard and exception rules; without a list only the domain itself is asked', () => {
    const psl = parsePublicSuffixList(
      '// comment\nuk\nco.uk\n*.ck\n!www.ck\n\nbüro.example   trailing words\n',
    );
    assert.equal(psl.suffixLabels('a.b.co.uk'), 2);
    assert.equal(psl.suffixLabels('a.b.ck'), 2);
    assert.equal(psl.suffixLabels('a.www.ck'), 1);
    assert.equal(psl.suffixLabels('a.xn--bro-hoa.example'), 2);
    assert.equal(psl.suffixLabels('a.unlisted'), 1);
    assert.deepEqual(wpadDomains('x.y.b.ck', psl), ['x.y.b.ck', 'y.b.ck']);
    assert.deepEqual(wpadDomains('a.corp.example.com', null), ['a.corp.example.com']);
  });

  it('takes the first search domain of resolv.conf (the last search or domain line wins)', () => {
    const table: [string, string | null][] = [
      ['nameserver 127.0.0.53\nsearch corp.example.com other.example\n', 'corp.example.com'],
      ['domain old.example\nsearch New.Example.\n', 'new.example'],
      ['search a.example\ndomain b.example\n', 'b.example'],
      ['search .\n', null],
      ['search lan corp.example\n', 'corp.example'],
      ['nameserver 127.0.0.1\n', null],
      ['search # nothing\n', null],
    ];
    for (const [text, expected] of table) assert.equal(searchDomain(text), expected, text);
  });

  it('rejects bad options with INVALID_ARGUMENT', () => {
    for (const opts of [
      { port: 0 },
      { port: 70000 },
      { port: 1.5 },
      { domain: 'single' },
      { domain: 'a..b' },
    ]) {
      assert.throws(
        () => new WpadDiscovery(opts),
        { code: IOErrorEnum.INVALID_ARGUMENT },
        JSON.stringify(opts),
      );
    }
  });
});

describe('WPAD discovery through a dnsmasq on loopback', () => {
  async function withWpad(
    hosts: readonly HostRecordSpec[],
    serves: readonly string[],
    fn: (ctx: {
      dns: Awaited<ReturnType<typeof startDnsmasq>>;
      http: Awaited<ReturnType<typeof startWpadServer>>;
    }) => Promise<void>,
  ): Promise<void> {
    const dns = await startDnsmasq({ hosts, logQueries: true });
    try {
      const http = await startWpadServer(serves);
      try {
        await fn({ dns, http });
      } finally {
        await http.close();
      }
    } finally {
      await dns.stop();
    }
  }

  it('finds wpad.dat at a parent level after the child levels miss, and never asks wpad.<suffix>', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    if (!requireOrSkip(t, existsSync(SYSTEM_PUBLIC_SUFFIX_LIST), 'publicsuffix not installed')) return;
    await withWpad(
      [{ name: 'wpad.corp.test', ipv4: '127.0.0.1' }],
      ['wpad.corp.test'],
      async ({ dns, http }) => {
        const discovery = new WpadDiscovery({
          resolver: dns.resolver,
          domain: 'a.b.corp.test',
          port: http.port,
        });
        const result = await discovery.discover();
        assert.equal(result.found, true);
        assert.ok(result.found);
        assert.equal(result.url, `http://wpad.corp.test:${http.port}/wpad.dat`);
        assert.match(result.script, /FindProxyForURL/);
        assert.equal(result.tried.length, 3);
        assert.ok(
          result.tried[0].startsWith(`http://wpad.a.b.corp.test:${http.port}/wpad.dat: `),
          result.tried[0],
        );
        assert.ok(
          result.tried[1].startsWith(`http://wpad.b.corp.test:${http.port}/wpad.dat: `),
          result.tried[1],
        );
        assert.deepEqual(http.requests, [`wpad.corp.test:${http.port}/wpad.dat`]);
        const asked = [...dns.log().matchAll(/query\[A+\] (\S+)/g)].map((m) => m[1]);
        assert.ok(asked.includes('wpad.a.b.corp.test'), dns.log());
        assert.ok(!asked.includes('wpad.test'), 'asked for wpad.<public suffix>');
      },
    );
  });

  it('the most specific level wins; a name serving no script is skipped like a missing one', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    const hosts = [
      { name: 'wpad.a.corp.test', ipv4: '127.0.0.1' },
      { name: 'wpad.corp.test', ipv4: '127.0.0.1' },
    ];
    await withWpad(hosts, ['wpad.a.corp.test', 'wpad.corp.test'], async ({ dns, http }) => {
      const result = await new WpadDiscovery({
        resolver: dns.resolver,
        domain: 'a.corp.test',
        port: http.port,
      }).discover();
      assert.ok(result.found);
      assert.equal(result.url, `http://wpad.a.corp.test:${http.port}/wpad.dat`);
    });
    await withWpad(hosts, ['wpad.corp.test'], async ({ dns, http }) => {
      const result = await new WpadDiscovery({
        resolver: dns.resolver,
        domain: 'a.corp.test',
        port: http.port,
      }).discover();
      assert.ok(result.found);
      assert.equal(result.url, `http://wpad.corp.test:${http.port}/wpad.dat`);
      assert.match(result.tried[0], /wpad\.a\.corp\.test.*HTTP 404/);
    });
  });

  it('without a Public Suffix List only the domain itself is asked: no walk to a parent', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    await withWpad(
      [{ name: 'wpad.corp.test', ipv4: '127.0.0.1' }],
      ['wpad.corp.test'],
      async ({ dns, http }) => {
        const result = await new WpadDiscovery({
          resolver: dns.resolver,
          domain: 'a.corp.test',
          port: http.port,
          publicSuffixList: '/nonexistent/public_suffix_list.dat',
        }).discover();
        assert.ok(!result.found);
        assert.equal(result.tried.length, 1);
        assert.ok(
          result.tried[0].startsWith(`http://wpad.a.corp.test:${http.port}/wpad.dat: `),
          result.tried[0],
        );
        assert.deepEqual(http.requests, []);
      },
    );
  });

  it('finds nothing: a miss with the names tried, cached for its lifetime, then asked again', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    await withWpad([], [], async ({ dns, http }) => {
      const clock = manualClock();
      const discovery = new WpadDiscovery({
        resolver: dns.resolver,
        domain: 'corp.test',
        port: http.port,
        clock,
      });
      const result = await discovery.discover();
      assert.equal(result.found, false);
      assert.ok(!result.found);
      assert.equal(result.reason, 'no wpad.dat found');
      assert.equal(result.tried.length, 1);
      assert.ok(result.tried[0].startsWith(`http://wpad.corp.test:${http.port}/wpad.dat: `), result.tried[0]);
      const queries = (): number => [...dns.log().matchAll(/query\[A\] wpad\.corp\.test/g)].length;
      const first = queries();
      assert.equal(await discovery.discover(), result, 'cached');
      clock.advance(WPAD_MISSING_MS - 1);
      assert.equal(await discovery.discover(), result, 'still cached');
      assert.equal(queries(), first);
      clock.advance(1);
      assert.equal(discovery.current(), null);
      const again = await discovery.discover();
      assert.notEqual(again, result);
      assert.ok(queries() > first);
    });
  });

  it('a found script is kept for its lifetime; concurrent callers share one discovery', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    await withWpad(
      [{ name: 'wpad.corp.test', ipv4: '127.0.0.1' }],
      ['wpad.corp.test'],
      async ({ dns, http }) => {
        const clock = manualClock();
        const discovery = new WpadDiscovery({
          resolver: dns.resolver,
          domain: 'corp.test',
          port: http.port,
          clock,
        });
        const [a, b] = await Promise.all([discovery.discover(), discovery.discover()]);
        assert.equal(a, b);
        assert.equal(http.requests.length, 1);
        clock.advance(WPAD_FOUND_MS - 1);
        assert.equal(await discovery.discover(), a);
        clock.advance(1);
        await discovery.discover();
        assert.equal(http.requests.length, 2);
      },
    );
  });

  it('a server that never answers or sends too much is skipped within the time limit', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    const hosts = [
      { name: 'wpad.a.corp.test', ipv4: '127.0.0.1' },
      { name: 'wpad.corp.test', ipv4: '127.0.0.1' },
    ];
    const dns = await startDnsmasq({ hosts });
    // A hand-written hostile peer: silence for wpad.a.corp.test, 2 MiB of script for wpad.corp.test.
    const server = createServer((req, res) => {
      if ((req.headers.host ?? '').startsWith('wpad.a.corp.test')) return; // never answers
      res.writeHead(200);
      res.end(`// ${'x'.repeat(2 << 20)}\n${PAC}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const started = Date.now();
      const discovery = new WpadDiscovery({
        resolver: dns.resolver,
        domain: 'a.corp.test',
        port,
        fetchTimeoutMs: 300,
      });
      const result = await discovery.discover();
      assert.ok(!result.found);
      assert.equal(result.tried.length, 2);
      assert.ok(Date.now() - started < 5000, 'bounded by the time limit');
      assert.match(result.tried[0], /wpad\.a\.corp\.test.*timed out/);
      assert.match(result.tried[1], /larger than 1048576 bytes/);
      assert.throws(() => new WpadDiscovery({ fetchTimeoutMs: 0 }), { code: IOErrorEnum.INVALID_ARGUMENT });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dns.stop();
    }
  });

  it('no local domain, or a domain with nothing to walk: found false without a query', async () => {
    const none = await new WpadDiscovery({ domain: null }).discover();
    assert.deepEqual(none, { found: false, reason: 'no local domain', tried: [] });
  });
});

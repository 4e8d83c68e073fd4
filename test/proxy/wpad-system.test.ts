// SystemProxyResolver when the desktop asks for automatic configuration without a URL: WPAD through
// a dnsmasq on loopback and a loopback server for wpad.dat, the script run by PacProxyResolver.
// KDE's kioslaverc (ProxyType=3) is the desktop here; GNOME's mode auto through the real gsettings
// is in system-proxy-resolver.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IOErrorEnum, SocketClient, SystemProxyResolver, type GError } from '../../src/index.js';
import { dnsmasqAvailable, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';
import { unusedPort } from '../helpers/servers.js';

const KDE_WPAD = '[Proxy Settings]\nProxyType=3\nhttpProxy=http://kde.example 3128\n';

/** wpad.dat: the refused proxy for www.example.test, DIRECT for the rest. */
function script(refusedPort: number): string {
  return [
    'function FindProxyForURL(url, host) {',
    '  if (host == "www.example.test") return "PROXY 127.0.0.1:' + String(refusedPort) + '";',
    '  if (dnsDomainIs(host, ".corp.test")) return "DIRECT";',
    '  return "PROXY proxy.corp.test:3128; DIRECT";',
    '}',
  ].join('\n');
}

interface World {
  readonly dns: Dnsmasq;
  readonly port: number;
  readonly requests: string[];
  readonly refusedPort: number;
  readonly env: NodeJS.ProcessEnv;
}

/** A kioslaverc asking for WPAD, a dnsmasq knowing `wpad.corp.test`, and a server for its wpad.dat. */
async function withWorld(fn: (world: World) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gsc-wpad-'));
  const dns = await startDnsmasq({ hosts: [{ name: 'wpad.corp.test', ipv4: '127.0.0.1' }] });
  const refusedPort = await unusedPort('127.0.0.1');
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.headers.host ?? ''}${req.url ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' });
    res.end(script(refusedPort));
  });
  try {
    await writeFile(join(dir, 'kioslaverc'), KDE_WPAD);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const env = { XDG_CURRENT_DESKTOP: 'KDE', XDG_CONFIG_HOME: dir, http_proxy: 'http://env.example:1' };
    await fn({ dns, port, requests, refusedPort, env });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dns.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('SystemProxyResolver: WPAD when the desktop asks for it', () => {
  it('discovers wpad.dat at the parent level and follows the script; explainProxy names the WPAD URL', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    await withWorld(async ({ dns, port, requests, env }) => {
      const wpad = { resolver: dns.resolver, domain: 'a.corp.test', port };
      const resolver = new SystemProxyResolver(env, { wpad });
      assert.deepEqual(await resolver.lookup('http://a.example:80'), [
        'http://proxy.corp.test:3128',
        'direct://',
      ]);
      assert.deepEqual(await resolver.lookup('https://intra.corp.test:443'), ['direct://']);
      const url = `http://wpad.corp.test:${port}/wpad.dat`;
      const explained = await resolver.explainProxy('http://a.example:80');
      assert.equal(explained.resolver, 'kde');
      assert.ok(explained.source.startsWith(`WPAD ${url}: `), explained.source);
      assert.match(explained.source, /PROXY proxy\.corp\.test:3128; DIRECT/);
      assert.deepEqual(explained.proxies, ['http://proxy.corp.test:3128', 'direct://']);
      assert.deepEqual(explained.pac, { url, answer: 'PROXY proxy.corp.test:3128; DIRECT', error: null });
      // Discovered once for all these lookups (the cache), never on the loopback destination.
      assert.deepEqual(await resolver.lookup('http://127.0.0.1:8080'), ['direct://']);
      assert.equal((await resolver.explainProxy('http://localhost:80')).source, 'loopback');
      assert.deepEqual(requests, [`wpad.corp.test:${port}/wpad.dat`]);
      // A blocking lookup cannot run a script (NOT_SUPPORTED, as for PAC) but answers loopback.
      assert.throws(() => resolver.lookupSync('http://a.example:80'), { code: IOErrorEnum.NOT_SUPPORTED });
      assert.deepEqual(resolver.lookupSync('http://127.0.0.1:80'), ['direct://']);
    });
  });

  it('a proxy from the script that fails is named on the error with the WPAD URL as its source', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    await withWorld(async ({ dns, port, refusedPort, env }) => {
      const proxyResolver = new SystemProxyResolver(env, {
        wpad: { resolver: dns.resolver, domain: 'corp.test', port },
      });
      const client = new SocketClient({ proxyResolver, resolver: dns.resolver });
      const err = await client.connectToHost('www.example.test:80', 0).then(
        () => assert.fail('connected'),
        (e: GError) => e,
      );
      assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(err.proxy?.uri, `http://127.0.0.1:${refusedPort}`);
      assert.match(
        err.proxy?.source ?? '',
        new RegExp(`^WPAD http://wpad\\.corp\\.test:${port}/wpad\\.dat: `),
      );
    });
  });

  it('nothing found: DIRECT (not the environment), and explainProxy lists the names tried', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    await withWorld(async ({ dns, port, requests, env }) => {
      const resolver = new SystemProxyResolver(env, {
        wpad: { resolver: dns.resolver, domain: 'a.other.test', port },
      });
      assert.deepEqual(await resolver.lookup('http://a.example:80'), ['direct://']);
      const explained = await resolver.explainProxy('http://a.example:80');
      assert.deepEqual(explained.proxies, ['direct://']);
      assert.match(
        explained.source,
        /^WPAD: no wpad\.dat found \(tried http:\/\/wpad\.a\.other\.test:\d+\/wpad\.dat: .*; http:\/\/wpad\.other\.test:\d+\/wpad\.dat: .*\); DIRECT$/,
      );
      assert.deepEqual(requests, []);
      // A blocking lookup is NOT_SUPPORTED even after a miss: the next discovery may find a script.
      assert.throws(() => resolver.explainProxySync('http://b.example:80'), {
        code: IOErrorEnum.NOT_SUPPORTED,
      });
    });
  });

  it('the blocking API meets WPAD: NOT_SUPPORTED for a remote destination, nothing discovered', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    await withWorld(async ({ dns, port, requests, env }) => {
      const proxyResolver = new SystemProxyResolver(env, {
        wpad: { resolver: dns.resolver, domain: 'corp.test', port },
      });
      assert.throws(() => proxyResolver.lookupSync('http://a.example:80'), {
        code: IOErrorEnum.NOT_SUPPORTED,
      });
      assert.throws(() => proxyResolver.explainProxySync('http://a.example:80'), {
        code: IOErrorEnum.NOT_SUPPORTED,
      });
      assert.equal(proxyResolver.explainProxySync('http://localhost:80').source, 'loopback');
      assert.deepEqual(requests, []);
    });
  });

  it('the environment and manual settings never discover; bad wpad options are INVALID_ARGUMENT', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    const dns = await startDnsmasq({
      hosts: [{ name: 'wpad.corp.test', ipv4: '127.0.0.1' }],
      logQueries: true,
    });
    const dir = await mkdtemp(join(tmpdir(), 'gsc-wpad-'));
    try {
      const wpad = { resolver: dns.resolver, domain: 'corp.test', port: 1 };
      const env = { http_proxy: 'http://env.example:1' };
      const fromEnv = new SystemProxyResolver(env, { wpad });
      assert.deepEqual(await fromEnv.lookup('http://a.example:80'), ['http://env.example:1']);
      assert.equal((await fromEnv.explainProxy('http://a.example:80')).source, 'http_proxy');
      await writeFile(
        join(dir, 'kioslaverc'),
        '[Proxy Settings]\nProxyType=1\nhttpProxy=http://kde.example 3128\n',
      );
      const manual = new SystemProxyResolver(
        { ...env, XDG_CURRENT_DESKTOP: 'KDE', XDG_CONFIG_HOME: dir },
        { wpad },
      );
      assert.deepEqual(await manual.lookup('http://a.example:80'), ['http://kde.example:3128']);
      assert.doesNotMatch(dns.log(), /query\[\w+\] wpad/, 'no WPAD query');
      for (const bad of [{ port: 0 }, { domain: 'x' }, 'yes']) {
        assert.throws(() => new SystemProxyResolver(env, { wpad: bad as never }), {
          code: IOErrorEnum.INVALID_ARGUMENT,
        });
      }
    } finally {
      await dns.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

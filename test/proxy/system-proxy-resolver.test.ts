// SystemProxyResolver against the real desktop settings: GNOME's through `gsettings` with the
// dconf backend in a private D-Bus session (test/helpers/gsettings-child.ts), KDE's through a
// kioslaverc written to a temporary XDG_CONFIG_HOME; and the source chosen from XDG_CURRENT_DESKTOP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SystemProxyResolver, systemProxySource } from '../../src/proxy/system-proxy-resolver.js';
import { EnvironmentProxyResolver } from '../../src/proxy/environment-proxy-resolver.js';
import { createDefaultProxyResolver } from '../../src/proxy/proxy-resolver.js';
import { parseGsettingsList } from '../../src/proxy/gnome-proxy-settings.js';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { requireOrSkip } from '../helpers/env.js';
import { canRunGsettings, runInPrivateDbusSession } from '../helpers/dbus-session.js';
import { dnsmasqAvailable, startDnsmasq } from '../helpers/dnsmasq.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { captureWarnings } from './warnings.js';

const CHILD = fileURLToPath(new URL('../helpers/gsettings-child.ts', import.meta.url));
const SOCKS = (authority: string): string[] =>
  ['socks5', 'socks4a', 'socks4'].map((s) => `${s}://${authority}`);

describe('SystemProxyResolver: the source', () => {
  it('follows XDG_CURRENT_DESKTOP: GNOME family, KDE, else the environment', () => {
    for (const desktop of [
      'GNOME',
      'ubuntu:GNOME',
      'Unity',
      'X-Cinnamon:cinnamon',
      'MATE',
      'Budgie:GNOME',
      'Pantheon',
      'gnome',
    ]) {
      assert.equal(systemProxySource({ XDG_CURRENT_DESKTOP: desktop }), 'gnome', desktop);
    }
    assert.equal(systemProxySource({ XDG_CURRENT_DESKTOP: 'KDE' }), 'kde');
    for (const desktop of [undefined, '', 'XFCE', 'sway', 'GNOMEish']) {
      assert.equal(systemProxySource({ XDG_CURRENT_DESKTOP: desktop }), 'environment', String(desktop));
    }
  });

  it('is the default resolver, and without a desktop answers as the environment', async () => {
    const resolver = createDefaultProxyResolver({ http_proxy: 'http://p.example:1' });
    assert.ok(resolver instanceof SystemProxyResolver);
    assert.equal(resolver.source, 'environment');
    assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://p.example:1']);
    assert.deepEqual(resolver.lookupSync('http://127.0.0.1:80'), ['direct://']);
    const explained = await resolver.explainProxy('http://a.example:80');
    assert.equal(explained.resolver, 'environment');
    assert.equal(explained.source, 'http_proxy');
    assert.ok(
      createDefaultProxyResolver({ GIO_USE_PROXY_RESOLVER: 'environment' }) instanceof
        EnvironmentProxyResolver,
    );
  });

  it('a GNOME session without a usable gsettings falls back to the environment', async () => {
    const env = { XDG_CURRENT_DESKTOP: 'GNOME', PATH: '/nonexistent', http_proxy: 'http://p.example:1' };
    const resolver = new SystemProxyResolver(env);
    assert.equal(resolver.source, 'gnome');
    assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://p.example:1']);
    assert.deepEqual(resolver.lookupSync('http://a.example:80'), ['http://p.example:1']);
    assert.equal((await resolver.explainProxy('http://a.example:80')).resolver, 'environment');
  });

  it('checks its arguments like every resolver', async () => {
    const resolver = new SystemProxyResolver({});
    await assert.rejects(resolver.lookup('asdf'), { code: IOErrorEnum.INVALID_ARGUMENT });
    assert.throws(() => resolver.lookupSync('asdf'), { code: IOErrorEnum.INVALID_ARGUMENT });
    assert.throws(() => new SystemProxyResolver({}, { proxyLoopback: 'yes' as unknown as boolean }), {
      code: IOErrorEnum.INVALID_ARGUMENT,
    });
  });

  it('reads gsettings output in GVariant text form', () => {
    const settings = parseGsettingsList(
      [
        "org.gnome.system.proxy ignore-hosts ['localhost', \"it's\", 'a\\\\b\\u00e9']",
        'org.gnome.system.proxy.http port 8080',
        'org.gnome.system.proxy use-same-proxy true',
        'org.gnome.system.proxy.http host "a\'b"',
        'org.gnome.system.proxy.ftp host @as []',
        'garbage',
      ].join('\n'),
    );
    assert.deepEqual(settings.get('org.gnome.system.proxy ignore-hosts'), ['localhost', "it's", 'a\\bé']);
    assert.equal(settings.get('org.gnome.system.proxy.http port'), 8080);
    assert.equal(settings.get('org.gnome.system.proxy use-same-proxy'), true);
    assert.equal(settings.get('org.gnome.system.proxy.http host'), "a'b");
    assert.equal(settings.size, 5);
  });
});

describe('SystemProxyResolver: GNOME settings through gsettings and dconf', () => {
  it('modes none, manual (http, https, ftp, socks, use-same-proxy, ignore-hosts, auth) and auto (WPAD)', async (t) => {
    if (!requireOrSkip(t, canRunGsettings(), 'gsettings, dconf and dbus-run-session not installed')) return;
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    // Mode auto without an autoconfig-url is WPAD: wpad.corp.test from a dnsmasq, wpad.dat from here.
    const dns = await startDnsmasq({ hosts: [{ name: 'wpad.corp.test', ipv4: '127.0.0.1' }] });
    const wpadServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ns-proxy-autoconfig' });
      res.end('function FindProxyForURL(url, host) { return "PROXY wpad-proxy.example:3128; DIRECT"; }');
    });
    await new Promise<void>((resolve) => wpadServer.listen(0, '127.0.0.1', resolve));
    const wpadPort = (wpadServer.address() as AddressInfo).port;
    let stdout: string;
    try {
      stdout = await runInPrivateDbusSession(CHILD, {
        GSC_WPAD_DNS: dns.servers[0],
        GSC_WPAD_DOMAIN: 'a.corp.test',
        GSC_WPAD_PORT: String(wpadPort),
      });
    } finally {
      wpadServer.closeAllConnections();
      await new Promise<void>((resolve) => wpadServer.close(() => resolve()));
      await dns.stop();
    }
    type Answers = Record<string, string[]> & {
      explainHttp: { resolver: string; source: string; proxies: string[] };
      explainIgnored: { source?: string; matchedIgnoreHost?: string | null; error?: number };
      loopbackAllowed: string[];
    };
    const out = JSON.parse(stdout) as Record<string, Answers>;
    const [http, https, ftp, imap, loop, intra] = [
      'http://a.example:80',
      'https://a.example:443',
      'ftp://a.example:21',
      'imap://a.example:143',
      'http://127.0.0.1:8080',
      'http://intra.example:80',
    ];

    // The schema's defaults (mode none) and mode none: direct, although http_proxy is set.
    for (const name of ['defaults', 'none']) {
      for (const uri of [http, https, imap])
        assert.deepEqual(out[name][uri], ['direct://'], `${name} ${uri}`);
      assert.equal(out[name].explainHttp.source, 'org.gnome.system.proxy mode');
      assert.equal(out[name].explainHttp.resolver, 'gnome');
    }

    // Manual, http host only: http and https through it, other schemes direct (use-same-proxy off).
    const h = out.http;
    assert.deepEqual(h[http], ['http://http.example:3128']);
    assert.deepEqual(h[https], ['http://http.example:3128']);
    assert.deepEqual(h[ftp], ['direct://']);
    assert.deepEqual(h[imap], ['direct://']);
    assert.deepEqual(h[intra], ['direct://']);
    assert.equal(h.explainHttp.source, 'org.gnome.system.proxy.http host');
    assert.equal(h.explainIgnored.source, 'org.gnome.system.proxy ignore-hosts');
    assert.equal(h.explainIgnored.matchedIgnoreHost, 'intra.example');

    // use-same-proxy and authentication: every scheme through the http proxy, credentials
    // escaped in the URI and redacted in explainProxy; loopback direct unless proxyLoopback.
    const authed = 'http://us%20er:p%40ss%27word@http.example:3128';
    const s = out.sameAuth;
    for (const uri of [http, https, ftp, imap]) assert.deepEqual(s[uri], [authed], uri);
    assert.deepEqual(s[loop], ['direct://']);
    assert.deepEqual(s.loopbackAllowed, [authed]);
    assert.deepEqual(s.explainHttp.proxies, ['http://***@http.example:3128']);
    assert.ok(!JSON.stringify(s.explainHttp).includes('word'));

    // Every host set: each scheme its own, the socks host for the rest (over use-same-proxy).
    const a = out.all;
    assert.deepEqual(a[http], [authed]);
    assert.deepEqual(a[https], ['http://secure.example:3129']);
    assert.deepEqual(a[ftp], ['ftp://ftp.example:2121']);
    assert.deepEqual(a[imap], SOCKS('socks.example:1080'));

    // Only a socks host: every scheme through SOCKS (5, 4a, 4); the default ignore-hosts keep loopback direct.
    const k = out.socksOnly;
    for (const uri of [http, https, ftp, imap]) assert.deepEqual(k[uri], SOCKS('socks.example:1080'), uri);
    assert.deepEqual(k[loop], ['direct://']);
    assert.equal(k.explainHttp.source, 'org.gnome.system.proxy.socks host');

    // Auto with an empty autoconfig-url: WPAD finds wpad.dat at the parent level (wpad.corp.test)
    // and its answer is used; loopback stays direct unless proxyLoopback.
    const wpad = ['http://wpad-proxy.example:3128', 'direct://'];
    for (const uri of [http, https, imap]) assert.deepEqual(out.auto[uri], wpad, uri);
    assert.deepEqual(out.auto[loop], ['direct://']);
    assert.deepEqual(out.auto.loopbackAllowed, wpad);
    assert.equal(out.auto.explainHttp.resolver, 'gnome');
    assert.ok(
      out.auto.explainHttp.source.startsWith(`WPAD http://wpad.corp.test:${wpadPort}/wpad.dat: `),
      out.auto.explainHttp.source,
    );
    // A blocking explanation cannot run the script.
    assert.deepEqual(out.auto.explainIgnored, { error: IOErrorEnum.NOT_SUPPORTED });
  });
});

describe('SystemProxyResolver: KDE kioslaverc', () => {
  async function withKde<T>(text: string, fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'gsc-kde-'));
    try {
      await writeFile(join(dir, 'kioslaverc'), text);
      return await fn({
        XDG_CURRENT_DESKTOP: 'KDE',
        XDG_CONFIG_HOME: dir,
        http_proxy: 'http://env.example:1',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('manual: per-scheme proxies in both value forms, socks for the rest, NoProxyFor', async () => {
    const file = [
      '[Other]',
      'httpProxy=http://wrong.example 1',
      '[Proxy Settings]',
      'ProxyType=1',
      'httpProxy=http://kde.example 3128',
      'httpsProxy=secure.example:3129',
      'socksProxy[$e]=socks://socks.example 1080',
      'NoProxyFor=intra.example,.corp.example',
      'ReversedException=false',
    ].join('\n');
    await withKde(file, async (env) => {
      const resolver = new SystemProxyResolver(env);
      assert.equal(resolver.source, 'kde');
      assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://kde.example:3128']);
      assert.deepEqual(resolver.lookupSync('https://a.example:443'), ['http://secure.example:3129']);
      assert.deepEqual(await resolver.lookup('imap://a.example:143'), SOCKS('socks.example:1080'));
      assert.deepEqual(await resolver.lookup('http://x.corp.example:80'), ['direct://']);
      assert.deepEqual(await resolver.lookup('http://127.0.0.1:80'), ['direct://']);
      const explained = await resolver.explainProxy('http://intra.example:80');
      assert.deepEqual(
        { ...explained, proxies: [...explained.proxies] },
        {
          uri: 'http://intra.example:80',
          resolver: 'kde',
          source: 'kioslaverc NoProxyFor',
          matchedIgnoreHost: 'intra.example',
          proxies: ['direct://'],
        },
      );
      assert.equal((await resolver.explainProxy('http://a.example:80')).source, 'kioslaverc httpProxy');
    });
  });

  it('ReversedException: only the listed hosts use the proxy', async () => {
    const file =
      '[Proxy Settings]\nProxyType=1\nhttpProxy=http://kde.example 3128\nNoProxyFor=only.example\nReversedException=true\n';
    await withKde(file, async (env) => {
      const resolver = new SystemProxyResolver(env);
      assert.deepEqual(await resolver.lookup('http://only.example:80'), ['http://kde.example:3128']);
      assert.deepEqual(await resolver.lookup('http://other.example:80'), ['direct://']);
    });
  });

  it('ProxyType 0 is direct, 4 reads the variables named, 2 runs the PAC script, 3 is WPAD', async () => {
    await withKde('[Proxy Settings]\nProxyType=0\nhttpProxy=http://kde.example 3128\n', async (env) => {
      assert.deepEqual(await new SystemProxyResolver(env).lookup('http://a.example:80'), ['direct://']);
    });
    await withKde('[Proxy Settings]\nProxyType=4\nhttpProxy=http_proxy\n', async (env) => {
      const resolver = new SystemProxyResolver(env);
      assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://env.example:1']);
      assert.equal(
        (await resolver.explainProxy('http://a.example:80')).source,
        'kioslaverc httpProxy ($http_proxy)',
      );
    });
    // ProxyType 2, "Proxy Config Script": a PAC script (here a file: URL, read directly).
    const pacDir = await mkdtemp(join(tmpdir(), 'gsc-kde-pac-'));
    try {
      const pacFile = join(pacDir, 'proxy.pac');
      await writeFile(
        pacFile,
        'function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:3128; DIRECT"; }',
      );
      const pacUrl = pathToFileURL(pacFile).href;
      await withKde(`[Proxy Settings]\nProxyType=2\nProxy Config Script=${pacUrl}\n`, async (env) => {
        const resolver = new SystemProxyResolver(env);
        assert.deepEqual(await resolver.lookup('http://a.example:80'), [
          'http://127.0.0.1:3128',
          'direct://',
        ]);
        const why = await resolver.explainProxy('http://a.example:80');
        assert.equal(why.resolver, 'kde');
        assert.equal(
          why.source,
          `kioslaverc ProxyType auto, kioslaverc Proxy Config Script: PAC ${pacUrl} returned 'PROXY 127.0.0.1:3128; DIRECT'`,
        );
      });
    } finally {
      await rm(pacDir, { recursive: true, force: true });
    }
    // ProxyType 3 is WPAD (wpad-system.test.ts discovers through a dnsmasq); with discovery off
    // (no domain) it is direct without a warning, the explanation says why, and a blocking
    // lookup is NOT_SUPPORTED like any script's.
    await withKde('[Proxy Settings]\nProxyType=3\n', async (env) => {
      const resolver = new SystemProxyResolver(env, { wpad: { domain: null } });
      const { result, warnings } = await captureWarnings(async () => [
        await resolver.lookup('http://a.example:80'),
        await resolver.lookup('http://b.example:80'),
      ]);
      assert.deepEqual(result, [['direct://'], ['direct://']]);
      assert.deepEqual(warnings, []);
      assert.equal(
        (await resolver.explainProxy('http://a.example:80')).source,
        'WPAD: no local domain; DIRECT',
      );
      assert.throws(() => resolver.lookupSync('http://c.example:80'), { code: IOErrorEnum.NOT_SUPPORTED });
    });
  });

  it('an invalid proxy value is skipped with a warning that hides its password', async () => {
    const file =
      '[Proxy Settings]\nProxyType=1\nhttpProxy=http://u:secret@bad%zzhost 80\nsocksProxy=socks.example:1080\n';
    await withKde(file, async (env) => {
      const { result, warnings } = await captureWarnings(() =>
        new SystemProxyResolver(env).lookup('http://a.example:80'),
      );
      assert.deepEqual(result, SOCKS('socks.example:1080'));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /kioslaverc httpProxy/);
      assert.ok(!warnings[0].includes('secret'), warnings[0]);
    });
  });

  it('reads the file once per cache period, not on every lookup', async () => {
    await withKde('[Proxy Settings]\nProxyType=1\nhttpProxy=http://one.example 1\n', async (env) => {
      const resolver = new SystemProxyResolver(env);
      const answers = await Promise.all([1, 2, 3].map(() => resolver.lookup('http://a.example:80')));
      assert.deepEqual(
        answers,
        [1, 2, 3].map(() => ['http://one.example:1']),
      );
      await writeFile(join(env.XDG_CONFIG_HOME ?? '', 'kioslaverc'), '[Proxy Settings]\nProxyType=0\n');
      assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://one.example:1']);
      assert.deepEqual(new SystemProxyResolver(env).lookupSync('http://a.example:80'), ['direct://']);
    });
  });

  it('no kioslaverc: the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsc-kde-'));
    try {
      const resolver = new SystemProxyResolver({
        XDG_CURRENT_DESKTOP: 'KDE',
        XDG_CONFIG_HOME: dir,
        http_proxy: 'http://env.example:1',
      });
      assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://env.example:1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

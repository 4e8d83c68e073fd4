// KDE's proxy settings as KIO writes and reads them (kio src/kcms/kio/kproxydlg.cpp,
// KF5 src/core/kprotocolmanager.cpp) and libproxy's config-kde reads them: real kioslaverc
// files in a temporary XDG_CONFIG_HOME (or HOME/.config), read through SystemProxyResolver and,
// for the automatic modes the PAC helper takes over, through the reader itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemProxyResolver } from '../../src/proxy/system-proxy-resolver.js';
import { readKdeSettings, readKdeSettingsSync } from '../../src/proxy/kde-proxy-settings.js';
import { captureWarnings } from './warnings.js';

const SOCKS = (authority: string): string[] =>
  ['socks5', 'socks4a', 'socks4'].map((s) => `${s}://${authority}`);

async function withKde<T>(
  text: string,
  fn: (env: NodeJS.ProcessEnv) => Promise<T>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gsc-kde-'));
  try {
    await writeFile(join(dir, 'kioslaverc'), text);
    return await fn({
      XDG_CURRENT_DESKTOP: 'KDE',
      XDG_CONFIG_HOME: dir,
      http_proxy: 'http://env.example:1',
      ...extraEnv,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// libproxy's tests/data/sample-kde-proxy-manual, byte for byte (no final newline), as the KDE
// settings page saves it.
const LIBPROXY_MANUAL = [
  'ProxyUrlDisplayFlags=15',
  '',
  '[Proxy Settings]',
  'NoProxyFor=localhost,127.0.0.1',
  'Proxy Config Script=',
  'ProxyType=1',
  'ReversedException=false',
  'ftpProxy=ftp://127.0.0.1 8080',
  'httpProxy=http://127.0.0.1 8080',
  'httpsProxy=http://127.0.0.1 8080',
  'socksProxy=socks://127.0.0.1 8080',
].join('\n');

describe('KDE kioslaverc: manual (ProxyType=1)', () => {
  it("reads libproxy's sample file as libproxy and KIO do", async () => {
    await withKde(LIBPROXY_MANUAL, async (env) => {
      const resolver = new SystemProxyResolver(env);
      assert.deepEqual(await resolver.lookup('https://www.example.com:443'), ['http://127.0.0.1:8080']);
      assert.deepEqual(await resolver.lookup('http://www.example.com:80'), ['http://127.0.0.1:8080']);
      assert.deepEqual(await resolver.lookup('ftp://www.example.com:21'), ['ftp://127.0.0.1:8080']);
      // Every other scheme (GSocketClient's plain `none://`) goes to the SOCKS proxy.
      assert.deepEqual(await resolver.lookup('none://www.example.com:25'), SOCKS('127.0.0.1:8080'));
      assert.deepEqual(await resolver.lookup('http://localhost:1234'), ['direct://']);
    });
  });

  it('value forms: "url port", host:port, a port that is not a number, KConfig escapes', async () => {
    const file = [
      '[Proxy Settings]',
      'ProxyType=1',
      // The settings page: scheme://host, a space, the port.
      'httpProxy=http://web.example 3128',
      // Hand-written host:port: http:// as the page's default scheme.
      'httpsProxy=secure.example:3129',
      // KProtocolManager::proxyFor discards a value whose text after the last space is not a port.
      'ftpProxy=http://ftp.example port',
      // \\s is a space in KConfig's escaping.
      'gopherProxy=http://gopher.example\\s70',
      // The SOCKS value is always tried as socks://, whatever scheme it was written with.
      'socksProxy=http://socks.example 1080',
    ].join('\n');
    await withKde(file, async (env) => {
      const resolver = new SystemProxyResolver(env);
      assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://web.example:3128']);
      assert.deepEqual(await resolver.lookup('https://a.example:443'), ['http://secure.example:3129']);
      assert.deepEqual(await resolver.lookup('ftp://a.example:21'), SOCKS('socks.example:1080'));
      assert.deepEqual(await resolver.lookup('gopher://a.example:70'), ['http://gopher.example:70']);
      assert.deepEqual(await resolver.lookup('none://a.example:25'), SOCKS('socks.example:1080'));
      // WebDAV uses the http and https keys (KProtocolManager's adjustProtocol).
      assert.deepEqual(await resolver.lookup('webdav://a.example:80'), ['http://web.example:3128']);
      assert.deepEqual(await resolver.lookup('webdavs://a.example:443'), ['http://secure.example:3129']);
    });
  });

  it('KConfig syntax: group flags, option flags, localised keys, later groups, comments', async () => {
    const file = [
      '# a comment',
      '[Proxy Settings][$i]',
      'ProxyType=1',
      'httpProxy[$e]=http://kde.example 3128',
      'httpProxy[de]=http://localised.example 1',
      '[Other]',
      'httpsProxy=http://other-group.example 2',
      '[Proxy Settings]',
      'httpsProxy=http://later.example 3129',
    ].join('\r\n');
    await withKde(file, async (env) => {
      const resolver = new SystemProxyResolver(env);
      assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://kde.example:3128']);
      assert.deepEqual(await resolver.lookup('https://a.example:443'), ['http://later.example:3129']);
    });
  });

  it('NoProxyFor is comma-separated; ReversedException is a KConfig bool', async () => {
    for (const [reversed, expectReversed] of [
      ['true', true],
      ['1', true],
      ['on', true],
      ['false', false],
      ['0', false],
    ] as const) {
      const file = [
        '[Proxy Settings]',
        'ProxyType=1',
        'httpProxy=http://kde.example 3128',
        'NoProxyFor=only.example, .corp.example',
        `ReversedException=${reversed}`,
      ].join('\n');
      await withKde(file, async (env) => {
        const resolver = new SystemProxyResolver(env);
        const listed = await resolver.lookup('http://x.corp.example:80');
        const other = await resolver.lookup('http://other.example:80');
        const proxied = ['http://kde.example:3128'];
        assert.deepEqual(listed, expectReversed ? proxied : ['direct://'], reversed);
        assert.deepEqual(other, expectReversed ? ['direct://'] : proxied, reversed);
      });
    }
  });
});

describe('KDE kioslaverc: the system proxy configuration (ProxyType=4)', () => {
  it('each key names the environment variable that holds its value', async () => {
    const file = [
      '[Proxy Settings]',
      'ProxyType=4',
      'httpProxy=CORP_HTTP',
      'httpsProxy=UNSET_VARIABLE',
      'socksProxy=CORP_SOCKS',
      'NoProxyFor=CORP_NO_PROXY',
      // KIO uses the reversed list only in manual mode.
      'ReversedException=true',
    ].join('\n');
    await withKde(
      file,
      async (env) => {
        const resolver = new SystemProxyResolver(env);
        assert.deepEqual(await resolver.lookup('http://a.example:80'), ['http://u:pw@corp.example:3128']);
        // No value in the variable named: the SOCKS alternate, not $https_proxy.
        assert.deepEqual(await resolver.lookup('https://a.example:443'), SOCKS('socks.example:1080'));
        assert.deepEqual(await resolver.lookup('http://intranet.example:80'), ['direct://']);
        const explained = await resolver.explainProxy('http://a.example:80');
        assert.equal(explained.resolver, 'kde');
        assert.equal(explained.source, 'kioslaverc httpProxy ($CORP_HTTP)');
        assert.ok(!JSON.stringify(explained).includes('pw'), JSON.stringify(explained));
        const ignored = await resolver.explainProxy('http://intranet.example:80');
        assert.equal(ignored.source, 'kioslaverc NoProxyFor ($CORP_NO_PROXY)');
        assert.equal(ignored.matchedIgnoreHost, 'intranet.example');
      },
      {
        CORP_HTTP: 'http://u:pw@corp.example:3128',
        CORP_SOCKS: 'socks5://socks.example:1080',
        CORP_NO_PROXY: 'intranet.example,localhost',
        https_proxy: 'http://must-not-be-used.example:2',
      },
    );
  });
});

describe('KDE kioslaverc: automatic modes and the rest', () => {
  it('ProxyType=2 exposes the script URL (a path is a file: URL), 3 is WPAD', async () => {
    const cases = [
      ['ProxyType=2\nProxy Config Script=http://127.0.0.1/proxy.pac', 'auto', 'http://127.0.0.1/proxy.pac'],
      ['ProxyType=2\nProxy Config Script=/etc/proxy.pac', 'auto', 'file:///etc/proxy.pac'],
      ['ProxyType=3\nProxy Config Script=http://ignored.example/p.pac', 'auto', ''],
      // PAC without a script: nothing to run, nothing proxied.
      ['ProxyType=2\nProxy Config Script=', 'none', ''],
    ] as const;
    for (const [keys, mode, url] of cases) {
      await withKde(`[Proxy Settings]\n${keys}\nhttpProxy=http://kde.example 3128\n`, async (env) => {
        const config = await readKdeSettings(env);
        assert.equal(config?.mode, mode, keys);
        assert.equal(config?.autoconfigUrl, url, keys);
        assert.deepEqual(readKdeSettingsSync(env), config, keys);
      });
    }
  });

  it('ProxyType missing or unknown: no proxy (not the environment), as KIO and libproxy', async () => {
    for (const file of [
      '[Proxy Settings]\nhttpProxy=http://kde.example 3128\n',
      'ProxyType=1\n',
      '[Proxy Settings]\nProxyType=9\nhttpProxy=http://kde.example 3128\n',
      '[Proxy Settings]\nProxyType=one\n',
    ]) {
      await withKde(file, async (env) => {
        assert.deepEqual(
          await new SystemProxyResolver(env).lookup('http://a.example:80'),
          ['direct://'],
          file,
        );
      });
    }
  });

  it('the file is $XDG_CONFIG_HOME/kioslaverc, else $HOME/.config/kioslaverc; no kioslavesrc', async () => {
    const home = await mkdtemp(join(tmpdir(), 'gsc-kde-home-'));
    try {
      await mkdir(join(home, '.config'));
      await writeFile(
        join(home, '.config', 'kioslaverc'),
        '[Proxy Settings]\nProxyType=1\nhttpProxy=http://home.example 1\n',
      );
      const base = { XDG_CURRENT_DESKTOP: 'KDE', HOME: home, http_proxy: 'http://env.example:1' };
      const uri = 'http://a.example:80';
      assert.deepEqual(await new SystemProxyResolver(base).lookup(uri), ['http://home.example:1']);
      // A relative XDG_CONFIG_HOME is invalid (XDG base directory spec): HOME's is read.
      const relative = { ...base, XDG_CONFIG_HOME: 'relative/dir' };
      assert.deepEqual(await new SystemProxyResolver(relative).lookup(uri), ['http://home.example:1']);
      // Only kioslaverc counts: a directory with just kioslavesrc has no KDE settings.
      const xdg = join(home, 'xdg');
      await mkdir(xdg);
      await writeFile(
        join(xdg, 'kioslavesrc'),
        '[Proxy Settings]\nProxyType=1\nhttpProxy=http://s.example 1\n',
      );
      const withXdg = { ...base, XDG_CONFIG_HOME: xdg };
      assert.deepEqual(await new SystemProxyResolver(withXdg).lookup(uri), ['http://env.example:1']);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('a malformed proxy value warns once per read, without its password', async () => {
    const file = '[Proxy Settings]\nProxyType=1\nhttpProxy=http://u:secret@bad%zzhost 80\n';
    await withKde(file, async (env) => {
      const { result, warnings } = await captureWarnings(() =>
        new SystemProxyResolver(env).lookup('http://a.example:80'),
      );
      assert.deepEqual(result, ['direct://']);
      assert.equal(warnings.length, 1);
      assert.ok(!warnings[0].includes('secret'), warnings[0]);
    });
  });
});

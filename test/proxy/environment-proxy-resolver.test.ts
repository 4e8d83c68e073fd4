import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvironmentProxyResolver } from '../../src/proxy/environment-proxy-resolver.js';
import {
  ProxyResolver,
  createDefaultProxyResolver,
  getDefaultProxyResolver,
  setDefaultProxyResolver,
} from '../../src/proxy/proxy-resolver.js';
import { SystemProxyResolver } from '../../src/proxy/system-proxy-resolver.js';
import { SimpleProxyResolver } from '../../src/proxy/simple-proxy-resolver.js';
import { IOError } from '../../src/errors/gerror.js';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { captureWarnings } from './warnings.js';

// GIO's behaviour: loopback destinations go to the proxy too, so these tables opt in to that.
const lookup = (env: Record<string, string>, uri: string): Promise<string[]> =>
  new EnvironmentProxyResolver(env, { proxyLoopback: true }).lookup(uri);

// glib-networking proxy/tests/environment.c + common.c (§6.4).
describe('EnvironmentProxyResolver: glib-networking /proxy/environment/uri', () => {
  const env = {
    http_proxy: 'http://proxy.example.com:8080',
    https_proxy: 'http://proxy-s.example.com:7070',
    ftp_proxy: 'ftp://proxy-f.example.com:6060',
  };
  const table: readonly (readonly [string, string])[] = [
    ['http://one.example.com/', 'http://proxy.example.com:8080'],
    ['HTTPS://uppercase.example.com/', 'http://proxy-s.example.com:7070'],
    ['htt://missing-letter.example.com/', 'http://proxy.example.com:8080'],
    ['ftps://extra-letter.example.com/', 'http://proxy.example.com:8080'],
    ['ftp://five.example.com/', 'ftp://proxy-f.example.com:6060'],
    // What GSocketClient asks for connect_to_host: only http_proxy applies (§6.4).
    ['none://six.example.com:443', 'http://proxy.example.com:8080'],
  ];
  for (const [uri, proxy] of table) {
    it(`${uri} → ${proxy}`, async () => assert.deepEqual(await lookup(env, uri), [proxy]));
  }
});

describe('EnvironmentProxyResolver: glib-networking /proxy/environment/socks', () => {
  const env = { http_proxy: 'socks://proxy.example.com:1234', no_proxy: '127.0.0.1' };
  const three = [
    'socks5://proxy.example.com:1234',
    'socks4a://proxy.example.com:1234',
    'socks4://proxy.example.com:1234',
  ];
  it('socks:// gives the three SOCKS versions for any scheme', async () => {
    assert.deepEqual(await lookup(env, 'http://one.example.com/'), three);
    assert.deepEqual(await lookup(env, 'wednesday://two.example.com/'), three);
  });
  it('no_proxy=127.0.0.1 → direct://', async () => {
    assert.deepEqual(await lookup(env, 'http://127.0.0.1/'), ['direct://']);
  });
});

describe('EnvironmentProxyResolver: glib-networking /proxy/environment/ignore', () => {
  const ignore = [
    '.bbb.xx',
    '*.ccc.xx',
    'ddd.xx',
    '*.eee.xx:8000',
    '127.0.0.0/24',
    '10.0.0.1:8000',
    '::1',
    'fe80::/10',
  ];
  const rows: readonly (readonly [string, boolean])[] = [
    ['http://aaa.xx/', false],
    ['http://www.bbb.xx:8000/', true],
    ['https://ccc.xx/', true],
    ['http://www.ddd.xx/', true],
    ['http://eee.xx/', false],
    ['http://www.eee.xx:8000/', true],
    ['http://127.0.0.255/', true],
    ['http://10.0.0.1/', false],
    ['http://10.0.0.1:8000/', true],
    ['http://[::1]:80/', true],
    ['http://[fe80::1]/', true],
    ['http://[fec0::1]/', false],
  ];
  // GIO splits on "," only and keeps the spaces of "a, b", so those entries never match; the
  // entries are trimmed here (SPEC §3), so both spellings give GLib's matrix.
  for (const separator of [',', ', ']) {
    for (const [uri, direct] of rows) {
      it(`no_proxy joined with ${JSON.stringify(separator)}: ${uri} → ${direct ? 'direct' : 'proxy'}`, async () => {
        const env = { http_proxy: 'http://localhost:8080', no_proxy: ignore.join(separator) };
        assert.deepEqual(await lookup(env, uri), [direct ? 'direct://' : 'http://localhost:8080']);
      });
    }
  }
});

describe('EnvironmentProxyResolver: variables (§6.4)', () => {
  it('with nothing set, every lookup is direct://', async () => {
    const resolver = new EnvironmentProxyResolver({});
    for (const uri of [
      'http://a.example/',
      'https://a.example/',
      'ftp://a.example/',
      'none://a.example:80',
    ]) {
      assert.deepEqual(await resolver.lookup(uri), ['direct://']);
    }
    assert.equal(resolver.isSupported(), true);
  });

  it('the lower-case variable wins over the upper-case one', async () => {
    const env = {
      http_proxy: 'http://lower.example:1',
      HTTP_PROXY: 'http://upper.example:1',
      https_proxy: 'http://lower-s.example:1',
      HTTPS_PROXY: 'http://upper-s.example:1',
      ftp_proxy: 'http://lower-f.example:1',
      FTP_PROXY: 'http://upper-f.example:1',
      no_proxy: 'lower.test',
      NO_PROXY: 'upper.test',
    };
    assert.deepEqual(await lookup(env, 'http://a.example/'), ['http://lower.example:1']);
    assert.deepEqual(await lookup(env, 'https://a.example/'), ['http://lower-s.example:1']);
    assert.deepEqual(await lookup(env, 'ftp://a.example/'), ['http://lower-f.example:1']);
    assert.deepEqual(await lookup(env, 'http://lower.test/'), ['direct://']);
    assert.deepEqual(await lookup(env, 'http://upper.test/'), ['http://lower.example:1']);
  });

  it('upper-case variables alone are used', async () => {
    const env = {
      HTTP_PROXY: 'http://upper.example:1',
      HTTPS_PROXY: 'http://upper-s.example:1',
      FTP_PROXY: 'http://upper-f.example:1',
      NO_PROXY: 'upper.test',
    };
    assert.deepEqual(await lookup(env, 'http://a.example/'), ['http://upper.example:1']);
    assert.deepEqual(await lookup(env, 'https://a.example/'), ['http://upper-s.example:1']);
    assert.deepEqual(await lookup(env, 'ftp://a.example/'), ['http://upper-f.example:1']);
    assert.deepEqual(await lookup(env, 'http://upper.test/'), ['direct://']);
  });

  it('an empty proxy variable counts as unset (falls through to the upper-case one)', async () => {
    assert.deepEqual(
      await lookup({ http_proxy: '', HTTP_PROXY: 'http://upper.example:1' }, 'http://a.example/'),
      ['http://upper.example:1'],
    );
    assert.deepEqual(await lookup({ http_proxy: '' }, 'http://a.example/'), ['direct://']);
    assert.deepEqual(
      await lookup({ https_proxy: '', http_proxy: 'http://p.example:1' }, 'https://a.example/'),
      ['http://p.example:1'],
    );
  });

  it('an empty no_proxy still wins over NO_PROXY (read even if empty)', async () => {
    const env = { http_proxy: 'http://p.example:1', no_proxy: '', NO_PROXY: 'a.example' };
    assert.deepEqual(await lookup(env, 'http://a.example/'), ['http://p.example:1']);
  });

  it('an invalid value is skipped with a warning (no credentials shown) and falls through', async () => {
    const { result, warnings } = await captureWarnings(
      () =>
        new EnvironmentProxyResolver({
          http_proxy: 'http://user:s3cret@[::1',
          HTTP_PROXY: 'http://upper.example:1',
          https_proxy: 'not a url',
        }),
    );
    assert.deepEqual(await result.lookup('http://a.example/'), ['http://upper.example:1']);
    assert.deepEqual(await result.lookup('https://a.example/'), ['http://upper.example:1']);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /^Environment variable http_proxy specifies invalid proxy URL /);
    assert.match(warnings[1], /^Environment variable https_proxy specifies invalid proxy URL not a url/);
    for (const w of warnings) assert.ok(!w.includes('s3cret'), w);
  });

  it('reads the environment once, at construction', async () => {
    const env: Record<string, string> = { http_proxy: 'http://first.example:1' };
    const resolver = new EnvironmentProxyResolver(env);
    env.http_proxy = 'http://second.example:1';
    env.no_proxy = 'a.example';
    assert.deepEqual(await resolver.lookup('http://a.example/'), ['http://first.example:1']);
  });

  it('reads process.env by default', async () => {
    const saved = { http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
    try {
      process.env.http_proxy = 'http://from-process-env.example:3128';
      process.env.no_proxy = 'skip.example';
      const resolver = new EnvironmentProxyResolver();
      assert.deepEqual(await resolver.lookup('http://a.example/'), ['http://from-process-env.example:3128']);
      assert.deepEqual(await resolver.lookup('http://skip.example/'), ['direct://']);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('rejects invalid URIs like every resolver', async () => {
    const resolver = new EnvironmentProxyResolver({});
    await assert.rejects(resolver.lookup('asdf'), (err: unknown) => {
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
      assert.equal(err.message, 'Invalid URI ‘asdf’');
      return true;
    });
    assert.throws(() => resolver.lookupSync('asdf'), { code: IOErrorEnum.INVALID_ARGUMENT });
  });
});

describe('ProxyResolver.getDefault()', () => {
  it('is a cached SystemProxyResolver until setDefault() is called', async () => {
    try {
      setDefaultProxyResolver(null);
      const first = ProxyResolver.getDefault();
      assert.ok(first instanceof SystemProxyResolver);
      assert.equal(getDefaultProxyResolver(), first);
      const mine = new SimpleProxyResolver('http://127.0.0.1:3128');
      ProxyResolver.setDefault(mine);
      assert.equal(ProxyResolver.getDefault(), mine);
      assert.equal(getDefaultProxyResolver(), mine);
      ProxyResolver.setDefault(null);
      const again = ProxyResolver.getDefault();
      assert.ok(again instanceof SystemProxyResolver);
      assert.notEqual(again, first);
    } finally {
      setDefaultProxyResolver(null);
    }
  });

  it('GIO_USE_PROXY_RESOLVER=dummy gives a resolver that always answers direct://', async () => {
    const resolver = createDefaultProxyResolver({
      GIO_USE_PROXY_RESOLVER: 'dummy',
      http_proxy: 'http://p.example:1',
    });
    assert.ok(!(resolver instanceof EnvironmentProxyResolver));
    assert.equal(resolver.isSupported(), true);
    assert.deepEqual(await resolver.lookup('http://a.example/'), ['direct://']);
    await assert.rejects(resolver.lookup('asdf'), { code: IOErrorEnum.INVALID_ARGUMENT });
  });

  it('GIO_USE_PROXY_RESOLVER=environment gives the environment resolver; unset, the system one', async () => {
    const environment = createDefaultProxyResolver({
      GIO_USE_PROXY_RESOLVER: 'environment',
      XDG_CURRENT_DESKTOP: 'GNOME',
      http_proxy: 'http://p.example:1',
    });
    assert.ok(environment instanceof EnvironmentProxyResolver);
    assert.deepEqual(await environment.lookup('http://a.example/'), ['http://p.example:1']);
    const system = createDefaultProxyResolver({ http_proxy: 'http://p.example:1' });
    assert.ok(system instanceof SystemProxyResolver);
    assert.deepEqual(await system.lookup('http://a.example/'), ['http://p.example:1']);
  });

  it('an unknown GIO_USE_PROXY_RESOLVER warns and falls back to the default (system) resolver', async () => {
    const { result, warnings } = await captureWarnings(() =>
      createDefaultProxyResolver({ GIO_USE_PROXY_RESOLVER: 'nosuch' }),
    );
    assert.ok(result instanceof SystemProxyResolver);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /nosuch/);
  });
});

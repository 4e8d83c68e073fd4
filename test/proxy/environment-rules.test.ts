// The proxy-environment rules beyond GIO (docs/differences.md "Proxy environment") and
// explainProxy on the environment, simple and custom resolvers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EnvironmentProxyResolver,
  type ProxyEnvironment,
} from '../../src/proxy/environment-proxy-resolver.js';
import { SimpleProxyResolver } from '../../src/proxy/simple-proxy-resolver.js';
import { explainProxyWith, type ProxyResolver } from '../../src/proxy/proxy-resolver.js';
import { IOErrorEnum } from '../../src/errors/enums.js';
import { captureWarnings } from './warnings.js';

const first = (env: ProxyEnvironment, uri: string): string =>
  new EnvironmentProxyResolver(env).lookupSync(uri)[0];

describe('environment: which variable applies', () => {
  const all = { ALL_PROXY: 'socks5://all.example:1080' };
  it('ALL_PROXY / all_proxy serve every scheme without a variable of its own', () => {
    assert.equal(first(all, 'none://db.example:5432'), 'socks5://all.example:1080');
    assert.equal(first(all, 'https://a.example:443'), 'socks5://all.example:1080');
    assert.equal(
      first({ all_proxy: 'http://lower.example:1', ...all }, 'irc://a.example:6667'),
      'http://lower.example:1',
    );
  });
  it('a scheme’s own variable wins over all_proxy; all_proxy wins over http_proxy for other schemes', () => {
    const env = { ...all, http_proxy: 'http://h.example:3128', https_proxy: 'http://s.example:3128' };
    assert.equal(first(env, 'http://a.example/'), 'http://h.example:3128');
    assert.equal(first(env, 'https://a.example/'), 'http://s.example:3128');
    assert.equal(first(env, 'none://a.example:22'), 'socks5://all.example:1080');
  });
  it('without all_proxy, http_proxy still serves every scheme (GIO)', () => {
    const env = { http_proxy: 'http://h.example:3128' };
    for (const uri of ['https://a.example/', 'none://a.example:22', 'ftp://a.example/']) {
      assert.equal(first(env, uri), 'http://h.example:3128', uri);
    }
  });
});

describe('environment: proxy values', () => {
  it('a value without a scheme means http://', async () => {
    const { result, warnings } = await captureWarnings(
      () => new EnvironmentProxyResolver({ http_proxy: '127.0.0.1:3128', https_proxy: 'u:p@proxy.example' }),
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(result.lookupSync('http://a.example/'), ['http://127.0.0.1:3128']);
    assert.deepEqual(result.lookupSync('https://a.example/'), ['http://u:p@proxy.example']);
    assert.equal(first({ http_proxy: '[::1]:3128' }, 'http://a.example/'), 'http://[::1]:3128');
  });
  it('socks5h:// is socks5:// (names resolved by the proxy); socks4a:// and socks:// are kept', () => {
    assert.equal(
      first({ all_proxy: 'socks5h://s.example:1080' }, 'none://a.example:1'),
      'socks5://s.example:1080',
    );
    assert.equal(first({ all_proxy: 'SOCKS5H://s.example' }, 'none://a.example:1'), 'socks5://s.example');
    assert.equal(
      first({ all_proxy: 'socks4a://s.example:1080' }, 'none://a.example:1'),
      'socks4a://s.example:1080',
    );
    assert.deepEqual(
      new EnvironmentProxyResolver({ all_proxy: 'socks://s.example:9' }).lookupSync('none://a.example:1'),
      ['socks5://s.example:9', 'socks4a://s.example:9', 'socks4://s.example:9'],
    );
  });
  it('a value that is neither a URI nor host[:port] is still skipped with a warning', async () => {
    const { result, warnings } = await captureWarnings(
      () => new EnvironmentProxyResolver({ all_proxy: 'not a proxy', ALL_PROXY: 'http://up.example:1' }),
    );
    assert.equal(result.lookupSync('none://a.example:1')[0], 'http://up.example:1');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /all_proxy specifies invalid proxy URL not a proxy/);
  });
});

describe('environment: no_proxy', () => {
  const proxy = 'http://p.example:3128';
  const cases: readonly (readonly [string, string, boolean])[] = [
    ['*', 'https://anything.example/', true],
    ['a.example, *', 'none://other.example:22', true],
    ['::1', 'http://[::1]:8080/', true],
    ['[::1]', 'http://[::1]:8080/', true],
    ['[2001:db8::1]', 'http://[2001:db8::1]/', true],
    ['[2001:db8::1]', 'http://[2001:db8::2]/', false],
    ['10.0.0.0/8', 'none://10.20.30.40:5432', true],
    ['10.0.0.0/8', 'none://11.0.0.1:5432', false],
    ['2001:db8::/32', 'http://[2001:db8:1::5]/', true],
    ['db.example:5432', 'none://db.example:5432', true],
    ['db.example:5432', 'none://db.example:5433', false],
    ['.corp.example', 'https://www.corp.example/', true],
    ['.corp.example', 'https://corp.example/', true],
    ['*.corp.example', 'https://a.b.corp.example/', true],
    ['*.corp.example', 'https://notcorp.example/', false],
  ];
  for (const [noProxy, uri, direct] of cases) {
    it(`no_proxy=${JSON.stringify(noProxy)}: ${uri} → ${direct ? 'direct' : 'proxy'}`, () => {
      const resolver = new EnvironmentProxyResolver(
        { http_proxy: proxy, no_proxy: noProxy },
        { proxyLoopback: true },
      );
      assert.deepEqual(resolver.lookupSync(uri), [direct ? 'direct://' : proxy]);
    });
  }
  it('the entry that matched is in the explanation', () => {
    const resolver = new EnvironmentProxyResolver({
      http_proxy: proxy,
      NO_PROXY: 'x.example, .corp.example',
    });
    const why = resolver.explainProxySync('https://www.corp.example:443');
    assert.deepEqual(why, {
      uri: 'https://www.corp.example:443',
      resolver: 'environment',
      source: 'NO_PROXY',
      matchedIgnoreHost: '.corp.example',
      proxies: ['direct://'],
    });
    assert.equal(
      new EnvironmentProxyResolver({ http_proxy: proxy, no_proxy: '*' }).explainProxySync('http://a.example/')
        .matchedIgnoreHost,
      '*',
    );
  });
});

describe('environment: loopback destinations', () => {
  const env = { http_proxy: 'http://p.example:3128', all_proxy: 'socks5://s.example:1080' };
  const loopback = [
    'http://localhost:8080/',
    'none://localhost:5432',
    'none://api.localhost:80',
    'none://127.0.0.1:6379',
    'none://127.1.2.3:22',
    'http://[::1]:8080/',
  ];
  it('go direct by default, naming the loopback rule', () => {
    const resolver = new EnvironmentProxyResolver(env);
    for (const uri of loopback) {
      assert.deepEqual(resolver.lookupSync(uri), ['direct://'], uri);
      const why = resolver.explainProxySync(uri);
      assert.equal(why.source, 'loopback', uri);
      assert.ok(['localhost', '127.0.0.0/8', '::1'].includes(why.matchedIgnoreHost ?? ''), uri);
    }
    assert.deepEqual(resolver.lookupSync('none://128.0.0.1:22'), ['socks5://s.example:1080']);
    assert.deepEqual(resolver.lookupSync('none://notlocalhost:22'), ['socks5://s.example:1080']);
  });
  it('go to the proxy with proxyLoopback: true', () => {
    const resolver = new EnvironmentProxyResolver(env, { proxyLoopback: true });
    assert.deepEqual(resolver.lookupSync('http://localhost:8080/'), ['http://p.example:3128']);
    assert.deepEqual(resolver.lookupSync('none://127.0.0.1:6379'), ['socks5://s.example:1080']);
    assert.deepEqual(resolver.lookupSync('http://[::1]:8080/'), ['http://p.example:3128']);
  });
  it('an explicit SimpleProxyResolver is obeyed as given', () => {
    const simple = new SimpleProxyResolver('http://p.example:3128');
    assert.deepEqual(simple.lookupSync('none://127.0.0.1:6379'), ['http://p.example:3128']);
    assert.deepEqual(simple.lookupSync('http://localhost:1/'), ['http://p.example:3128']);
  });
  it('a bad option is INVALID_ARGUMENT', () => {
    assert.throws(() => new EnvironmentProxyResolver({}, { proxyLoopback: 'yes' as never }), {
      code: IOErrorEnum.INVALID_ARGUMENT,
    });
    assert.throws(() => new EnvironmentProxyResolver({}, null as never), {
      code: IOErrorEnum.INVALID_ARGUMENT,
    });
  });
});

describe('explainProxy', () => {
  it('environment: the variable, the list, credentials redacted', async () => {
    const resolver = new EnvironmentProxyResolver({
      https_proxy: 'http://alice:s3cret@proxy.example:3128',
      http_proxy: 'socks://bob:pw@s.example:1080',
    });
    assert.deepEqual(await resolver.explainProxy('https://user:pass@a.example:443'), {
      uri: 'https://***@a.example:443',
      resolver: 'environment',
      source: 'https_proxy',
      matchedIgnoreHost: null,
      proxies: ['http://***@proxy.example:3128'],
    });
    const socks = await resolver.explainProxy('none://a.example:22');
    assert.equal(socks.source, 'http_proxy');
    assert.deepEqual(socks.proxies, [
      'socks5://***@s.example:1080',
      'socks4a://***@s.example:1080',
      'socks4://***@s.example:1080',
    ]);
    assert.doesNotMatch(JSON.stringify(socks), /s3cret|alice|bob|pw@/);
    assert.deepEqual(await new EnvironmentProxyResolver({}).explainProxy('http://a.example/'), {
      uri: 'http://a.example/',
      resolver: 'environment',
      source: 'no proxy variable set',
      matchedIgnoreHost: null,
      proxies: ['direct://'],
    });
  });
  it('simple: default proxy, uri proxy for a scheme, ignore-hosts entry', async () => {
    const simple = new SimpleProxyResolver('socks5://u:p@s.example:1080', [
      '*.internal.example',
      '10.0.0.0/8',
    ]);
    simple.setUriProxy('HTTPS', 'http://h.example:3128');
    assert.deepEqual(await simple.explainProxy('none://a.example:22'), {
      uri: 'none://a.example:22',
      resolver: 'simple',
      source: 'default proxy',
      matchedIgnoreHost: null,
      proxies: ['socks5://***@s.example:1080'],
    });
    assert.equal((await simple.explainProxy('https://a.example/')).source, 'uri proxy for https');
    const ignored = await simple.explainProxy('none://db.internal.example:5432');
    assert.equal(ignored.source, 'ignore-hosts');
    assert.equal(ignored.matchedIgnoreHost, '*.internal.example');
    assert.equal((await simple.explainProxy('none://10.1.1.1:5432')).matchedIgnoreHost, '10.0.0.0/8');
    assert.equal(
      (await new SimpleProxyResolver().explainProxy('none://a.example:1')).source,
      'no proxy configured',
    );
  });
  it('a resolver without explainProxy: its lookup answer, redacted, source “proxy resolver”', async () => {
    class Custom implements ProxyResolver {
      isSupported(): boolean {
        return true;
      }
      async lookup(): Promise<string[]> {
        return ['http://k:secret@c.example:8080', 'direct://'];
      }
    }
    assert.deepEqual(await explainProxyWith(new Custom(), 'none://a.example:1'), {
      uri: 'none://a.example:1',
      resolver: 'Custom',
      source: 'proxy resolver',
      matchedIgnoreHost: null,
      proxies: ['http://***@c.example:8080', 'direct://'],
    });
  });
  it('an invalid URI is INVALID_ARGUMENT, a cancelled one CANCELLED', async () => {
    const env = new EnvironmentProxyResolver({});
    await assert.rejects(env.explainProxy('not a uri'), { code: IOErrorEnum.INVALID_ARGUMENT });
    const signal = AbortSignal.abort();
    await assert.rejects(new SimpleProxyResolver().explainProxy('http://a.example/', { signal }), {
      code: IOErrorEnum.CANCELLED,
    });
  });
});

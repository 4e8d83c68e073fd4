import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimpleProxyResolver } from '../../src/proxy/simple-proxy-resolver.js';
import { Cancellable } from '../../src/cancellable.js';
import { IOError } from '../../src/errors/gerror.js';
import { IOErrorEnum } from '../../src/errors/enums.js';

const isInvalidUri = (uri: string) => (err: unknown) => {
  assert.ok(err instanceof IOError, String(err));
  assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
  assert.equal(err.message, `Invalid URI ‘${uri}’`);
  return true;
};

// gio/tests/simple-proxy.c, /static-proxy/uri (§14.4).
describe('SimpleProxyResolver: URIs, uri-proxies and the default (/static-proxy/uri)', () => {
  it('accepts a valid IDN-escaped URI, sync and async', async () => {
    const resolver = new SimpleProxyResolver(null, ['127.0.0.1']);
    assert.deepEqual(resolver.lookupSync('http://%E0%B4%A8%E0%B4%B2:80/'), ['direct://']);
    assert.deepEqual(await resolver.lookup('http://%E0%B4%A8%E0%B4%B2:80/'), ['direct://']);
  });

  for (const uri of ['%E0%B4%00%E0%B4%B2', '%E0%B4%A8%E0%B4%B2', 'asdf', '']) {
    it(`rejects the invalid URI ${JSON.stringify(uri)} with INVALID_ARGUMENT, sync and async`, async () => {
      const resolver = new SimpleProxyResolver(null, ['127.0.0.1']);
      assert.throws(() => resolver.lookupSync(uri), isInvalidUri(uri));
      await assert.rejects(resolver.lookup(uri), isInvalidUri(uri));
    });
  }

  const resolver = new SimpleProxyResolver('default://', ['127.0.0.1']);
  resolver.setUriProxy('http', 'http://proxy.example.com');
  resolver.setUriProxy('ftp', 'ftp://proxy.example.com');
  const table: readonly (readonly [string, string])[] = [
    ['http://one.example.com/', 'http://proxy.example.com'],
    ['HTTP://uppercase.example.com/', 'http://proxy.example.com'],
    ['htt://missing-letter.example.com/', 'default://'],
    ['https://extra-letter.example.com/', 'default://'],
    ['ftp://five.example.com/', 'ftp://proxy.example.com'],
    ['http://127.0.0.1/', 'direct://'],
  ];
  for (const [uri, proxy] of table) {
    it(`${uri} → ${proxy}`, async () => {
      assert.deepEqual(await resolver.lookup(uri), [proxy]);
      assert.deepEqual(resolver.lookupSync(uri), [proxy]);
    });
  }

  it('setUriProxy lower-cases the scheme', async () => {
    const r = new SimpleProxyResolver('default://');
    r.setUriProxy('HTTPS', 'http://secure-proxy.example:3128');
    assert.deepEqual(await r.lookup('https://a.example/'), ['http://secure-proxy.example:3128']);
  });

  it('with no default proxy and no rule, answers direct://', async () => {
    assert.deepEqual(await new SimpleProxyResolver().lookup('http://a.example/'), ['direct://']);
  });
});

// /static-proxy/socks.
describe('SimpleProxyResolver: socks:// expands to socks5, socks4a, socks4 (/static-proxy/socks)', () => {
  const three = ['socks5://proxy.example.com', 'socks4a://proxy.example.com', 'socks4://proxy.example.com'];

  it('as the default proxy; ignored hosts stay direct', async () => {
    const resolver = new SimpleProxyResolver('socks://proxy.example.com', ['127.0.0.1']);
    assert.deepEqual(await resolver.lookup('http://one.example.com/'), three);
    assert.deepEqual(await resolver.lookup('http://127.0.0.1/'), ['direct://']);
  });

  it('as a uri-proxy; other schemes get the default', async () => {
    const resolver = new SimpleProxyResolver('default-proxy://', ['127.0.0.1']);
    resolver.setUriProxy('http', 'socks://proxy.example.com');
    assert.deepEqual(await resolver.lookup('http://one.example.com/'), three);
    assert.deepEqual(await resolver.lookup('ftp://two.example.com/'), ['default-proxy://']);
    assert.deepEqual(await resolver.lookup('http://127.0.0.1/'), ['direct://']);
  });

  it('keeps port and userinfo in every expanded URI', async () => {
    const resolver = new SimpleProxyResolver('socks://u:p@127.0.0.1:1234');
    assert.deepEqual(await resolver.lookup('none://a.example:80'), [
      'socks5://u:p@127.0.0.1:1234',
      'socks4a://u:p@127.0.0.1:1234',
      'socks4://u:p@127.0.0.1:1234',
    ]);
  });

  it('matches SOCKS:// case-insensitively (pinned: GIO compares case-sensitively, SPEC §3 lower-cases schemes)', async () => {
    const resolver = new SimpleProxyResolver('SOCKS://127.0.0.1:1234');
    assert.deepEqual(await resolver.lookup('none://a.example:80'), [
      'socks5://127.0.0.1:1234',
      'socks4a://127.0.0.1:1234',
      'socks4://127.0.0.1:1234',
    ]);
  });
});

describe('SimpleProxyResolver: properties', () => {
  it('exposes defaultProxy and ignoreHosts as accessors and get/set pairs', () => {
    const resolver = new SimpleProxyResolver('http://127.0.0.1:3128', ['a.example', 'b.example']);
    assert.equal(resolver.defaultProxy, 'http://127.0.0.1:3128');
    assert.equal(resolver.getDefaultProxy(), 'http://127.0.0.1:3128');
    assert.deepEqual(resolver.ignoreHosts, ['a.example', 'b.example']);
    assert.deepEqual(resolver.getIgnoreHosts(), ['a.example', 'b.example']);
    resolver.defaultProxy = 'socks5://127.0.0.1:1080';
    assert.equal(resolver.getDefaultProxy(), 'socks5://127.0.0.1:1080');
    resolver.setDefaultProxy(null);
    assert.equal(resolver.defaultProxy, null);
    resolver.ignoreHosts = ['c.example'];
    assert.deepEqual(resolver.getIgnoreHosts(), ['c.example']);
    resolver.setIgnoreHosts(null);
    assert.deepEqual(resolver.ignoreHosts, []);
    assert.equal(resolver.isSupported(), true);
  });

  it('new ignore hosts take effect at once', async () => {
    const resolver = new SimpleProxyResolver('http://127.0.0.1:3128');
    assert.deepEqual(await resolver.lookup('http://a.example/'), ['http://127.0.0.1:3128']);
    resolver.setIgnoreHosts(['a.example']);
    assert.deepEqual(await resolver.lookup('http://a.example/'), ['direct://']);
  });

  it('rejects an invalid default proxy with INVALID_ARGUMENT, without showing its password, and keeps the old one', () => {
    const resolver = new SimpleProxyResolver('http://127.0.0.1:3128');
    for (const bad of [
      'not a uri',
      'http://user:s3cret@host:99999',
      'http://user:s3cret@[::1',
      's3cret@host',
    ]) {
      assert.throws(
        () => resolver.setDefaultProxy(bad),
        (err: unknown) => {
          assert.ok(err instanceof IOError);
          assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
          assert.match(err.message, /^Invalid default proxy URI/);
          assert.ok(!err.message.includes('s3cret'), err.message);
          return true;
        },
      );
      assert.throws(() => (resolver.defaultProxy = bad), IOError);
      assert.equal(resolver.defaultProxy, 'http://127.0.0.1:3128');
    }
    assert.throws(() => new SimpleProxyResolver('::bad::'), IOError);
  });
});

describe('SimpleProxyResolver: cancellation', () => {
  it('a cancelled Cancellable rejects the lookup with CANCELLED', async () => {
    const cancellable = new Cancellable();
    cancellable.cancel();
    await assert.rejects(
      new SimpleProxyResolver().lookup('http://a.example/', { cancellable }),
      (err: unknown) => {
        assert.ok(err instanceof IOError);
        assert.equal(err.code, IOErrorEnum.CANCELLED);
        return true;
      },
    );
  });

  it('an aborted AbortSignal rejects with CANCELLED; a timeout signal with TIMED_OUT', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      new SimpleProxyResolver().lookup('http://a.example/', { signal: controller.signal }),
      {
        code: IOErrorEnum.CANCELLED,
      },
    );
    const timeout = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(timeout.aborted);
    await assert.rejects(new SimpleProxyResolver().lookup('http://a.example/', { signal: timeout }), {
      code: IOErrorEnum.TIMED_OUT,
    });
  });
});

// /static-proxy/ignore: the 45-row matrix of gio/tests/simple-proxy.c (§6.5, §14.4).
describe('SimpleProxyResolver: ignore-hosts matrix (/static-proxy/ignore)', () => {
  const ignoreHosts = [
    '.bbb.xx',
    '*.ccc.xx',
    'ddd.xx',
    '*.eee.xx:8000',
    '127.0.0.0/24',
    '10.0.0.1:8000',
    '::1',
    'fe80::/10',
  ];
  const PROXY = 'http://localhost:8080';
  const DIRECT = 'direct://';
  const matrix: readonly (readonly [string, string])[] = [
    ['http://aaa.xx/', PROXY],
    ['http://aaa.xx:8000/', PROXY],
    ['http://www.aaa.xx/', PROXY],
    ['http://www.aaa.xx:8000/', PROXY],
    ['https://aaa.xx/', PROXY],
    ['http://bbb.xx/', DIRECT],
    ['http://www.bbb.xx/', DIRECT],
    ['http://bbb.xx:8000/', DIRECT],
    ['http://www.bbb.xx:8000/', DIRECT],
    ['https://bbb.xx/', DIRECT],
    ['http://nobbb.xx/', PROXY],
    ['http://www.nobbb.xx/', PROXY],
    ['http://nobbb.xx:8000/', PROXY],
    ['http://www.nobbb.xx:8000/', PROXY],
    ['https://nobbb.xx/', PROXY],
    ['http://ccc.xx/', DIRECT],
    ['http://www.ccc.xx/', DIRECT],
    ['http://ccc.xx:8000/', DIRECT],
    ['http://www.ccc.xx:8000/', DIRECT],
    ['https://ccc.xx/', DIRECT],
    ['http://ddd.xx/', DIRECT],
    ['http://ddd.xx:8000/', DIRECT],
    ['http://www.ddd.xx/', DIRECT],
    ['http://www.ddd.xx:8000/', DIRECT],
    ['https://ddd.xx/', DIRECT],
    ['http://eee.xx/', PROXY],
    ['http://eee.xx:8000/', DIRECT],
    ['http://www.eee.xx/', PROXY],
    ['http://www.eee.xx:8000/', DIRECT],
    ['https://eee.xx/', PROXY],
    ['http://1.2.3.4/', PROXY],
    ['http://127.0.0.1/', DIRECT],
    ['http://127.0.0.2/', DIRECT],
    ['http://127.0.0.255/', DIRECT],
    ['http://127.0.1.0/', PROXY],
    ['http://10.0.0.1/', PROXY],
    ['http://10.0.0.1:8000/', DIRECT],
    ['http://[::1]/', DIRECT],
    ['http://[::1]:80/', DIRECT],
    ['http://[::1:1]/', PROXY],
    ['http://[::1:1]:80/', PROXY],
    ['http://[fe80::1]/', DIRECT],
    ['http://[fe80::1]:80/', DIRECT],
    ['http://[fec0::1]/', PROXY],
    ['http://[fec0::1]:80/', PROXY],
  ];
  it('has the 45 rows of GLib', () => assert.equal(matrix.length, 45));

  const resolver = new SimpleProxyResolver(PROXY, ignoreHosts);
  for (const [uri, expected] of matrix) {
    it(`${uri} → ${expected}`, async () => {
      assert.deepEqual(await resolver.lookup(uri), [expected]);
    });
  }
});

// client.explainProxy, err.proxy on proxy failures, and loopback destinations kept off the
// environment's proxies — over real loopback listeners (a refused port, a proxy that says 403).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EnvironmentProxyResolver,
  IOErrorEnum,
  SimpleProxyResolver,
  SocketClient,
  type GError,
} from '../../src/index.js';
import { startEchoServer, startServer, unusedPort } from '../helpers/servers.js';
import { FakeProxyResolver } from '../proxy/fakes.js';

/** An HTTP proxy that refuses every CONNECT with 403 (a hand-written peer). */
async function startRefusingProxy(): Promise<Awaited<ReturnType<typeof startServer>>> {
  return startServer('127.0.0.1', 0, (s) => {
    s.once('data', () => s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
  });
}

describe('err.proxy: which proxy failed and where it came from', () => {
  it('a refused proxy from http_proxy: GIO’s message, the proxy redacted, source http_proxy', async () => {
    const port = await unusedPort('127.0.0.1');
    const proxyResolver = new EnvironmentProxyResolver({
      http_proxy: `http://alice:s3cret@127.0.0.1:${port}`,
    });
    const client = new SocketClient({ proxyResolver });
    const err = await client.connectToHost('db.example.test:5432', 0).then(
      () => assert.fail('connected'),
      (e: GError) => e,
    );
    assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(err.message, 'Could not connect to proxy server 127.0.0.1: Connection refused');
    assert.deepEqual(err.proxy, { uri: `http://***@127.0.0.1:${port}`, source: 'http_proxy' });
    assert.equal(Object.keys(err).includes('proxy'), false, 'not enumerable: logs read as GIO’s');
    assert.doesNotMatch(JSON.stringify(err.proxy), /alice|s3cret/);
  });

  it('the blocking API carries err.proxy across its engine thread too', async () => {
    const port = await unusedPort('127.0.0.1');
    const proxyResolver = new EnvironmentProxyResolver({
      http_proxy: `http://alice:s3cret@127.0.0.1:${port}`,
    });
    const client = new SocketClient({ proxyResolver });
    let err: GError | null = null;
    try {
      client.connectToHostSync('db.example.test:5432', 0).close();
    } catch (e) {
      err = e as GError;
    }
    assert.ok(err, 'connected');
    assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(err.message, 'Could not connect to proxy server 127.0.0.1: Connection refused');
    assert.equal(err.proxy?.uri, `http://***@127.0.0.1:${port}`);
    assert.equal(typeof err.proxy?.source, 'string');
    assert.equal(Object.keys(err).includes('proxy'), false);
  });

  it('a proxy that refuses the CONNECT, from https_proxy: PROXY_NOT_ALLOWED with the proxy named', async () => {
    const proxy = await startRefusingProxy();
    try {
      const proxyResolver = new EnvironmentProxyResolver({
        http_proxy: 'http://127.0.0.1:1',
        HTTPS_PROXY: `http://u:pw@127.0.0.1:${proxy.port}`,
      });
      const client = new SocketClient({ proxyResolver });
      const err = await client.connectToUri('https://www.example.test/', 0).then(
        () => assert.fail('connected'),
        (e: GError) => e,
      );
      assert.equal(err.code, IOErrorEnum.PROXY_NOT_ALLOWED);
      assert.doesNotMatch(err.message, /pw|127\.0\.0\.1:\d+ from/);
      assert.deepEqual(err.proxy, { uri: `http://***@127.0.0.1:${proxy.port}`, source: 'HTTPS_PROXY' });
    } finally {
      await proxy.close();
    }
  });

  it('SimpleProxyResolver: source “default proxy”; a custom resolver: “proxy resolver”', async () => {
    const proxy = await startRefusingProxy();
    try {
      const uri = `http://127.0.0.1:${proxy.port}`;
      for (const [proxyResolver, source] of [
        [new SimpleProxyResolver(uri), 'default proxy'],
        [new FakeProxyResolver([uri]), 'proxy resolver'],
      ] as const) {
        const client = new SocketClient({ proxyResolver });
        await assert.rejects(client.connectToHost('example.test:80', 0), (e: GError) => {
          assert.equal(e.code, IOErrorEnum.PROXY_NOT_ALLOWED);
          assert.deepEqual(e.proxy, { uri, source });
          return true;
        });
      }
    } finally {
      await proxy.close();
    }
  });

  it('a direct failure carries no proxy', async () => {
    const port = await unusedPort('127.0.0.1');
    const client = new SocketClient({ enableProxy: false });
    await assert.rejects(client.connectToHost(`127.0.0.1:${port}`, 0), (e: GError) => {
      assert.equal(e.code, IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(e.proxy, undefined);
      return true;
    });
  });
});

describe('loopback destinations and the environment', () => {
  it('go direct although http_proxy names a dead proxy; proxyLoopback sends them to it', async () => {
    const echo = await startEchoServer('127.0.0.1');
    const dead = await unusedPort('127.0.0.1');
    try {
      const env = { http_proxy: `http://127.0.0.1:${dead}` };
      const direct = new SocketClient({ proxyResolver: new EnvironmentProxyResolver(env) });
      const conn = await direct.connectToHost(`127.0.0.1:${echo.port}`, 0);
      await conn.close();
      const viaProxy = new SocketClient({
        proxyResolver: new EnvironmentProxyResolver(env, { proxyLoopback: true }),
      });
      await assert.rejects(viaProxy.connectToHost(`localhost:${echo.port}`, 0), (e: GError) => {
        assert.equal(e.code, IOErrorEnum.CONNECTION_REFUSED);
        assert.equal(e.proxy?.source, 'http_proxy');
        return true;
      });
    } finally {
      await echo.close();
    }
  });
});

describe('client.explainProxy', () => {
  it('uses the client’s resolver, and says direct when enableProxy is false', async () => {
    const client = new SocketClient({
      proxyResolver: new EnvironmentProxyResolver({
        all_proxy: 'socks5h://k:v@s.example:1080',
        no_proxy: '.corp.test',
      }),
    });
    assert.deepEqual(await client.explainProxy('none://db.example.test:5432'), {
      uri: 'none://db.example.test:5432',
      resolver: 'environment',
      source: 'all_proxy',
      matchedIgnoreHost: null,
      proxies: ['socks5://***@s.example:1080'],
    });
    assert.equal((await client.explainProxy('none://x.corp.test:1')).matchedIgnoreHost, '.corp.test');
    client.enableProxy = false;
    assert.deepEqual(await client.explainProxy('none://db.example.test:5432'), {
      uri: 'none://db.example.test:5432',
      resolver: 'disabled',
      source: 'enableProxy is false',
      matchedIgnoreHost: null,
      proxies: ['direct://'],
    });
    await assert.rejects(client.explainProxy('::'), { code: IOErrorEnum.INVALID_ARGUMENT });
  });
});

// GLib's gio/tests/proxy-test.c (gio-behaviour §14.2), replayed through SocketClient: two test
// proxies, `proxy-a` (no hostname support, accepts destination protocol "alpha") and `proxy-b`
// (hostname support, "beta"), each negotiating with one byte over a loopback echo server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  IOError,
  IOErrorEnum,
  ProxyAddress,
  ProxyResolver,
  ResolverError,
  ResolverErrorEnum,
  SocketClient,
  registerProxy,
  type IOStream,
  type Proxy,
} from '../../src/index.js';
import { startEchoServer, type TestServer } from '../helpers/servers.js';
import { FakeProxyResolver, RecordingResolver } from '../proxy/fakes.js';

function testProxy(acceptedProtocol: string, hostnames: boolean): Proxy {
  return {
    supportsHostname: () => hostnames,
    async connect(connection: IOStream, address: ProxyAddress): Promise<IOStream> {
      if (address.destinationProtocol !== acceptedProtocol) {
        throw new IOError(IOErrorEnum.NOT_SUPPORTED, `Unsupported protocol ${address.destinationProtocol}`);
      }
      // One byte out, the same byte back from the echo "proxy": negotiated.
      connection.stream.write('x');
      await new Promise<void>((resolve, reject) => {
        connection.stream.once('data', () => resolve());
        connection.stream.once('error', reject);
      });
      return connection;
    },
  };
}

describe('GLib proxy-test scenarios (§14.2)', () => {
  let proxyA: TestServer;
  let proxyB: TestServer;
  let echo: TestServer;
  let resolver: FakeProxyResolver;
  let client: SocketClient;
  // Only example.com resolves (to 127.0.0.1), as GLib's fake GResolver.
  const dns = new RecordingResolver({ 'example.com': ['127.0.0.1'] });

  before(async () => {
    proxyA = await startEchoServer('127.0.0.1');
    proxyB = await startEchoServer('127.0.0.1');
    echo = await startEchoServer('127.0.0.1');
    registerProxy('proxy-a', testProxy('alpha', false));
    registerProxy('proxy-b', testProxy('beta', true));
    const a = `proxy-a://127.0.0.1:${proxyA.port}`;
    const b = `proxy-b://127.0.0.1:${proxyB.port}`;
    resolver = new FakeProxyResolver((uri) => {
      const scheme = uri.slice(0, uri.indexOf(':'));
      switch (scheme) {
        case 'simple':
          return ['direct://'];
        case 'empty':
          return [''];
        case 'invalid':
          return ['😼'];
        case 'invalid-then-simple':
          return ['😼', 'direct://'];
        case 'simple-then-invalid':
          return ['direct://', '😼'];
        default:
          return [a, b];
      }
    });
    client = new SocketClient({ resolver: dns, proxyResolver: resolver });
  });
  after(async () => {
    await proxyA.close();
    await proxyB.close();
    await echo.close();
  });

  it('direct: simple:// gives a plain connection, not through a proxy', async () => {
    const conn = await client.connectToUri(`simple://127.0.0.1:${echo.port}`, 0);
    assert.ok(!(conn.getRemoteAddress() instanceof ProxyAddress));
    assert.ok(conn.getLocalAddress() !== null);
    await conn.close();
  });

  it('single: alpha:// goes through proxy A', async () => {
    const conn = await client.connectToUri(`alpha://127.0.0.1:${echo.port}`, 0);
    const remote = conn.getRemoteAddress();
    assert.ok(remote instanceof ProxyAddress);
    assert.equal(remote.uri, `proxy-a://127.0.0.1:${proxyA.port}`);
    assert.equal(remote.port, proxyA.port);
    await conn.close();
  });

  it('multiple: beta:// — A refuses (NOT_SUPPORTED), B is used', async () => {
    const conn = await client.connectToUri(`beta://127.0.0.1:${echo.port}`, 0);
    const remote = conn.getRemoteAddress();
    assert.ok(remote instanceof ProxyAddress);
    assert.equal(remote.uri, `proxy-b://127.0.0.1:${proxyB.port}`);
    await conn.close();
  });

  it('invalid URIs: empty:// and invalid:// fail with FAILED; mixed with direct:// they connect', async () => {
    for (const scheme of ['empty', 'invalid']) {
      await assert.rejects(client.connectToUri(`${scheme}://127.0.0.1:${echo.port}`, 0), {
        code: IOErrorEnum.FAILED,
        message: 'Unspecified proxy lookup failure',
      });
    }
    for (const scheme of ['invalid-then-simple', 'simple-then-invalid']) {
      const conn = await client.connectToUri(`${scheme}://127.0.0.1:${echo.port}`, 0);
      await conn.close();
    }
    await assert.rejects(client.connectToUri('asdf', 0), { code: IOErrorEnum.INVALID_ARGUMENT });
    // g_proxy_resolver_lookup(default, "asdf"): the default resolver checks the URI.
    await assert.rejects(ProxyResolver.getDefault().lookup('asdf'), {
      code: IOErrorEnum.INVALID_ARGUMENT,
      message: 'Invalid URI ‘asdf’',
    });
  });

  it('dns: simple:// to an unknown host is NOT_FOUND; alpha:// NOT_SUPPORTED; beta:// connects', async () => {
    await assert.rejects(client.connectToUri('simple://no-such-host.xx:80', 0), (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
      return true;
    });
    // A cannot resolve the destination locally (so it is skipped); B rejects alpha.
    await assert.rejects(client.connectToUri('alpha://no-such-host.xx:80', 0), {
      code: IOErrorEnum.NOT_SUPPORTED,
    });
    // B gets the host name itself (only A's local lookup of it fails, and A is skipped).
    const conn = await client.connectToUri('beta://no-such-host.xx:80', 0);
    const remote = conn.getRemoteAddress();
    assert.ok(remote instanceof ProxyAddress);
    assert.equal(remote.protocol, 'proxy-b');
    assert.equal(remote.destinationHostname, 'no-such-host.xx');
    await conn.close();
  });

  it('override: a replacement resolver is used by later connects; null goes back', async () => {
    const own = new SocketClient({ resolver: dns, proxyResolver: resolver });
    own.proxyResolver = new FakeProxyResolver([`proxy-a://127.0.0.1:${proxyA.port}`]);
    await assert.rejects(own.connectToUri(`simple://127.0.0.1:${echo.port}`, 0), {
      code: IOErrorEnum.NOT_SUPPORTED,
    });
    await assert.rejects(own.connectToUri(`beta://127.0.0.1:${echo.port}`, 0), {
      code: IOErrorEnum.NOT_SUPPORTED,
    });
    const conn = await own.connectToUri(`alpha://127.0.0.1:${echo.port}`, 0);
    await conn.close();
    own.proxyResolver = null;
    assert.notEqual(own.proxyResolver, resolver);
  });
});

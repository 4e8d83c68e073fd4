// The proxy side of the engine (§2.1, §3.2, §6.3): unknown protocols, application proxies, the
// next proxy or direct:// after a failure, and credentials kept out of every message. The
// "proxy servers" here need no protocol at all, so plain loopback listeners stand in for them.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import {
  IOError,
  IOErrorEnum,
  InetSocketAddress,
  ProxyAddress,
  SimpleProxyResolver,
  SocketClient,
  SocketType,
  TcpConnection,
} from '../../src/index.js';
import { names, recordEvents } from '../helpers/events.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';
import { FakeProxyResolver, RecordingResolver } from '../proxy/fakes.js';

describe('proxied connections in SocketClient', () => {
  it('unknown protocol: CONNECTING, CONNECTED, COMPLETE(null), NOT_SUPPORTED, no PROXY_NEGOTIATING', async () => {
    const proxy = await startEchoServer('127.0.0.1');
    try {
      const c = new SocketClient({ proxyResolver: new FakeProxyResolver([`foo://127.0.0.1:${proxy.port}`]) });
      const events = recordEvents(c);
      await assert.rejects(c.connectToHost('example.test:80', 0), {
        code: IOErrorEnum.NOT_SUPPORTED,
        message: 'Proxy protocol “foo” is not supported.',
      });
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
      const attempt = events[2].connection as TcpConnection;
      assert.ok(attempt.getRemoteAddress() instanceof ProxyAddress);
      assert.equal(attempt.socket.destroyed, true, 'the connection to the proxy was closed');
    } finally {
      await proxy.close();
    }
  });

  it('application proxy: stops after CONNECTED, no TLS even with tls=true; remote is the ProxyAddress', async () => {
    const proxy = await startEchoServer('127.0.0.1');
    try {
      const c = new SocketClient({
        tls: true,
        proxyResolver: new FakeProxyResolver([`foo://127.0.0.1:${proxy.port}`]),
      });
      c.addApplicationProxy('FOO');
      const events = recordEvents(c);
      const conn = await c.connectToUri('https://example.test:8443/path', 443);
      assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
      assert.ok(conn instanceof TcpConnection);
      const remote = conn.getRemoteAddress();
      assert.ok(remote instanceof ProxyAddress);
      assert.equal(remote.protocol, 'foo');
      assert.equal(remote.destinationProtocol, 'https');
      assert.equal(remote.destinationHostname, 'example.test');
      assert.equal(remote.destinationPort, 8443);
      assert.equal(remote.port, proxy.port);
      await conn.close();
    } finally {
      await proxy.close();
    }
  });

  it('socks:// expands to socks5, socks4a, socks4: all refused gives three CONNECTINGs and the proxy wording', async () => {
    const port = await unusedPort();
    // socks4 resolves the destination locally: give it a resolver that knows the name.
    const c = new SocketClient({
      resolver: new RecordingResolver({ 'example.test': ['127.0.0.1'] }),
      proxyResolver: new SimpleProxyResolver(`socks://127.0.0.1:${port}`),
    });
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost('example.test:80', 0), {
      code: IOErrorEnum.CONNECTION_REFUSED,
      message: 'Could not connect to proxy server 127.0.0.1: Connection refused',
    });
    assert.deepEqual(names(events), [
      'RESOLVING',
      'RESOLVED',
      'CONNECTING',
      'CONNECTING',
      'CONNECTING',
      'COMPLETE',
    ]);
    const protocols = events
      .slice(2, 5)
      .map((e) => ((e.connection as TcpConnection).getRemoteAddress() as ProxyAddress).protocol);
    assert.deepEqual(protocols, ['socks5', 'socks4a', 'socks4']);
  });

  it('a failed proxy moves on to direct:// when the resolver lists it', async () => {
    const dest = await startEchoServer('127.0.0.1');
    const dead = await unusedPort();
    try {
      const c = new SocketClient({
        proxyResolver: new FakeProxyResolver([`socks5://127.0.0.1:${dead}`, 'direct://']),
      });
      const events = recordEvents(c);
      const conn = await c.connectToHost(`127.0.0.1:${dest.port}`, 0);
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTING',
        'CONNECTED',
        'COMPLETE',
      ]);
      assert.ok(!(conn.getRemoteAddress() instanceof ProxyAddress));
      assert.ok(conn.getRemoteAddress() instanceof InetSocketAddress);
      await conn.close();
    } finally {
      await dest.close();
    }
  });

  it('the deepest stage wins: a proxy negotiation failure is reported over a later refused connect', async () => {
    const proxy = await startEchoServer('127.0.0.1');
    const dead = await unusedPort();
    try {
      const c = new SocketClient({
        proxyResolver: new FakeProxyResolver([`foo://127.0.0.1:${proxy.port}`, `socks5://127.0.0.1:${dead}`]),
      });
      await assert.rejects(c.connectToHost('example.test:80', 0), {
        code: IOErrorEnum.NOT_SUPPORTED,
        message: 'Proxy protocol “foo” is not supported.',
      });
    } finally {
      await proxy.close();
    }
  });

  it('the proxy resolver sees GIO’s destination URIs, and a custom one replaces the default', async () => {
    const dead = await unusedPort();
    const resolver = new FakeProxyResolver(['direct://']);
    const c = new SocketClient({ proxyResolver: resolver, resolver: new RecordingResolver({}) });
    await assert.rejects(c.connectToHost(`127.0.0.1:${dead}`, 0));
    await assert.rejects(c.connectToUri(`HTTPS://user:pw@Example.Test:${dead}/p?q#f`, 80, {}));
    await assert.rejects(c.connect(InetSocketAddress.newFromString('::1', dead)!));
    assert.deepEqual(resolver.asked, [
      `none://127.0.0.1:${dead}`,
      `https://Example.Test:${dead}`,
      `none://[::1]:${dead}`,
    ]);
  });

  it('enableProxy=false and DATAGRAM sockets never consult the proxy resolver', async () => {
    const resolver = new FakeProxyResolver(['socks5://127.0.0.1:1']);
    const dest = await startEchoServer('127.0.0.1');
    try {
      const direct = await new SocketClient({ proxyResolver: resolver, enableProxy: false }).connectToHost(
        `127.0.0.1:${dest.port}`,
        0,
      );
      await direct.close();
      const udp = await new SocketClient({
        proxyResolver: resolver,
        type: SocketType.DATAGRAM,
      }).connectToHost(`127.0.0.1:${dest.port}`, 0);
      await udp.close();
      assert.deepEqual(resolver.asked, []);
    } finally {
      await dest.close();
    }
  });

  it('with socks5 the destination name is never resolved locally', async () => {
    const dead = await unusedPort();
    const dns = new RecordingResolver({});
    const c = new SocketClient({
      resolver: dns,
      proxyResolver: new FakeProxyResolver([`socks5://127.0.0.1:${dead}`]),
    });
    await assert.rejects(c.connectToHost('secret-destination.test:443', 0));
    assert.ok(!dns.asked.includes('secret-destination.test'), `asked: ${dns.asked.join(', ')}`);
  });

  it('credentials from the proxy URI appear in no message, event string or inspection', async () => {
    const dead = await unusedPort();
    const c = new SocketClient({
      proxyResolver: new SimpleProxyResolver(`socks5://alice:s3cr%65t@127.0.0.1:${dead}`),
    });
    const seen: string[] = [];
    c.on('event', (_e, connectable, connection) => {
      seen.push(String(connectable));
      if (connection instanceof TcpConnection) {
        const remote = connection.getRemoteAddress();
        seen.push(String(remote), JSON.stringify(remote), inspect(remote, { depth: 5 }), inspect(connection));
        if (remote instanceof ProxyAddress) {
          assert.equal(remote.password, 's3cret', 'the password itself is available to the application');
          assert.equal(remote.username, 'alice');
        }
      }
    });
    const err = await c.connectToHost('example.test:80', 0).then(
      () => assert.fail('should not connect'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof IOError);
    seen.push(err.message, String(err), inspect(err));
    for (const text of seen) assert.doesNotMatch(text, /s3cr|alice:/, text);
  });
});

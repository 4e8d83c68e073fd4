// The blocking connect runs the async engine on the sync engine thread (SPEC §3), so every
// foundation scenario must give the same events and the same result through both APIs.
// Servers live in child processes (fixtures/peer.mjs): this thread is blocked during a call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Cancellable,
  IOError,
  IOErrorEnum,
  InetSocketAddress,
  NetworkAddress,
  ProxyAddress,
  SharedCancellable,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  SocketFamily,
  SocketType,
  SyncSocketConnection,
  UnixSocketAddress,
  type SocketConnectable,
} from '../../src/index.js';
import { canFirewall, requireOrSkip } from '../helpers/env.js';
import { dnsmasqAvailable, startDnsmasq } from '../helpers/dnsmasq.js';
import { hasDaemon, startMicrosocks } from '../helpers/daemons.js';
import { blackholePort } from '../helpers/firewall.js';
import { FakeResolver, DIRECT } from '../helpers/resolvers.js';
import { unusedPort } from '../helpers/servers.js';
import { comparable, runAsync, runSync } from './compare.js';
import { startPeer, type Peer } from './peer.js';
import { startTsWorker, workerExit } from './threads.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const direct = new SimpleProxyResolver();
const FIREWALL = 'needs root and ip6tables/iptables to blackhole a loopback port';

describe('blocking connect: same events and results as the async API', () => {
  let peer: Peer;
  before(async () => {
    peer = await startPeer({ kind: 'tcp' });
  });
  after(async () => {
    await peer.stop();
  });

  it('IPv4 literal: the same five events, and CONNECTING…COMPLETE show the returned object', async () => {
    const opts = { proxyResolver: direct };
    const a = await runAsync(opts, (c) => c.connectToHost(`127.0.0.1:${peer.port}`, 0));
    const s = runSync(opts, (c) => c.connectToHostSync(`127.0.0.1:${peer.port}`, 0));
    assert.deepEqual(comparable(s), comparable(a));
    assert.deepEqual(s.events, ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);

    const client = new SocketClient(opts);
    const shown: unknown[] = [];
    client.on('event', (_e, connectable, connection) => shown.push(connectable, connection));
    const conn = client.connectToHostSync(`127.0.0.1:${peer.port}`, 0);
    try {
      assert.ok(conn instanceof SyncSocketConnection);
      assert.equal(conn.type, 'tcp');
      assert.ok(shown[0] instanceof NetworkAddress, 'the connectable is the NetworkAddress the call made');
      // [connectable, connection] per event: CONNECTING, CONNECTED and COMPLETE at 2, 3 and 4.
      assert.equal(shown[5], conn, 'CONNECTING shows the object that is returned');
      assert.equal(shown[7], conn);
      assert.equal(shown[9], conn);
      assert.ok(conn.isConnected());
      assert.ok(conn.getRemoteAddress() instanceof InetSocketAddress);
      assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${peer.port}`);
      const local = conn.getLocalAddress() as InetSocketAddress;
      assert.equal(local.address.toString(), '127.0.0.1');
      assert.ok(local.port > 0);
    } finally {
      conn.close();
    }
    assert.equal(conn.isConnected(), false);
  });

  it('refused: CONNECTION_REFUSED with GIO’s message, COMPLETE(null) last', async () => {
    const port = await unusedPort();
    const opts = { proxyResolver: direct };
    const a = await runAsync(opts, (c) => c.connectToHost(`127.0.0.1:${port}`, 0));
    const s = runSync(opts, (c) => c.connectToHostSync(`127.0.0.1:${port}`, 0));
    assert.deepEqual(comparable(s), comparable(a));
    assert.deepEqual(s.events, ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
    assert.equal(s.error?.code, IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(s.error?.message, 'Could not connect to 127.0.0.1: Connection refused');
  });

  it('localhost, both refused: two CONNECTING (::1 then 127.0.0.1), as async', async () => {
    const port = await unusedPort();
    const opts = { proxyResolver: direct };
    const a = await runAsync(opts, (c) => c.connectToHost(`localhost:${port}`, 0));
    const s = runSync(opts, (c) => c.connectToHostSync(`localhost:${port}`, 0));
    assert.deepEqual(comparable(s), comparable(a));
    assert.deepEqual(s.remotes.slice(2, 4), [`[::1]:${port}`, `127.0.0.1:${port}`]);
  });

  it('parse errors are thrown before any event, with the async error', async () => {
    const opts = { proxyResolver: direct };
    for (const bad of ['[::1', '[::1]:99999', 'host:nosuchservice']) {
      const a = await runAsync(opts, (c) => c.connectToHost(bad, 80));
      const s = runSync(opts, (c) => c.connectToHostSync(bad, 80));
      assert.deepEqual(comparable(s), comparable(a), bad);
      assert.deepEqual(s.events, []);
      assert.ok(s.error, `${bad} must fail`);
    }
    const a = await runAsync(opts, (c) => c.connectToUri('not a uri', 80));
    const s = runSync(opts, (c) => c.connectToUriSync('not a uri', 80));
    assert.deepEqual(comparable(s), comparable(a));
  });

  it('connectToUriSync uses the URI’s port', async () => {
    const opts = { proxyResolver: direct };
    const uri = `http://127.0.0.1:${peer.port}/path`;
    const a = await runAsync(opts, (c) => c.connectToUri(uri, 1));
    const s = runSync(opts, (c) => c.connectToUriSync(uri, 1));
    assert.deepEqual(comparable(s), comparable(a));
    assert.equal(s.remote, `127.0.0.1:${peer.port}`);
  });

  it('an already cancelled Cancellable: CANCELLED, the async sequence (RESOLVING, COMPLETE)', async () => {
    const cancelled = new Cancellable();
    cancelled.cancel();
    const opts = { proxyResolver: direct };
    const a = await runAsync(opts, (c) =>
      c.connectToHost(`127.0.0.1:${peer.port}`, 0, { cancellable: cancelled }),
    );
    const s = runSync(opts, (c) => c.connectToHostSync(`127.0.0.1:${peer.port}`, 0, cancelled));
    assert.deepEqual(comparable(s), comparable(a));
    assert.deepEqual(s.events, ['RESOLVING', 'COMPLETE']);
    assert.equal(s.error?.code, IOErrorEnum.CANCELLED);
    assert.equal(s.error?.message, 'Operation was cancelled');
  });

  it('family IPV4 and a UnixSocketAddress connectable are honoured', async () => {
    const port = await unusedPort();
    const opts = { proxyResolver: direct, family: SocketFamily.IPV4 };
    const a = await runAsync(opts, (c) => c.connectToHost(`localhost:${port}`, 0));
    const s = runSync(opts, (c) => c.connectToHostSync(`localhost:${port}`, 0));
    assert.deepEqual(comparable(s), comparable(a));

    const dir = mkdtempSync(join(tmpdir(), 'gsc-sync-'));
    const unix = await startPeer({ kind: 'unix', path: join(dir, 'peer.sock') });
    try {
      const conn = new SocketClient({ proxyResolver: direct }).connectSync(
        new UnixSocketAddress(join(dir, 'peer.sock')),
      );
      try {
        assert.equal(conn.type, 'unix');
        conn.write('unix!');
        assert.equal(conn.readAll(5).toString(), 'unix!');
      } finally {
        conn.close();
      }
    } finally {
      await unix.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('localAddress is honoured: the socket is bound to it', async () => {
    const localPort = await unusedPort();
    const client = new SocketClient({
      proxyResolver: direct,
      localAddress: InetSocketAddress.newFromString('127.0.0.1', localPort),
    });
    const conn = client.connectToHostSync(`127.0.0.1:${peer.port}`, 0);
    try {
      assert.equal((conn.getLocalAddress() as InetSocketAddress).port, localPort);
    } finally {
      conn.close();
    }
  });

  it('type DATAGRAM: a connected UDP socket that keeps message boundaries', async () => {
    const udp = await startPeer({ kind: 'udp' });
    try {
      const client = new SocketClient({ proxyResolver: direct, type: SocketType.DATAGRAM, timeout: 5 });
      const conn = client.connectToHostSync(`127.0.0.1:${udp.port}`, 0);
      try {
        assert.equal(conn.type, 'udp');
        conn.write('one');
        conn.write('two!');
        assert.equal(conn.read(100).toString(), 'one');
        assert.equal(conn.read(2).toString(), 'tw', 'a datagram is cut to the size asked for');
      } finally {
        conn.close();
      }
    } finally {
      await udp.stop();
    }
  });

  it('a COMPLETE listener may already use the connection (calls nest)', () => {
    const client = new SocketClient({ proxyResolver: direct });
    let echoed = '';
    client.on('event', (event, _c, connection) => {
      if (event !== SocketClientEvent.COMPLETE || !(connection instanceof SyncSocketConnection)) return;
      connection.write('nested');
      echoed = connection.readAll(6).toString();
    });
    const conn = client.connectToHostSync(`127.0.0.1:${peer.port}`, 0);
    conn.close();
    assert.equal(echoed, 'nested');
  });
});

describe('blocking connect: what cannot cross threads fails at once with NOT_SUPPORTED', () => {
  const notSupported = (fn: () => unknown, pattern: RegExp): void => {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof IOError, String(err));
      assert.equal(err.code, IOErrorEnum.NOT_SUPPORTED);
      assert.match(err.message, pattern);
      return true;
    });
  };

  it('a user-defined connectable, or a subclass of a built-in one', () => {
    const client = new SocketClient({ proxyResolver: direct });
    const events: unknown[] = [];
    client.on('event', (e) => events.push(e));
    const custom: SocketConnectable = {
      enumerate: () => new NetworkAddress('127.0.0.1', 1).enumerate(),
      proxyEnumerate: () => new NetworkAddress('127.0.0.1', 1).enumerate(),
      toString: () => 'custom',
    };
    notSupported(() => client.connectSync(custom), /connectable \(a plain object\): its enumerate\(\)/);
    class MyAddress extends NetworkAddress {}
    notSupported(() => client.connectSync(new MyAddress('127.0.0.1', 1)), /connectable MyAddress/);
    assert.deepEqual(events, [], 'nothing was emitted');
  });

  it('a user-defined resolver names itself; a DnsResolver is accepted', () => {
    const client = new SocketClient({ proxyResolver: direct, resolver: new FakeResolver({}) });
    notSupported(() => client.connectToHostSync('example.test:80', 0), /resolver FakeResolver/);
    // An IP literal with proxies disabled never needs the resolver.
    const port = 1;
    const noProxy = new SocketClient({ enableProxy: false, resolver: new FakeResolver({}) });
    assert.throws(() => noProxy.connectSync(InetSocketAddress.newFromString('127.0.0.1', port)!), {
      code: IOErrorEnum.CONNECTION_REFUSED,
    });
  });

  it('a proxy resolver without lookupSync', () => {
    const client = new SocketClient({ proxyResolver: DIRECT });
    notSupported(
      () => client.connectToHostSync('127.0.0.1:1', 0),
      /proxy resolver \(a plain object\): .*lookupSync/,
    );
    // Without proxies it is never asked.
    const noProxy = new SocketClient({ proxyResolver: DIRECT, enableProxy: false });
    assert.throws(() => noProxy.connectToHostSync('127.0.0.1:1', 0), {
      code: IOErrorEnum.CONNECTION_REFUSED,
    });
  });

  it('tlsOptions holding a function', () => {
    const client = new SocketClient({
      proxyResolver: direct,
      tls: true,
      tlsOptions: { pskCallback: () => null },
    });
    notSupported(() => client.connectToHostSync('127.0.0.1:1', 0), /tlsOptions\.pskCallback/);
  });
});

describe('blocking connect: resolvers, proxies and services', () => {
  it('unknown host through a DnsResolver (dnsmasq): the async error and events', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    const dns = await startDnsmasq({ nxdomain: ['nosuch.test'] });
    try {
      const opts = { proxyResolver: direct, resolver: dns.resolver };
      const a = await runAsync(opts, (c) => c.connectToHost('host.nosuch.test:80', 0));
      const s = runSync(opts, (c) => c.connectToHostSync('host.nosuch.test:80', 0));
      assert.deepEqual(comparable(s), comparable(a));
      assert.deepEqual(s.events, ['RESOLVING', 'COMPLETE']);
      assert.equal(s.error?.domain, 'g-resolver-error-quark');
    } finally {
      await dns.stop();
    }
  });

  it('a name from dnsmasq, and connectToServiceSync through an SRV record', async (t) => {
    if (!requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')) return;
    const peer = await startPeer({ kind: 'tcp' });
    const dns = await startDnsmasq({
      hosts: [{ name: 'echo.svc.test', ipv4: '127.0.0.1' }],
      srv: [{ name: '_echo._tcp.svc.test', target: 'echo.svc.test', port: peer.port }],
    });
    try {
      const opts = { proxyResolver: direct, resolver: dns.resolver };
      const a = await runAsync(opts, (c) => c.connectToHost(`echo.svc.test:${peer.port}`, 0));
      const s = runSync(opts, (c) => c.connectToHostSync(`echo.svc.test:${peer.port}`, 0));
      assert.deepEqual(comparable(s), comparable(a));
      assert.equal(s.remote, `127.0.0.1:${peer.port}`);

      const as = await runAsync(opts, (c) => c.connectToService('svc.test', 'echo'));
      const ss = runSync(opts, (c) => c.connectToServiceSync('svc.test', 'echo'));
      assert.deepEqual(comparable(ss), comparable(as));
      assert.equal(ss.remote, `127.0.0.1:${peer.port}`);
    } finally {
      await dns.stop();
      await peer.stop();
    }
  });

  it('through a SOCKS5 proxy (microsocks): PROXY_* events, a ProxyAddress, data through it', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks not installed')) return;
    const peer = await startPeer({ kind: 'tcp' });
    const proxy = await startMicrosocks();
    try {
      const resolver = new SimpleProxyResolver(`socks5://127.0.0.1:${proxy.port}`);
      const opts = { proxyResolver: resolver };
      const a = await runAsync(opts, (c) => c.connectToHost(`127.0.0.1:${peer.port}`, 0));
      const s = runSync(opts, (c) => c.connectToHostSync(`127.0.0.1:${peer.port}`, 0));
      assert.deepEqual(comparable(s), comparable(a));
      assert.deepEqual(s.events, [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'PROXY_NEGOTIATING',
        'PROXY_NEGOTIATED',
        'COMPLETE',
      ]);
      const conn = new SocketClient(opts).connectToHostSync(`127.0.0.1:${peer.port}`, 0);
      try {
        const remote = conn.getRemoteAddress();
        assert.ok(remote instanceof ProxyAddress);
        assert.equal(remote.protocol, 'socks5');
        assert.equal(remote.destinationPort, peer.port);
        conn.write('via socks');
        assert.equal(conn.readAll(9).toString(), 'via socks');
      } finally {
        conn.close();
      }

      // An application proxy: no negotiation, the connection to the proxy itself (§2.1).
      const app = await runAsync(opts, (c) => {
        c.addApplicationProxy('socks5');
        return c.connectToHost(`127.0.0.1:${peer.port}`, 0);
      });
      const appSync = runSync(opts, (c) => {
        c.addApplicationProxy('socks5');
        return c.connectToHostSync(`127.0.0.1:${peer.port}`, 0);
      });
      assert.deepEqual(comparable(appSync), comparable(app));
      assert.deepEqual(appSync.events, ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);

      // enableProxy=false: the resolver is not used at all.
      const off = runSync({ proxyResolver: resolver, enableProxy: false }, (c) =>
        c.connectToHostSync(`127.0.0.1:${peer.port}`, 0),
      );
      assert.equal(off.error, null);
      assert.ok(!off.events.includes('PROXY_NEGOTIATING'));
    } finally {
      await proxy.stop();
      await peer.stop();
    }
  });
});

describe('blocking connect: Happy Eyeballs, timeouts, cancellation (blackholed ports)', () => {
  it('localhost with ::1 blackholed: 127.0.0.1 after the attempt delay, as async', async (t) => {
    if (!requireOrSkip(t, canFirewall(), FIREWALL)) return;
    const peer = await startPeer({ kind: 'tcp' });
    const unblock = blackholePort(peer.port, 6);
    try {
      const opts = { proxyResolver: direct };
      const a = await runAsync(opts, (c) => c.connectToHost(`localhost:${peer.port}`, 0));
      const s = runSync(opts, (c) => c.connectToHostSync(`localhost:${peer.port}`, 0));
      assert.deepEqual(comparable(s), comparable(a));
      assert.deepEqual(s.events, [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTING',
        'CONNECTED',
        'COMPLETE',
      ]);
      assert.ok(s.at[3] >= 200 && s.at[3] < 1000, `second attempt at ${s.at[3]} ms (expected ~250)`);

      const quick = runSync({ proxyResolver: direct, attemptDelay: 100 }, (c) =>
        c.connectToHostSync(`localhost:${peer.port}`, 0),
      );
      assert.ok(
        quick.at[3] >= 80 && quick.at[3] < 600,
        `attemptDelay 100: second attempt at ${quick.at[3]} ms`,
      );
    } finally {
      unblock();
      await peer.stop();
    }
  });

  it('timeout=1 on a blackholed port: TIMED_OUT “Could not connect to 127.0.0.1: Socket I/O timed out”', async (t) => {
    if (!requireOrSkip(t, canFirewall(), FIREWALL)) return;
    const port = await unusedPort();
    const unblock = blackholePort(port, 4);
    try {
      const opts = { proxyResolver: direct, timeout: 1 };
      const a = await runAsync(opts, (c) => c.connectToHost(`127.0.0.1:${port}`, 0));
      const s = runSync(opts, (c) => c.connectToHostSync(`127.0.0.1:${port}`, 0));
      assert.deepEqual(comparable(s), comparable(a));
      assert.equal(s.error?.code, IOErrorEnum.TIMED_OUT);
      assert.equal(s.error?.message, 'Could not connect to 127.0.0.1: Socket I/O timed out');
      assert.ok(s.elapsed >= 900 && s.elapsed < 5000, `failed after ${s.elapsed} ms`);
    } finally {
      unblock();
    }
  });

  it('a SharedCancellable cancelled from another thread ends a blocked connect', async (t) => {
    if (!requireOrSkip(t, canFirewall(), FIREWALL)) return;
    const port = await unusedPort();
    const unblock = blackholePort(port, 4);
    try {
      const cancellable = new SharedCancellable();
      const canceller = startTsWorker(new URL('./fixtures/canceller.ts', import.meta.url), {
        buffer: cancellable.buffer,
        afterMs: 300,
      });
      const s = runSync({ proxyResolver: direct }, (c) =>
        c.connectToHostSync(`127.0.0.1:${port}`, 0, cancellable),
      );
      await workerExit(canceller);
      assert.equal(s.error?.code, IOErrorEnum.CANCELLED);
      assert.deepEqual(s.events, ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
      assert.ok(s.elapsed >= 250 && s.elapsed < 5000, `cancelled after ${s.elapsed} ms`);
      assert.ok(cancellable.isCancelled(), 'the cancellation is seen on this thread too');
    } finally {
      unblock();
    }
  });

  it('a plain Cancellable cancelled by a listener on the blocked thread', async (t) => {
    if (!requireOrSkip(t, canFirewall(), FIREWALL)) return;
    const port = await unusedPort();
    const unblock = blackholePort(port, 4);
    try {
      const cancellable = new Cancellable();
      const s = runSync({ proxyResolver: direct }, (c) => {
        c.on('event', (event) => {
          if (event === SocketClientEvent.CONNECTING) cancellable.cancel();
        });
        return c.connectToHostSync(`127.0.0.1:${port}`, 0, cancellable);
      });
      assert.equal(s.error?.code, IOErrorEnum.CANCELLED);
      assert.deepEqual(s.events, ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
      assert.equal(cancellable.handlerCount, 0, 'the call left no handler on the cancellable');
    } finally {
      unblock();
    }
  });
});

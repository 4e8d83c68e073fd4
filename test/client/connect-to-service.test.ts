// connect_to_service (gio-behaviour §5, SPEC §3): SRV targets from a real dnsmasq on loopback,
// real TCP servers and refused ports.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Cancellable,
  IOError,
  IOErrorEnum,
  NetworkService,
  ResolverError,
  ResolverErrorEnum,
  SocketClient,
  type ProxyResolver,
  type SocketConnection,
} from '../../src/index.js';
import { dnsmasqAvailable, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startEchoServer, unusedPort, type TestServer } from '../helpers/servers.js';

describe('SocketClient.connectToService against dnsmasq', () => {
  let dns: Dnsmasq | null = null;
  let echo: TestServer;
  let refused: number;
  let baseline: Record<string, number>;

  before(async () => {
    baseline = activeResources();
    echo = await startEchoServer('127.0.0.1');
    refused = await unusedPort('127.0.0.1');
    if (!dnsmasqAvailable()) return;
    dns = await startDnsmasq({
      srv: [
        // The refused one is preferred (lower priority value); the working one is the backup.
        {
          name: '_xmpp-client._tcp.svc.test',
          target: 'backup.svc.test',
          port: echo.port,
          priority: 20,
          weight: 0,
        },
        {
          name: '_xmpp-client._tcp.svc.test',
          target: 'down.svc.test',
          port: refused,
          priority: 10,
          weight: 0,
        },
        {
          name: '_xmpp-client._tcp.dead.test',
          target: 'down.svc.test',
          port: refused,
          priority: 10,
          weight: 0,
        },
        {
          name: '_xmpp-client._tcp.dead.test',
          target: 'down2.svc.test',
          port: refused,
          priority: 20,
          weight: 0,
        },
        { name: '_xmpp-client._tcp.none.test' },
      ],
      hosts: [
        { name: 'down.svc.test', ipv4: '127.0.0.1' },
        { name: 'down2.svc.test', ipv4: '127.0.0.1' },
        { name: 'backup.svc.test', ipv4: '127.0.0.1' },
      ],
    });
  });
  after(async () => {
    await dns?.stop();
    await echo.close();
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  const client = (proxyResolver: ProxyResolver = DIRECT): SocketClient =>
    new SocketClient({ resolver: dns!.resolver, proxyResolver });

  it('the preferred target is refused → the backup target is used; CONNECTING for both', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const c = client();
    const events = recordEvents(c);
    const conn = await c.connectToService('svc.test', 'xmpp-client');
    try {
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTING',
        'CONNECTED',
        'COMPLETE',
      ]);
      assert.deepEqual(
        events.filter((e) => e.event === 'CONNECTING').map((e) => e.remote),
        [`127.0.0.1:${refused}`, `127.0.0.1:${echo.port}`],
      );
      assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${echo.port}`);
      conn.stream.write('srv');
      const [data] = (await onceData(conn)) as [Buffer];
      assert.equal(data.toString(), 'srv');
    } finally {
      await conn.close();
    }
  });

  it('the connectable in every event is the NetworkService (service, tcp, domain)', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const c = client();
    const seen = new Set<unknown>();
    c.on('event', (_e, connectable) => seen.add(connectable));
    const conn = await c.connectToService('svc.test', 'xmpp-client');
    await conn.close();
    assert.equal(seen.size, 1);
    const [connectable] = [...seen];
    assert.ok(connectable instanceof NetworkService);
    assert.equal(String(connectable), '(xmpp-client, tcp, svc.test, xmpp-client)');
  });

  it('every target refused → "Could not connect to <domain>: Connection refused"', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const c = client();
    const events = recordEvents(c);
    await assert.rejects(c.connectToService('dead.test', 'xmpp-client'), (err: unknown) => {
      assert.ok(err instanceof IOError);
      assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(err.message, 'Could not connect to dead.test: Connection refused');
      return true;
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTING', 'COMPLETE']);
    assert.equal(events.at(-1)!.connection, null);
  });

  it('a lone "." target → ResolverError NOT_FOUND; RESOLVING then COMPLETE(null)', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const c = client();
    const events = recordEvents(c);
    await assert.rejects(c.connectToService('none.test', 'xmpp-client'), (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
      assert.equal(err.message, 'Service “xmpp-client” is not available on “none.test”');
      return true;
    });
    assert.deepEqual(names(events), ['RESOLVING', 'COMPLETE']);
    assert.equal(events[1].connection, null);
  });

  it('no SRV record and an unknown service name → the SRV NOT_FOUND error', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    await assert.rejects(
      client().connectToService('svc.test', 'no-such-service-x'),
      (err: unknown) =>
        err instanceof ResolverError &&
        err.code === ResolverErrorEnum.NOT_FOUND &&
        err.message === 'No DNS record of the requested type for “_no-such-service-x._tcp.svc.test”',
    );
  });

  it('the client’s proxy resolver is asked, with <service>://<target>:<port> (SPEC §3)', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const uris: string[] = [];
    const recording: ProxyResolver = {
      isSupported: () => true,
      lookup: async (uri: string) => {
        uris.push(uri);
        return ['direct://'];
      },
    };
    const conn = await client(recording).connectToService('svc.test', 'xmpp-client');
    await conn.close();
    assert.deepEqual(uris, [
      `xmpp-client://down.svc.test:${refused}`,
      `xmpp-client://backup.svc.test:${echo.port}`,
    ]);
  });

  it('connectToServiceAsync + connectToServiceFinish, callback on a later tick', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const c = client();
    let sync = true;
    const conn = await new Promise<SocketConnection>((resolve, reject) => {
      c.connectToServiceAsync('svc.test', 'xmpp-client', null, (source, result) => {
        assert.equal(sync, false, 'callback must not run synchronously');
        assert.equal(source, c);
        try {
          resolve(c.connectToServiceFinish(result));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      sync = false;
    });
    assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${echo.port}`);
    await conn.close();
    // And the error path through Finish.
    const err = await new Promise<unknown>((resolve) => {
      c.connectToServiceAsync('none.test', 'xmpp-client', null, (_s, result) => {
        try {
          c.connectToServiceFinish(result);
          resolve(null);
        } catch (e) {
          resolve(e);
        }
      });
    });
    assert.ok(err instanceof ResolverError && err.code === ResolverErrorEnum.NOT_FOUND);
  });

  it('a cancelled cancellable → IOError CANCELLED', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const cancellable = new Cancellable();
    cancellable.cancel();
    await assert.rejects(
      client().connectToService('svc.test', 'xmpp-client', { cancellable }),
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CANCELLED,
    );
  });

  it('invalid arguments reject before any event', async () => {
    const c = new SocketClient({ proxyResolver: DIRECT });
    const events = recordEvents(c);
    await assert.rejects(
      c.connectToService('', 'xmpp-client'),
      (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.INVALID_ARGUMENT,
    );
    assert.deepEqual(events, []);
  });
});

function onceData(conn: SocketConnection): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    conn.stream.once('data', (...args: unknown[]) => resolve(args));
    conn.stream.once('error', reject);
  });
}

// Event sequences and payloads of gio-behaviour.md §2.1 for direct connections and failures,
// against real loopback servers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Cancellable,
  IOError,
  IOErrorEnum,
  InetSocketAddress,
  NetworkAddress,
  ResolverError,
  ResolverErrorEnum,
  SocketClient,
  TcpConnection,
  type SocketClientOptions,
  type SocketType,
} from '../../src/index.js';
import { names, recordEvents } from '../helpers/events.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT, FakeResolver } from '../helpers/resolvers.js';
import { startEchoServer, unusedPort, type TestServer } from '../helpers/servers.js';

const client = (opts: SocketClientOptions = {}): SocketClient<SocketType> =>
  new SocketClient({ proxyResolver: DIRECT, ...opts });

describe('SocketClient events (§2.1)', () => {
  let v4: TestServer;
  let v6: TestServer;
  let baseline: Record<string, number>;

  before(async () => {
    baseline = activeResources();
    v4 = await startEchoServer('127.0.0.1');
    v6 = await startEchoServer('::1');
  });
  after(async () => {
    await v4.close();
    await v6.close();
    assert.deepEqual(await settleLeaks(baseline), {}, 'no sockets or timers left behind');
  });

  it('IPv4 literal: RESOLVING, RESOLVED, CONNECTING, CONNECTED, COMPLETE with one TcpConnection', async () => {
    const c = client();
    const events = recordEvents(c);
    const conn = await c.connectToHost(`127.0.0.1:${v4.port}`, 0);
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
    assert.equal(events[0].connection, null);
    assert.equal(events[1].connection, null);
    assert.ok(events[2].connection instanceof TcpConnection);
    assert.equal(events[2].connection, events[3].connection);
    assert.equal(events[3].connection, events[4].connection);
    assert.equal(events[4].connection, conn);
    assert.equal(events[2].remote, `127.0.0.1:${v4.port}`);
    assert.ok(conn.getRemoteAddress() instanceof InetSocketAddress);
    assert.ok(conn.isConnected());
    assert.equal(conn.stream, conn.socket, 'stream is the real net.Socket');
    await conn.close();
    assert.equal(conn.isConnected(), false);
  });

  it('the connectable in every event is the NetworkAddress the call made', async () => {
    const c = client();
    const seen = new Set<unknown>();
    c.on('event', (_e, connectable) => seen.add(connectable));
    const conn = await c.connectToHost(`127.0.0.1:${v4.port}`, 0);
    await conn.close();
    assert.equal(seen.size, 1);
    const [connectable] = [...seen];
    assert.ok(connectable instanceof NetworkAddress);
    assert.equal(String(connectable), `127.0.0.1:${v4.port}`);
  });

  it('[::1]:P connects over IPv6 and echoes', async () => {
    const c = client();
    const events = recordEvents(c);
    const conn = await c.connectToHost(`[::1]:${v6.port}`, 0);
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
    assert.equal(events[2].remote, `[::1]:${v6.port}`);
    conn.stream.write('ping');
    const [data] = (await onceData(conn.stream)) as [Buffer];
    assert.equal(data.toString(), 'ping');
    await conn.close();
  });

  it('localhost with only IPv4 listening: ::1 is refused, 127.0.0.1 connects', async () => {
    const c = client();
    const events = recordEvents(c);
    const conn = await c.connectToHost(`localhost:${v4.port}`, 0);
    assert.deepEqual(names(events), [
      'RESOLVING',
      'RESOLVED',
      'CONNECTING',
      'CONNECTING',
      'CONNECTED',
      'COMPLETE',
    ]);
    assert.equal(events[2].remote, `[::1]:${v4.port}`);
    assert.equal(events[3].remote, `127.0.0.1:${v4.port}`);
    assert.notEqual(events[2].connection, events[3].connection, 'each attempt has its own connection');
    assert.equal(events[5].connection, conn);
    await conn.close();
  });

  it('refused port: CONNECTING then COMPLETE(null), CONNECTION_REFUSED with GIO wording', async () => {
    const port = await unusedPort();
    const c = client();
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost(`127.0.0.1:${port}`, 0), (err: unknown) => {
      assert.ok(err instanceof IOError);
      assert.equal(err.domain, 'g-io-error-quark');
      assert.equal(err.code, IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(err.message, 'Could not connect to 127.0.0.1: Connection refused');
      assert.ok(err.matches(IOError, IOErrorEnum.CONNECTION_REFUSED));
      return true;
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
    assert.equal(events[3].connection, null);
  });

  it('every address refused (localhost → ::1, 127.0.0.1): two CONNECTINGs, then COMPLETE(null)', async () => {
    const port = await unusedPort();
    const c = client();
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost(`localhost:${port}`, 0), {
      message: 'Could not connect to localhost: Connection refused',
      code: IOErrorEnum.CONNECTION_REFUSED,
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTING', 'COMPLETE']);
    assert.notEqual(events[2].connection, events[3].connection);
  });

  it('unknown host (local NXDOMAIN): RESOLVING then COMPLETE(null), no RESOLVED (async)', async () => {
    const c = client({ resolver: new FakeResolver({}) });
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost('no-such-host.invalid:80', 0), (err: unknown) => {
      assert.ok(err instanceof ResolverError);
      assert.equal(err.domain, 'g-resolver-error-quark');
      assert.equal(err.code, ResolverErrorEnum.NOT_FOUND);
      assert.equal(err.message, 'Error resolving “no-such-host.invalid”: Name or service not known');
      return true;
    });
    assert.deepEqual(names(events), ['RESOLVING', 'COMPLETE']);
  });

  it('parse errors: INVALID_ARGUMENT and no events at all', async () => {
    const c = client();
    const events = recordEvents(c);
    await assert.rejects(c.connectToHost('[::1', 80), {
      code: IOErrorEnum.INVALID_ARGUMENT,
      message: 'Hostname “[::1” contains “[” but not “]”',
    });
    await assert.rejects(c.connectToUri('asdf', 80), { code: IOErrorEnum.INVALID_ARGUMENT });
    await assert.rejects(c.connectToHost('host:99999', 80), { code: IOErrorEnum.INVALID_ARGUMENT });
    assert.deepEqual(events, []);
  });

  it('pre-cancelled: RESOLVING then COMPLETE(null), CANCELLED', async () => {
    const c = client();
    const events = recordEvents(c);
    const cancellable = new Cancellable();
    cancellable.cancel();
    await assert.rejects(c.connectToHost(`127.0.0.1:${v4.port}`, 0, { cancellable }), {
      code: IOErrorEnum.CANCELLED,
      message: 'Operation was cancelled',
    });
    assert.deepEqual(names(events), ['RESOLVING', 'COMPLETE']);
    assert.equal(cancellable.handlerCount, 0, 'no handler left on the caller cancellable');
  });

  it('cancelled during the attempt (from the CONNECTING handler): CONNECTING then COMPLETE(null)', async () => {
    const c = client();
    const events = recordEvents(c);
    const cancellable = new Cancellable();
    c.on('event', (e) => {
      if (e === 2) cancellable.cancel();
    });
    await assert.rejects(c.connectToHost(`127.0.0.1:${v4.port}`, 0, { cancellable }), {
      code: IOErrorEnum.CANCELLED,
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'COMPLETE']);
    assert.equal(events[3].connection, null);
  });

  it('cancelled in the CONNECTED handler: even a connected socket is not returned', async () => {
    const c = client();
    const events = recordEvents(c);
    const cancellable = new Cancellable();
    c.on('event', (e) => {
      if (e === 3) cancellable.cancel();
    });
    await assert.rejects(c.connectToHost(`127.0.0.1:${v4.port}`, 0, { cancellable }), {
      code: IOErrorEnum.CANCELLED,
    });
    assert.deepEqual(names(events), ['RESOLVING', 'RESOLVED', 'CONNECTING', 'CONNECTED', 'COMPLETE']);
    assert.equal(events[4].connection, null);
    const connected = events[3].connection as TcpConnection;
    await new Promise((r) => setImmediate(r));
    assert.equal(connected.socket.destroyed, true, 'the connected socket was destroyed');
  });

  it('an AbortSignal aborts like a Cancellable; AbortSignal.timeout() gives TIMED_OUT', async () => {
    const c = client();
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(c.connectToHost(`127.0.0.1:${v4.port}`, 0, { signal: ac.signal }), {
      code: IOErrorEnum.CANCELLED,
    });
    const timedOut = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 10));
    await assert.rejects(c.connectToHost(`127.0.0.1:${v4.port}`, 0, { signal: timedOut }), {
      code: IOErrorEnum.TIMED_OUT,
    });
  });

  it('GIO callback style: the callback runs on a later tick and …Finish gives the result', async () => {
    const c = client();
    let sync = true;
    const conn = await new Promise<TcpConnection>((resolve, reject) => {
      c.connectToHostAsync(`127.0.0.1:${v4.port}`, 0, null, (source, result) => {
        try {
          assert.equal(sync, false, 'never called synchronously');
          assert.equal(source, c);
          resolve(c.connectToHostFinish(result) as TcpConnection);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      sync = false;
    });
    assert.ok(conn.isConnected());
    await conn.close();
    const err = await new Promise<unknown>((resolve) => {
      c.connectToUriAsync('asdf', 80, null, (_s, result) => {
        try {
          c.connectToUriFinish(result);
          resolve(null);
        } catch (e) {
          resolve(e);
        }
      });
    });
    assert.ok(err instanceof IOError);
    assert.equal(err.code, IOErrorEnum.INVALID_ARGUMENT);
    assert.equal(err.message, 'Invalid URI ‘asdf’');
  });

  it('connect() accepts an InetSocketAddress and decorates with its IP', async () => {
    const port = await unusedPort();
    const c = client();
    await assert.rejects(c.connect(InetSocketAddress.newFromString('127.0.0.1', port)!), {
      message: 'Could not connect to 127.0.0.1: Connection refused',
    });
    const conn = await c.connect(InetSocketAddress.newFromString('127.0.0.1', v4.port)!);
    await conn.close();
  });

  it('COMPLETE is emitted exactly once and last, also when a listener throws', async () => {
    const c = client();
    const events = recordEvents(c);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.prependListener('uncaughtException', onUncaught);
    const listeners = process.listeners('uncaughtException').filter((l) => l !== onUncaught);
    for (const l of listeners) process.off('uncaughtException', l);
    try {
      c.once('event', () => {
        throw new Error('listener bug');
      });
      const conn = await c.connectToHost(`127.0.0.1:${v4.port}`, 0);
      await new Promise((r) => setImmediate(r));
      await conn.close();
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const l of listeners) process.on('uncaughtException', l);
    }
    assert.equal(names(events).filter((n) => n === 'COMPLETE').length, 1);
    assert.equal(names(events).at(-1), 'COMPLETE');
    assert.equal(uncaught.length, 1, 'the listener error surfaced as an uncaught exception');
  });
});

function onceData(stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve) => stream.once('data', (...args: unknown[]) => resolve(args)));
}

// A refused attempt's net.Socket is connected again for the next address when no 'event'
// listener was given its connection (nodeTransport.reconnectTcp, as net's autoSelectFamily
// keeps one socket), and never when one was. Sockets made by net.connect are counted through
// Node's documented diagnostics channel 'net.client.socket'.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import {
  Cancellable,
  IOError,
  IOErrorEnum,
  PinnedResolver,
  SocketClient,
  SocketClientEvent,
  TcpConnection,
  type ConnectAttempt,
} from '../../src/index.js';
import { canFirewall, requireOrSkip } from '../helpers/env.js';
import { names, recordEvents } from '../helpers/events.js';
import { blackholePort } from '../helpers/firewall.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startEchoServer, unusedPort } from '../helpers/servers.js';

/** Runs `body` and returns how many sockets net.connect made meanwhile, with its result. */
async function countingSockets<T>(body: () => Promise<T>): Promise<{ made: number; result: T }> {
  let made = 0;
  const onSocket = (): void => {
    made++;
  };
  subscribe('net.client.socket', onSocket);
  try {
    const result = await body();
    return { made, result };
  } finally {
    unsubscribe('net.client.socket', onSocket);
  }
}

async function echoes(conn: TcpConnection): Promise<void> {
  const reply = once(conn.socket, 'data');
  conn.socket.write('ping');
  assert.equal(String((await reply)[0]), 'ping');
}

describe('a refused attempt’s socket, connected again for the next address', () => {
  it('no listener: ::1 refused, then 127.0.0.1 on the same socket; the connection works and its timings are as always', async () => {
    const baseline = activeResources();
    const v4 = await startEchoServer('127.0.0.1');
    try {
      const client = new SocketClient({
        proxyResolver: DIRECT,
        resolver: new PinnedResolver({ 'fallback.test': ['::1', '127.0.0.1'] }),
      });
      const ended: ConnectAttempt[] = [];
      const { made, result: conn } = await countingSockets(() =>
        client.connectToHost(`fallback.test:${v4.port}`, 0, { onAttemptEnd: (a) => ended.push(a) }),
      );
      assert.equal(made, 1, 'one net.Socket for both attempts');
      assert.ok(conn instanceof TcpConnection);
      assert.equal(conn.getRemoteAddress().toString(), `127.0.0.1:${v4.port}`);
      assert.equal(conn.socket.remoteAddress, '127.0.0.1');
      await echoes(conn);
      const attempts = conn.timings!.attempts;
      assert.deepEqual(
        attempts.map((a) => [a.address.toString(), a.outcome]),
        [
          [`[::1]:${v4.port}`, 'failed'],
          [`127.0.0.1:${v4.port}`, 'succeeded'],
        ],
      );
      assert.ok(attempts[0].error instanceof IOError);
      assert.equal(attempts[0].error.code, IOErrorEnum.CONNECTION_REFUSED);
      assert.equal(attempts[0].error.message, 'Could not connect to fallback.test: Connection refused');
      assert.deepEqual(
        ended.map((a) => a.outcome),
        ['failed', 'succeeded'],
      );
      await conn.close();
    } finally {
      await v4.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('with an event listener: every CONNECTING connection has its own socket, and the refused one is destroyed', async () => {
    const baseline = activeResources();
    const v4 = await startEchoServer('127.0.0.1');
    try {
      const client = new SocketClient({
        proxyResolver: DIRECT,
        resolver: new PinnedResolver({ 'fallback.test': ['::1', '127.0.0.1'] }),
      });
      const events = recordEvents(client);
      const { made, result: conn } = await countingSockets(() =>
        client.connectToHost(`fallback.test:${v4.port}`, 0),
      );
      assert.equal(made, 2);
      assert.deepEqual(names(events), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTING',
        'CONNECTED',
        'COMPLETE',
      ]);
      const refused = events[2].connection as TcpConnection;
      const winner = events[3].connection as TcpConnection;
      assert.notEqual(refused, winner);
      assert.notEqual(refused.socket, winner.socket);
      assert.equal(refused.socket.destroyed, true);
      assert.equal(winner, conn);
      await echoes(conn as TcpConnection);
      await conn.close();
    } finally {
      await v4.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('a listener that comes after the first failures sees sockets of its own from then on', async () => {
    const baseline = activeResources();
    const port = await unusedPort();
    const addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
    const client = new SocketClient({
      proxyResolver: DIRECT,
      resolver: new PinnedResolver({ 'many.test': addresses }),
    });
    const seen: TcpConnection[] = [];
    let failures = 0;
    const { made, result: error } = await countingSockets(() =>
      client
        .connectToHost(`many.test:${port}`, 0, {
          onAttemptEnd: () => {
            // From the second failure on, CONNECTING has a listener.
            if (++failures === 2) {
              client.on('event', (event: SocketClientEvent, _c: unknown, conn: unknown) => {
                if (event === SocketClientEvent.CONNECTING) seen.push(conn as TcpConnection);
              });
            }
          },
        })
        .then(
          () => assert.fail('connected to a closed port'),
          (err: unknown) => err,
        ),
    );
    // Attempts 1-3 start on one socket (nobody saw 1 and 2 connect); 3 was seen, so 4 gets a new one.
    assert.equal(made, 2);
    assert.equal(seen.length, 2);
    assert.notEqual(seen[0].socket, seen[1].socket);
    assert.ok(seen.every((c) => c.socket.destroyed));
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.CONNECTION_REFUSED);
    assert.equal(error.message, 'Could not connect to many.test: Connection refused');
    client.removeAllListeners('event');
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('eight addresses refused on one socket: the last error, eight failed attempts, each with its own error', async () => {
    const baseline = activeResources();
    const port = await unusedPort();
    const addresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 1}`);
    const client = new SocketClient({
      proxyResolver: DIRECT,
      resolver: new PinnedResolver({ 'many.test': addresses }),
    });
    const { made, result: error } = await countingSockets(() =>
      client.connectToHost(`many.test:${port}`, 0).then(
        () => assert.fail('connected to a closed port'),
        (err: unknown) => err,
      ),
    );
    assert.equal(made, 1);
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.CONNECTION_REFUSED);
    const attempts = (error as IOError & { attempts: readonly ConnectAttempt[] }).attempts;
    assert.deepEqual(
      attempts.map((a) => [a.address.toString(), a.outcome, a.error?.code]),
      addresses.map((a) => [`${a}:${port}`, 'failed', IOErrorEnum.CONNECTION_REFUSED]),
    );
    assert.equal(new Set(attempts.map((a) => a.error)).size, 8, 'one error object per attempt');
    assert.equal(attempts[7].error, error, 'the reported error is the last attempt’s');
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('cancelled while the next attempt waits for the refused socket to close: CANCELLED, the abandoned attempt leaves nothing behind', async () => {
    const baseline = activeResources();
    const port = await unusedPort();
    const client = new SocketClient({
      proxyResolver: DIRECT,
      resolver: new PinnedResolver({ 'many.test': ['127.0.0.1', '127.0.0.2'] }),
    });
    const cancellable = new Cancellable();
    const ended: ConnectAttempt[] = [];
    const { made, result: error } = await countingSockets(() => {
      const pending = client.connectToHost(`many.test:${port}`, 0, {
        cancellable,
        // Called as the first attempt fails, just before the second one starts and claims its
        // socket (cancelling now would stop it from starting). setImmediate runs in the same
        // turn of the event loop as the failure, before its socket's 'close' (close callbacks
        // come last); the operation ends a tick later, still before that 'close'.
        onAttemptEnd: (a) => {
          ended.push(a);
          if (a.outcome === 'failed') setImmediate(() => cancellable.cancel());
        },
      });
      return pending.then(
        () => assert.fail('connected to a closed port'),
        (err: unknown) => err,
      );
    });
    assert.equal(made, 1);
    assert.ok(error instanceof IOError);
    assert.equal(error.code, IOErrorEnum.CANCELLED);
    assert.deepEqual(
      ended.map((a) => [a.address.toString(), a.outcome]),
      [
        [`127.0.0.1:${port}`, 'failed'],
        [`127.0.0.2:${port}`, 'abandoned'],
      ],
    );
    assert.deepEqual(await settleLeaks(baseline), {});
  });

  it('::1 refused, then 127.0.0.1 blackholed on the reused socket: TIMED_OUT after the stage timeout, nothing left behind', async (t) => {
    if (!requireOrSkip(t, canFirewall(), 'needs root and iptables to blackhole a loopback port')) return;
    const baseline = activeResources();
    const port = await unusedPort();
    const unblock = blackholePort(port, 4);
    try {
      const client = new SocketClient({
        proxyResolver: DIRECT,
        resolver: new PinnedResolver({ 'fallback.test': ['::1', '127.0.0.1'] }),
        timeout: 1,
      });
      const t0 = Date.now();
      const { made, result: error } = await countingSockets(() =>
        client.connectToHost(`fallback.test:${port}`, 0).then(
          () => assert.fail('connected through a blackhole'),
          (err: unknown) => err,
        ),
      );
      const elapsed = Date.now() - t0;
      assert.equal(made, 1);
      assert.ok(error instanceof IOError);
      assert.equal(error.code, IOErrorEnum.TIMED_OUT);
      assert.ok(elapsed >= 900 && elapsed < 3000, `failed after ${elapsed} ms`);
      const attempts = (error as IOError & { attempts: readonly ConnectAttempt[] }).attempts;
      assert.deepEqual(
        attempts.map((a) => a.error?.code),
        [IOErrorEnum.CONNECTION_REFUSED, IOErrorEnum.TIMED_OUT],
      );
    } finally {
      unblock();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });
});

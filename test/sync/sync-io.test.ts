// Blocking I/O on a SyncSocketConnection: reads, writes, EOF, resets, per-operation timeouts
// (§9), cancellation from another thread, close(). Peers run in child processes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CONNECTION_CLOSED,
  Cancellable,
  IOErrorEnum,
  SharedCancellable,
  SimpleProxyResolver,
  SocketClient,
  SocketClientEvent,
  SyncSocketConnection,
} from '../../src/index.js';
import { unusedPort } from '../helpers/servers.js';
import { startPeer } from './peer.js';
import { startTsWorker, workerExit } from './threads.js';
import { isIOError, withPeer } from './with-peer.js';

const direct = new SimpleProxyResolver();

describe('SyncSocketConnection I/O', () => {
  it('write and read back 1 MiB through an echo peer (write in pieces, read what is there)', async () => {
    await withPeer({ kind: 'tcp' }, 10, (conn) => {
      const data = randomBytes(1024 * 1024 + 17);
      // The echo comes back while we write: read in between so neither side's buffers fill.
      const received: Buffer[] = [];
      let got = 0;
      for (let off = 0; off < data.length; off += 100_000) {
        assert.equal(conn.write(data.subarray(off, off + 100_000)), Math.min(100_000, data.length - off));
        while (got < Math.min(off + 100_000, data.length)) {
          const part = conn.read(65536);
          assert.ok(part.length > 0 && part.length <= 65536);
          received.push(part);
          got += part.length;
        }
      }
      assert.ok(Buffer.concat(received).equals(data));
      assert.equal(conn.read(0).length, 0, 'read(0) returns at once');
    });
  });

  it('read() gives at most maxBytes and keeps the rest for the next read', async () => {
    await withPeer({ kind: 'tcp' }, 10, (conn) => {
      conn.writeAll('abcdef');
      assert.equal(conn.readAll(2).toString(), 'ab');
      assert.equal(conn.readAll(4).toString(), 'cdef');
    });
  });

  it('EOF: data then an empty Buffer, again and again; readAll returns short', async () => {
    await withPeer({ kind: 'tcp', mode: 'send-close', payload: 'bye' }, 10, (conn) => {
      assert.equal(conn.readAll(10).toString(), 'bye', 'readAll stops at EOF');
      assert.equal(conn.read(10).length, 0);
      assert.equal(conn.read(10).length, 0);
    });
  });

  it('a reset by the peer is reported as CONNECTION_CLOSED “Connection reset by peer”', async () => {
    await withPeer({ kind: 'tcp', mode: 'reset-on-data' }, 10, (conn) => {
      conn.write('x');
      assert.throws(() => conn.read(10), isIOError(CONNECTION_CLOSED, 'Connection reset by peer'));
      assert.throws(() => conn.read(10), isIOError(CONNECTION_CLOSED), 'and again on the next read');
      assert.throws(() => conn.write('y'), isIOError(CONNECTION_CLOSED));
    });
  });

  it('a read with nothing to read times out with TIMED_OUT; the connection stays usable', async () => {
    await withPeer({ kind: 'tcp' }, 1, (conn) => {
      const t0 = Date.now();
      assert.throws(() => conn.read(10), isIOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out'));
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 900 && elapsed < 5000, `timed out after ${elapsed} ms`);
      conn.write('still here');
      assert.equal(conn.readAll(10).toString(), 'still here');
      // The timeout can be changed per connection (g_socket_set_timeout).
      conn.timeout = 0.3;
      const t1 = Date.now();
      assert.throws(() => conn.read(10), isIOError(IOErrorEnum.TIMED_OUT));
      assert.ok(Date.now() - t1 < 2000);
    });
  });

  it('a write to a peer that stopped reading blocks, then times out', async () => {
    await withPeer({ kind: 'tcp', mode: 'hold' }, 1, (conn) => {
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      let error: unknown = null;
      let written = 0;
      const t0 = Date.now();
      // Bounded: loopback buffers hold a few MiB; 512 pieces are 128 MiB.
      for (let i = 0; i < 512 && error === null; i++) {
        try {
          written += conn.write(chunk);
        } catch (err) {
          error = err;
        }
      }
      assert.ok(error !== null, `no timeout after ${written} bytes`);
      isIOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out')(error);
      assert.ok(written > 0, 'some data fitted in the buffers first');
      assert.ok(Date.now() - t0 < 30_000);
    });
  });

  it('close() is idempotent; I/O after it fails with CLOSED', async () => {
    await withPeer({ kind: 'tcp' }, 10, (conn) => {
      conn.close();
      conn.close();
      assert.ok(conn.isClosed());
      assert.equal(conn.isConnected(), false);
      assert.throws(() => conn.read(1), isIOError(IOErrorEnum.CLOSED, 'Stream is already closed'));
      assert.throws(() => conn.write('x'), isIOError(IOErrorEnum.CLOSED));
    });
  });

  it('a SharedCancellable cancelled from another thread ends a blocked read; the connection stays usable', async () => {
    await withPeer({ kind: 'tcp', mode: 'echo' }, 0, async (conn) => {
      const cancellable = new SharedCancellable();
      const canceller = startTsWorker(new URL('./fixtures/canceller.ts', import.meta.url), {
        buffer: cancellable.buffer,
        afterMs: 300,
      });
      const t0 = Date.now();
      assert.throws(
        () => conn.read(10, cancellable),
        isIOError(IOErrorEnum.CANCELLED, 'Operation was cancelled'),
      );
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 250 && elapsed < 5000, `cancelled after ${elapsed} ms`);
      await workerExit(canceller);
      // Already cancelled: fails before asking the worker.
      assert.throws(() => conn.read(10, cancellable), isIOError(IOErrorEnum.CANCELLED));
      conn.write('ok');
      assert.equal(conn.readAll(2).toString(), 'ok');
    });
  });

  it('a cancelled plain Cancellable fails at once', async () => {
    await withPeer({ kind: 'tcp' }, 10, (conn) => {
      const cancellable = new Cancellable();
      cancellable.cancel();
      assert.throws(() => conn.write('x', cancellable), isIOError(IOErrorEnum.CANCELLED));
    });
  });

  it('connections shown by events for losing attempts cannot be used', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const client = new SocketClient({ proxyResolver: direct });
      const attempts: SyncSocketConnection[] = [];
      client.on('event', (event, _c, connection) => {
        if (event === SocketClientEvent.CONNECTING)
          attempts.push(connection as unknown as SyncSocketConnection);
      });
      // Nothing listens on ::1, so the first attempt is refused and the second one wins.
      const conn = client.connectToHostSync(`localhost:${peer.port}`, 0);
      try {
        assert.equal(attempts.length, 2);
        assert.equal(attempts[1], conn);
        assert.equal(attempts[0].getRemoteAddress().toString(), `[::1]:${peer.port}`);
        assert.throws(() => attempts[0].read(1), isIOError(IOErrorEnum.NOT_CONNECTED));
      } finally {
        conn.close();
      }
    } finally {
      await peer.stop();
    }
  });

  it('invalid arguments are INVALID_ARGUMENT', async () => {
    const port = await unusedPort();
    assert.throws(
      () =>
        new SocketClient({ proxyResolver: direct }).connectToHostSync(
          `127.0.0.1:${port}`,
          0,
          {} as Cancellable,
        ),
      isIOError(IOErrorEnum.INVALID_ARGUMENT),
    );
    await withPeer({ kind: 'tcp' }, 10, (conn) => {
      assert.throws(() => conn.read(-1), isIOError(IOErrorEnum.INVALID_ARGUMENT));
      assert.throws(() => (conn.timeout = -1), isIOError(IOErrorEnum.INVALID_ARGUMENT));
    });
  });
});

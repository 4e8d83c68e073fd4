// Large writes of the blocking API go through a shared-memory ring (src/sync/write-ring.ts):
// byte-exact across wrap-arounds, and with the errors, timeouts and cancellation of small writes.
// Peers run in child processes (this thread blocks).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  CONNECTION_CLOSED,
  IOErrorEnum,
  SharedCancellable,
  SimpleProxyResolver,
  SocketClient,
} from '../../src/index.js';
import { syncEngineStats } from '../../src/sync/channel.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { RING_BYTES, RING_MIN_BYTES } from '../../src/sync/write-ring.js';
import { startPeer } from './peer.js';
import { startTsWorker, workerExit } from './threads.js';
import { isIOError, withPeer } from './with-peer.js';

const direct = new SimpleProxyResolver();

/** The worker's state after an operation: nothing in flight, no timer or wait left behind. */
function assertSettled(before: ReturnType<typeof syncEngineStats>): void {
  const after = syncEngineStats();
  assert.equal(after.operations, 0);
  assert.equal(after.resources.Timeout ?? 0, before.resources.Timeout ?? 0, 'worker timers');
}

describe('blocking bulk writes through the shared ring', () => {
  it('large and odd-sized writes wrap the ring and arrive byte-exact', async () => {
    await withPeer({ kind: 'tcp', mode: 'digest' }, 10, async (conn, peer) => {
      // Sizes around the ring's size and the ring path's threshold, so stretches start and end at
      // every kind of offset; small ones between them take the one-message path.
      const sizes = [
        RING_BYTES * 3 + 1,
        RING_MIN_BYTES - 1,
        RING_MIN_BYTES,
        RING_BYTES - 7,
        1,
        RING_BYTES * 2 + 12_345,
        RING_MIN_BYTES + 3,
        RING_BYTES,
        5 * RING_BYTES + 999,
      ];
      const hash = createHash('sha256');
      let total = 0;
      for (const size of sizes) {
        const data = randomBytes(size);
        hash.update(data);
        total += size;
        assert.equal(conn.writeAll(data), size);
      }
      conn.shutdownWrite();
      const report = await peer.nextMessage();
      assert.equal(report.received, total);
      assert.equal(report.sha256, hash.digest('hex'));
    });
  });

  it('over TLS: wrapped writes arrive byte-exact', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl not installed')) return;
    const pki = testPki();
    const peer = await startPeer({
      kind: 'tls',
      mode: 'digest',
      certFile: pki.valid.certFile,
      keyFile: pki.valid.keyFile,
    });
    try {
      const client = new SocketClient({ proxyResolver: direct, tls: true, tlsOptions: { ca: pki.ca } });
      const conn = client.connectToHostSync(`localhost:${peer.port}`, 0);
      try {
        assert.equal(conn.type, 'tcp-wrapper');
        const data = randomBytes(3 * RING_BYTES + 4321);
        assert.equal(conn.writeAll(data), data.length);
        conn.shutdownWrite();
        const report = await peer.nextMessage();
        assert.equal(report.received, data.length);
        assert.equal(report.sha256, createHash('sha256').update(data).digest('hex'));
      } finally {
        conn.close();
      }
    } finally {
      await peer.stop();
    }
  });

  it('the caller’s buffer may be reused at once: what was written is what was passed', async () => {
    await withPeer({ kind: 'tcp', mode: 'digest' }, 10, async (conn, peer) => {
      const data = Buffer.alloc(3 * RING_BYTES + 5);
      const hash = createHash('sha256');
      for (let i = 0; i < 4; i++) {
        data.fill(0x41 + i);
        hash.update(data);
        conn.writeAll(data);
      }
      conn.shutdownWrite();
      const report = await peer.nextMessage();
      assert.equal(report.received, data.length * 4);
      assert.equal(report.sha256, hash.digest('hex'));
    });
  });

  it('a peer that stops reading: TIMED_OUT “Socket I/O timed out” after `timeout` without progress', async () => {
    await withPeer({ kind: 'tcp', mode: 'hold' }, 1, (conn) => {
      const before = syncEngineStats();
      const t0 = Date.now();
      // Far more than loopback buffers hold, in one call.
      assert.throws(
        () => conn.writeAll(Buffer.alloc(64 * 1024 * 1024)),
        isIOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out'),
      );
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 900 && elapsed < 20_000, `timed out after ${elapsed} ms`);
      assertSettled(before);
    });
  });

  it('a SharedCancellable cancelled from another thread ends a large write', async () => {
    await withPeer({ kind: 'tcp', mode: 'hold' }, 0, async (conn) => {
      const before = syncEngineStats();
      const cancellable = new SharedCancellable();
      const canceller = startTsWorker(new URL('./fixtures/canceller.ts', import.meta.url), {
        buffer: cancellable.buffer,
        afterMs: 300,
      });
      const t0 = Date.now();
      try {
        assert.throws(
          () => conn.writeAll(Buffer.alloc(64 * 1024 * 1024), cancellable),
          isIOError(IOErrorEnum.CANCELLED, 'Operation was cancelled'),
        );
      } finally {
        await workerExit(canceller);
      }
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 250 && elapsed < 20_000, `cancelled after ${elapsed} ms`);
      assertSettled(before);
      // Already cancelled: fails before asking the worker.
      assert.throws(
        () => conn.writeAll(Buffer.alloc(RING_BYTES), cancellable),
        isIOError(IOErrorEnum.CANCELLED),
      );
    });
  });

  it('a peer that resets during a large write: CONNECTION_CLOSED, then again on the next write', async () => {
    await withPeer({ kind: 'tcp', mode: 'reset-on-data' }, 10, (conn) => {
      const before = syncEngineStats();
      assert.throws(
        () => conn.writeAll(Buffer.alloc(64 * 1024 * 1024)),
        isIOError(CONNECTION_CLOSED, /^(Connection reset by peer|Broken pipe)$/),
      );
      assertSettled(before);
      assert.throws(() => conn.writeAll(Buffer.alloc(RING_BYTES)), isIOError(CONNECTION_CLOSED));
      assert.throws(() => conn.write('x'), isIOError(CONNECTION_CLOSED));
    });
  });

  it('a peer that closes during a large write: CONNECTION_CLOSED, and the connection closes cleanly', async () => {
    await withPeer({ kind: 'tcp', mode: 'close-on-data' }, 10, (conn) => {
      const before = syncEngineStats();
      assert.throws(
        () => conn.writeAll(Buffer.alloc(64 * 1024 * 1024)),
        isIOError(CONNECTION_CLOSED, /^(Connection reset by peer|Broken pipe)$/),
      );
      assertSettled(before);
      assert.throws(() => conn.writeAll(Buffer.alloc(RING_MIN_BYTES)), isIOError(CONNECTION_CLOSED));
      conn.close();
      assert.equal(syncEngineStats().connections, before.connections - 1);
    });
  });

  it('after a failed large write the next one gets a fresh ring and arrives intact', async () => {
    await withPeer({ kind: 'tcp', mode: 'digest' }, 0, async (conn, peer) => {
      const cancellable = new SharedCancellable();
      cancellable.cancel();
      assert.throws(
        () => conn.writeAll(Buffer.alloc(RING_BYTES), cancellable),
        isIOError(IOErrorEnum.CANCELLED),
      );
      const data = randomBytes(2 * RING_BYTES + 1);
      assert.equal(conn.writeAll(data), data.length);
      conn.shutdownWrite();
      const report = await peer.nextMessage();
      assert.equal(report.received, data.length);
      assert.equal(report.sha256, createHash('sha256').update(data).digest('hex'));
    });
  });
});

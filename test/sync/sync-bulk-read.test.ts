// Reads of the blocking API from 64 KiB on go through a shared-memory ring (src/sync/read-ring.ts):
// byte-exact across wrap-arounds, everything received up to maxBytes in one read, at least one
// byte (never waiting to fill), flow control when the ring is full, and the errors, timeouts and
// cancellation of reads without the ring. Peers run in child processes (this thread blocks).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  CONNECTION_CLOSED,
  IOErrorEnum,
  SharedCancellable,
  SimpleProxyResolver,
  SocketClient,
  type SyncSocketConnection,
} from '../../src/index.js';
import { syncEngineStats } from '../../src/sync/channel.js';
import { READ_RING_BYTES, READ_RING_MIN_BYTES, READ_RING_RESUME_BYTES } from '../../src/sync/read-ring.js';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { requireOrSkip } from '../helpers/env.js';
import { startPeer, type PeerSpec } from './peer.js';
import { startTsWorker, workerExit } from './threads.js';
import { isIOError, withPeer } from './with-peer.js';

const direct = new SimpleProxyResolver();
const MIB = 1024 * 1024;

type Stats = ReturnType<typeof syncEngineStats>;
const postedTotal = (stats: Stats): number => Object.values(stats.posted).reduce((a, b) => a + b, 0);

/** The worker's state after an operation: nothing in flight, no timer or immediate left behind. */
function assertSettled(before: Stats): void {
  const after = syncEngineStats();
  assert.equal(after.operations, 0);
  assert.equal(after.resources.Timeout ?? 0, before.resources.Timeout ?? 0, 'worker timers');
  assert.equal(after.resources.Immediate ?? 0, before.resources.Immediate ?? 0, 'worker immediates');
}

/**
 * Reads to end of stream with `sizes` in turn; returns the count and SHA-256 of what came (after
 * what `hash` already holds).
 */
function drain(
  conn: SyncSocketConnection,
  sizes: readonly number[],
  hash = createHash('sha256'),
): { readonly received: number; readonly sha256: string; readonly reads: number; readonly largest: number } {
  let received = 0;
  let reads = 0;
  let largest = 0;
  // Bounded by the peer's data: each read returns at least one byte until the end.
  for (;;) {
    const size = sizes[reads % sizes.length];
    const part = conn.read(size);
    reads++;
    assert.ok(part.length <= size, `read(${size}) returned ${part.length} bytes`);
    if (part.length === 0) break;
    hash.update(part);
    received += part.length;
    largest = Math.max(largest, part.length);
  }
  return { received, sha256: hash.digest('hex'), reads, largest };
}

describe('blocking bulk reads through the shared ring', () => {
  it('64 MiB read with read(1 MiB) arrives byte-exact, without a message per chunk', async () => {
    const bytes = 64 * MIB;
    await withPeer({ kind: 'tcp', mode: 'source', bytes }, 20, async (conn, peer) => {
      const before = syncEngineStats();
      conn.write('go');
      const got = drain(conn, [MIB]);
      const after = syncEngineStats();
      const report = await peer.nextMessage();
      assert.equal(got.received, bytes);
      assert.equal(report.sent, bytes);
      assert.equal(got.sha256, report.sha256);
      // Messages: the `done` of the write, the one that attached the ring, the stats reply.
      assert.ok(
        postedTotal(after) - postedTotal(before) <= 3,
        `${postedTotal(after) - postedTotal(before)} messages`,
      );
      // A wake-up only when the caller had emptied the ring, never more than one per read.
      assert.ok(after.wakes - before.wakes <= got.reads + 3, `${after.wakes - before.wakes} wake-ups`);
      assertSettled(before);
    });
  });

  it('a full ring holds the peer back; the next read returns all the ring holds at once', async () => {
    const bytes = 64 * MIB;
    await withPeer({ kind: 'tcp', mode: 'source', bytes, stallMs: 1000 }, 20, async (conn, peer) => {
      conn.write('go');
      const hash = createHash('sha256');
      // Attaches the ring; the engine fills it while this thread waits for the peer below.
      const first = conn.read(READ_RING_MIN_BYTES);
      assert.ok(first.length > 0);
      hash.update(first);
      const report = await peer.nextMessage();
      const stalled = report.stalled as number;
      // Held back: the ring, the stream's buffer and the kernel's hold far less than 64 MiB.
      assert.equal(typeof stalled, 'number', JSON.stringify(report));
      assert.ok(stalled >= READ_RING_BYTES && stalled < 48 * MIB, `peer stalled after ${stalled} bytes`);
      // The engine stopped reading because the ring was full, and has not been asked to go on
      // (it resumes once half of the ring is free): one read takes all it holds, far more than
      // one socket chunk.
      const whole = conn.read(4 * READ_RING_BYTES);
      assert.ok(
        whole.length >= READ_RING_BYTES - READ_RING_RESUME_BYTES && whole.length <= READ_RING_BYTES,
        `one read returned ${whole.length} bytes`,
      );
      hash.update(whole);
      const rest = drain(conn, [MIB, 3, 100_000], hash);
      const done = await peer.nextMessage();
      assert.equal(first.length + whole.length + rest.received, bytes);
      assert.equal(done.sent, bytes);
      assert.equal(rest.sha256, done.sha256);
    });
  });

  it('reads of every size (1 byte, odd sizes, readAll) across wrap-arounds are byte-exact', async () => {
    const bytes = 5 * READ_RING_BYTES + 12_345;
    await withPeer({ kind: 'tcp', mode: 'source', bytes }, 20, async (conn, peer) => {
      conn.write('go');
      const hash = createHash('sha256');
      let received = 0;
      // Attach with a large read, then mix small reads, odd sizes and readAll.
      const sizes = [READ_RING_MIN_BYTES, 1, 7, 4095, 100_003, MIB, 1, 65_537];
      for (let i = 0; received < bytes && i < 100_000; i++) {
        const size = sizes[i % sizes.length];
        const part = i % 3 === 2 ? conn.readAll(Math.min(size, bytes - received)) : conn.read(size);
        assert.ok(part.length > 0 && part.length <= size);
        hash.update(part);
        received += part.length;
      }
      assert.equal(conn.read(MIB).length, 0, 'end of stream');
      const report = await peer.nextMessage();
      assert.equal(received, bytes);
      assert.equal(hash.digest('hex'), report.sha256);
    });
  });

  it('a read returns what is there (exactly the bytes sent), never waits to fill its buffer', async () => {
    const spec: PeerSpec = {
      kind: 'tcp',
      mode: 'script',
      steps: [
        { send: 'hello' },
        { wait: 600 },
        { sendRandom: 200_000 },
        { wait: 600 },
        { send: 'tail' },
        { end: true },
      ],
    };
    await withPeer(spec, 10, async (conn, peer) => {
      assert.equal(conn.read(MIB).toString(), 'hello');
      // Exactly what was sent, without waiting for the end of stream.
      const middle = conn.readAll(200_000);
      assert.equal(middle.length, 200_000);
      assert.equal(conn.read(MIB).toString(), 'tail');
      assert.equal(conn.read(MIB).length, 0);
      assert.equal(conn.read(MIB).length, 0, 'and again at end of stream');
      assert.equal(conn.readAll(10).length, 0);
      const report = await peer.nextMessage();
      assert.equal(report.sent, 5 + 200_000 + 4);
    });
  });

  it('a peer that sends slowly: each read returns the piece that came, at once', async () => {
    const steps = [];
    for (let i = 0; i < 4; i++) steps.push({ send: `piece ${i};` }, { wait: 400 });
    await withPeer({ kind: 'tcp', mode: 'script', steps: [...steps, { end: true }] }, 10, (conn) => {
      const pieces: string[] = [];
      const t0 = Date.now();
      for (let part = conn.read(MIB); part.length > 0; part = conn.read(MIB)) pieces.push(part.toString());
      assert.equal(pieces.join(''), 'piece 0;piece 1;piece 2;piece 3;');
      assert.equal(pieces[0], 'piece 0;', 'the first read returned the first piece alone');
      assert.ok(pieces.length >= 3, `${pieces.length} reads`);
      assert.ok(Date.now() - t0 >= 1000, 'the pieces came over time');
    });
  });

  it('EOF right after data: the data, then an empty read (again and again)', async () => {
    await withPeer({ kind: 'tcp', mode: 'send-close', payload: 'last words' }, 10, (conn) => {
      assert.equal(conn.read(MIB).toString(), 'last words');
      assert.equal(conn.read(MIB).length, 0);
      assert.equal(conn.read(1).length, 0);
      assert.equal(conn.read(MIB).length, 0);
    });
  });

  it('timeouts: while the ring is empty (with and without a SharedCancellable); later data is not lost', async () => {
    const spec: PeerSpec = {
      kind: 'tcp',
      mode: 'script',
      steps: [{ send: 'a' }, { wait: 1500 }, { send: 'b' }, { wait: 1500 }, { send: 'c' }, { end: true }],
    };
    await withPeer(spec, 0.3, (conn) => {
      const before = syncEngineStats();
      assert.equal(conn.read(MIB).toString(), 'a');
      let t0 = Date.now();
      assert.throws(() => conn.read(MIB), isIOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out'));
      assert.ok(Date.now() - t0 >= 250, 'waited for the timeout');
      // The engine's timeout (a SharedCancellable makes it wait there).
      const cancellable = new SharedCancellable();
      t0 = Date.now();
      assert.throws(
        () => conn.read(MIB, cancellable),
        isIOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out'),
      );
      assert.ok(Date.now() - t0 >= 250, 'waited for the timeout');
      assertSettled(before);
      conn.timeout = 10;
      assert.equal(conn.read(MIB).toString(), 'b');
      assert.equal(conn.read(MIB, cancellable).toString(), 'c');
      assert.equal(conn.read(MIB).length, 0);
    });
  });

  it('cancellation: a cancelled read takes nothing; a read waiting on an empty ring is cancelled from another thread, later data is not lost', async () => {
    const spec: PeerSpec = {
      kind: 'tcp',
      mode: 'script',
      steps: [{ send: 'first' }, { wait: 2500 }, { send: 'second' }, { end: true }],
    };
    await withPeer(spec, 0, async (conn) => {
      const before = syncEngineStats();
      // Already cancelled: fails before anything is read, as g_input_stream_read does.
      const early = new SharedCancellable();
      early.cancel();
      assert.throws(() => conn.read(MIB, early), isIOError(IOErrorEnum.CANCELLED, 'Operation was cancelled'));
      const cancellable = new SharedCancellable();
      const canceller = startTsWorker(new URL('./fixtures/canceller.ts', import.meta.url), {
        buffer: cancellable.buffer,
        afterMs: 300,
      });
      try {
        assert.equal(conn.read(MIB, cancellable).toString(), 'first');
        const t0 = Date.now();
        assert.throws(
          () => conn.read(MIB, cancellable),
          isIOError(IOErrorEnum.CANCELLED, 'Operation was cancelled'),
        );
        assert.ok(Date.now() - t0 < 2000, 'cancelled before the peer sent again');
      } finally {
        await workerExit(canceller);
      }
      assertSettled(before);
      assert.equal(conn.read(MIB).toString(), 'second');
      assert.equal(conn.read(MIB).length, 0);
    });
  });

  it('a peer that resets: the data before it, then CONNECTION_CLOSED on every read', async () => {
    const spec: PeerSpec = {
      kind: 'tcp',
      mode: 'script',
      steps: [{ send: 'before reset' }, { wait: 300 }, { reset: true }],
    };
    await withPeer(spec, 10, (conn) => {
      assert.equal(conn.read(MIB).toString(), 'before reset');
      assert.throws(() => conn.read(MIB), isIOError(CONNECTION_CLOSED, 'Connection reset by peer'));
      assert.throws(() => conn.read(MIB), isIOError(CONNECTION_CLOSED, 'Connection reset by peer'));
      assert.throws(() => conn.read(1), isIOError(CONNECTION_CLOSED, 'Connection reset by peer'));
    });
  });

  it('data then a reset, both before the first read: the data, then the reset or EOF, as without the ring', async () => {
    const spec: PeerSpec = {
      kind: 'tcp',
      mode: 'script',
      steps: [{ wait: 100 }, { send: 'x'.repeat(1000) }, { reset: true }],
    };
    for (const size of [MIB, 10]) {
      await withPeer(spec, 10, (conn) => {
        // Let the data and the reset arrive (and Node hold the data) before anything is read.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
        assert.equal(conn.read(size).length, Math.min(size, 1000), `read(${size})`);
        if (size === MIB) {
          // Then the reset, or end of stream: a reset that arrives with the data is often seen by
          // libuv as a hang-up after a partial read, which it reports as EOF without reading the
          // error. A plain net.Socket gets 'end' there too, and so did the blocking API before the
          // ring. Either way, no data after it.
          let next: Buffer | null = null;
          try {
            next = conn.read(size);
          } catch (err) {
            isIOError(CONNECTION_CLOSED, 'Connection reset by peer')(err);
          }
          if (next !== null) assert.equal(next.length, 0, 'EOF after the data');
        }
      });
    }
  });

  it('over TLS: 8 MiB byte-exact with read(1 MiB)', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl not installed')) return;
    const pki = testPki();
    const bytes = 8 * MIB;
    const peer = await startPeer({
      kind: 'tls',
      mode: 'source',
      bytes,
      certFile: pki.valid.certFile,
      keyFile: pki.valid.keyFile,
    });
    try {
      const client = new SocketClient({ proxyResolver: direct, tls: true, tlsOptions: { ca: pki.ca } });
      const conn = client.connectToHostSync(`localhost:${peer.port}`, 0);
      try {
        assert.equal(conn.type, 'tcp-wrapper');
        conn.write('go');
        const got = drain(conn, [MIB]);
        const report = await peer.nextMessage();
        assert.equal(got.received, bytes);
        assert.equal(got.sha256, report.sha256);
      } finally {
        conn.close();
      }
    } finally {
      await peer.stop();
    }
  });

  it('close while the ring is full and the peer held back: nothing left in the engine', async () => {
    await withPeer({ kind: 'tcp', mode: 'source', bytes: 64 * MIB, stallMs: 500 }, 10, async (conn, peer) => {
      const before = syncEngineStats();
      conn.write('go');
      assert.ok(conn.read(MIB).length > 0);
      const report = await peer.nextMessage();
      assert.equal(typeof report.stalled, 'number');
      conn.close();
      const after = syncEngineStats();
      assert.equal(after.connections, before.connections - 1);
      assertSettled(before);
    });
  });

  it('a connection dropped without close() while its full ring holds the peer back is released once collected', async () => {
    const peer = await startPeer({ kind: 'tcp', mode: 'source', bytes: 64 * MIB });
    try {
      const fixture = fileURLToPath(new URL('./fixtures/gc-ring-child.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', fixture, String(peer.port)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (stdout += chunk));
      let timer: NodeJS.Timeout | undefined;
      const code = await new Promise<number | null>((resolve, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child did not exit in time (output: ${stdout})`));
        }, 30_000);
        child.once('exit', resolve);
      }).finally(() => clearTimeout(timer));
      assert.equal(code, 0);
      assert.deepEqual(JSON.parse(stdout), { before: 1, after: 0, timers: 0 });
    } finally {
      await peer.stop();
    }
  });
});

// The blocking API must leave nothing behind: no thread per call, no socket, no handle in the
// engine worker, and a process that uses it exits by itself (the worker is unref()ed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { SimpleProxyResolver, SocketClient } from '../../src/index.js';
import { syncEngineStats } from '../../src/sync/channel.js';
import { startServer } from '../helpers/servers.js';
import { startPeer } from './peer.js';
import { startTsWorker, workerExit } from './threads.js';

const direct = new SimpleProxyResolver();
const threads = (): number => readdirSync('/proc/self/task').length;
const fds = (): number => readdirSync('/proc/self/fd').length;

/** Runs a TypeScript fixture in a child process; resolves with its exit code and stdout. */
function runChild(
  args: readonly string[],
  boundMs: number,
): Promise<{ code: number | null; stdout: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${boundMs} ms (output: ${stdout})`));
    }, boundMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, ms: Date.now() - t0 });
    });
  });
}

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('blocking API: no leaks, no lingering', () => {
  it('1 000 connect/write/read/close cycles leave no thread, socket or handle behind', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      // Warm up: the engine worker is started once per calling thread.
      const first = new SocketClient({ proxyResolver: direct }).connectToHostSync(
        `127.0.0.1:${peer.port}`,
        0,
      );
      first.close();
      const before = { threads: threads(), fds: fds(), worker: syncEngineStats() };
      for (let i = 0; i < 1000; i++) {
        const conn = new SocketClient({ proxyResolver: direct }).connectToHostSync(
          `127.0.0.1:${peer.port}`,
          0,
        );
        conn.write('x');
        assert.equal(conn.read(1).toString(), 'x');
        conn.close();
      }
      const after = syncEngineStats();
      assert.equal(after.threadId, before.worker.threadId, 'the same engine thread served every call');
      assert.equal(threads(), before.threads, 'no new threads');
      assert.equal(fds(), before.fds, 'no file descriptors left open');
      assert.equal(after.connections, 0);
      assert.equal(after.operations, 0);
      for (const kind of ['TCPSocketWrap', 'TLSWrap', 'Timeout']) {
        assert.equal(after.resources[kind] ?? 0, before.worker.resources[kind] ?? 0, `worker ${kind}`);
      }
    } finally {
      await peer.stop();
    }
  });

  it('close() returns once the descriptor is released, as g_io_stream_close returns after close(2)', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const client = new SocketClient({ proxyResolver: direct });
      // A close that did not wait for the engine thread would leave the descriptor open here
      // for a moment; 20 rounds make that visible, whatever the scheduling.
      for (let i = 0; i < 20; i++) {
        const conn = client.connectToHostSync(`127.0.0.1:${peer.port}`, 0);
        const open = fds();
        conn.close();
        assert.equal(fds(), open - 1, `round ${i}: the socket's descriptor is closed when close() returns`);
      }
    } finally {
      await peer.stop();
    }
  });

  it('a process that used the blocking API exits by itself, with or without close()', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      for (const mode of ['close', 'leave-open']) {
        const r = await runChild([fixture('exit-child.ts'), String(peer.port), mode], 20_000);
        assert.equal(r.code, 0, mode);
        assert.equal(r.stdout.trim(), 'ping', mode);
      }
    } finally {
      await peer.stop();
    }
  });

  it('a connection dropped without close() is closed in the worker once collected', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const r = await runChild(['--expose-gc', fixture('gc-child.ts'), String(peer.port)], 20_000);
      assert.equal(r.code, 0);
      assert.deepEqual(JSON.parse(r.stdout), { before: 1, after: 0 });
    } finally {
      await peer.stop();
    }
  });

  it('a calling thread that crashes takes its engine and sockets with it', async () => {
    let closed!: () => void;
    const peerClosed = new Promise<void>((resolve) => (closed = resolve));
    // This thread is not blocked here (the worker thread is the caller), so a local server works.
    const server = await startServer('127.0.0.1', 0, (s) => {
      s.resume();
      s.once('close', () => closed());
    });
    try {
      const caller = startTsWorker(new URL('./fixtures/crash-thread.ts', import.meta.url), {
        port: server.port,
      });
      caller.on('error', () => undefined); // the crash is the point
      const code = await workerExit(caller);
      assert.notEqual(code, 0, 'the thread died of its exception');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 5000)));
      const outcome = await Promise.race([peerClosed.then(() => 'closed' as const), late]);
      clearTimeout(timer);
      assert.equal(outcome, 'closed', 'the server saw the connection close');
    } finally {
      await server.close();
    }
  });
});

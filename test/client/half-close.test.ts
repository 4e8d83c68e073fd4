// TCP half-close (GIO): the peer's FIN ends our reading only; writing goes on until we close.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { SocketClient, TcpConnection, UnixSocketAddress } from '../../src/index.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT } from '../helpers/resolvers.js';

/**
 * A peer that greets, shuts down its writing side at once, then reads until our FIN and hands
 * over what it read. Half-open itself, so it can read after its own FIN.
 */
async function halfClosingPeer(listen: (server: Server) => void): Promise<{
  readonly server: Server;
  readonly received: Promise<string>;
}> {
  let deliver: (text: string) => void = () => undefined;
  const received = new Promise<string>((resolve) => (deliver = resolve));
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => {
      deliver(text);
      socket.destroy();
    });
    socket.end('hello, then FIN\n');
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  listen(server);
  await once(server, 'listening');
  return { server, received };
}

/** Reads `stream` until end of stream (events, not an async iterator: that destroys it). */
function readToEnd(stream: Duplex): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (text += chunk));
  return new Promise((resolve, reject) => {
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
  });
}

const client = (): SocketClient => new SocketClient({ proxyResolver: DIRECT, timeout: 5 });

describe('TCP half-close (GIO keeps writing after the peer shut down its side)', () => {
  it('TCP: after the peer FIN, writes still reach the peer, and end() sends our FIN', async () => {
    const start = activeResources();
    const { server, received } = await halfClosingPeer((s) => s.listen(0, '127.0.0.1'));
    try {
      const conn = await client().connectToHost(`127.0.0.1:${(server.address() as AddressInfo).port}`, 0);
      const stream = conn.stream;
      // Reading to the end first: the peer's FIN has arrived before we write.
      const greeting = readToEnd(stream);
      assert.equal(await greeting, 'hello, then FIN\n');
      assert.equal(stream.writable, true, 'our write side is still open after the peer FIN');
      await new Promise<void>((resolve, reject) =>
        stream.write('written after the peer FIN', (err) => (err ? reject(err) : resolve())),
      );
      stream.end();
      assert.equal(await received, 'written after the peer FIN');
      await conn.close();
    } finally {
      await new Promise((r) => server.close(r));
    }
    assert.deepEqual(await settleLeaks(start), {}, 'nothing leaked');
  });

  it('gracefulDisconnect close() after the peer FIN does not wait for another FIN', async () => {
    const { server, received } = await halfClosingPeer((s) => s.listen(0, '127.0.0.1'));
    try {
      const conn = await client().connectToHost(`127.0.0.1:${(server.address() as AddressInfo).port}`, 0);
      assert.equal(await readToEnd(conn.stream), 'hello, then FIN\n');
      conn.stream.write('last words');
      assert.ok(conn instanceof TcpConnection);
      conn.gracefulDisconnect = true;
      const t0 = Date.now();
      await conn.close();
      assert.ok(Date.now() - t0 < 1000, `closed at once (${Date.now() - t0} ms)`);
      assert.equal(await received, 'last words');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('Unix: the same half-open behaviour', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsc-half-'));
    const path = join(dir, 'peer.sock');
    const { server, received } = await halfClosingPeer((s) => s.listen(path));
    try {
      const conn = await client().connect(new UnixSocketAddress(path));
      assert.equal(await readToEnd(conn.stream), 'hello, then FIN\n');
      conn.stream.end('unix, after the peer FIN');
      assert.equal(await received, 'unix, after the peer FIN');
      await conn.close();
    } finally {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

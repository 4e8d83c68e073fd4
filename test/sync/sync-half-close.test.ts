// TCP half-close on the blocking API (GIO): writing goes on after the peer's FIN, and
// shutdownWrite() (g_socket_shutdown with shutdown_write) sends ours. Peers run in child processes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CONNECTION_CLOSED,
  IOError,
  IOErrorEnum,
  SimpleProxyResolver,
  SocketClient,
  SocketType,
} from '../../src/index.js';
import { startPeer } from './peer.js';

const direct = new SimpleProxyResolver();
const client = (): SocketClient => new SocketClient({ proxyResolver: direct, timeout: 5 });

describe('SyncSocketConnection half-close', () => {
  it('after the peer shut down its side, write() still works; shutdownWrite() ends ours', async () => {
    const peer = await startPeer({ kind: 'tcp', mode: 'half-close', payload: 'hello, then FIN\n' });
    try {
      const conn = client().connectToHostSync(`127.0.0.1:${peer.port}`, 0);
      try {
        assert.equal(conn.readAll(100).toString(), 'hello, then FIN\n', 'greeting, then EOF');
        assert.equal(conn.read().length, 0, 'EOF again');
        assert.equal(conn.write('written after the peer FIN'), 26);
        conn.shutdownWrite();
        conn.shutdownWrite(); // a second shutdown does nothing, as shutdown(2)
        assert.deepEqual(await peer.nextMessage(), { received: 'written after the peer FIN' });
        assert.throws(
          () => conn.write('x'),
          (err: unknown) =>
            err instanceof IOError && err.code === CONNECTION_CLOSED && err.message === 'Broken pipe',
        );
      } finally {
        conn.close();
      }
    } finally {
      await peer.stop();
    }
  });

  it('a peer that answers only after our EOF answers once shutdownWrite() was called', async () => {
    const peer = await startPeer({ kind: 'tcp', mode: 'reply-on-eof' });
    try {
      const conn = client().connectToHostSync(`127.0.0.1:${peer.port}`, 0);
      try {
        conn.writeAll('twelve bytes');
        conn.shutdownWrite();
        assert.equal(conn.readAll(100).toString(), 'got 12 bytes\n');
      } finally {
        conn.close();
      }
    } finally {
      await peer.stop();
    }
  });

  it('a datagram connection cannot shut down one side: NOT_SUPPORTED', async () => {
    const peer = await startPeer({ kind: 'udp' });
    try {
      const conn = new SocketClient({
        proxyResolver: direct,
        type: SocketType.DATAGRAM,
        timeout: 5,
      }).connectToHostSync(`127.0.0.1:${peer.port}`, 0);
      try {
        assert.throws(
          () => conn.shutdownWrite(),
          (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.NOT_SUPPORTED,
        );
        conn.write('still usable');
        assert.equal(conn.read().toString(), 'still usable');
      } finally {
        conn.close();
      }
    } finally {
      await peer.stop();
    }
  });

  it('shutdownWrite() after close() fails with CLOSED', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const conn = client().connectToHostSync(`127.0.0.1:${peer.port}`, 0);
      conn.close();
      assert.throws(
        () => conn.shutdownWrite(),
        (err: unknown) => err instanceof IOError && err.code === IOErrorEnum.CLOSED,
      );
    } finally {
      await peer.stop();
    }
  });
});

// Closing a TcpConnection against real loopback peers (g_io_stream_close, g_tcp_connection_close):
// queued writes reach the peer before our FIN, the flush is bounded when the peer never reads,
// a second close neither fails nor cuts the first short, and a reset gives GIO's answer — none for
// a plain close, the receive or shutdown error for a graceful one. The flush bound runs on a
// hand-driven Clock so the test does not wait the 5 s.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SocketClient, TcpConnection, IOError, IOErrorEnum, InetSocketAddress } from '../../src/index.js';
import type { Clock, ClockTimer } from '../../src/clock.js';
import { CLOSE_FLUSH_MS } from '../../src/connection/socket-connection.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { DIRECT } from '../helpers/resolvers.js';
import { startServer, type TestServer } from '../helpers/servers.js';

/** More than the socket buffers of both ends hold, so writes are still queued at close(). */
const BULK = 16 * 1024 * 1024;

/** A Clock whose timers fire only when the test says so. */
class ManualClock implements Clock {
  readonly timers = new Set<{ readonly fn: () => void; readonly ms: number }>();
  now(): number {
    return 0;
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const timer = { fn, ms };
    this.timers.add(timer);
    return timer as ClockTimer;
  }
  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as unknown as { fn: () => void; ms: number });
  }
  fireAll(): void {
    for (const timer of [...this.timers]) {
      this.timers.delete(timer);
      timer.fn();
    }
  }
}

/** What a peer saw: every byte (hashed), whether our FIN came, whether it saw a reset. */
interface PeerRecord {
  bytes: number;
  readonly hash: ReturnType<typeof createHash>;
  fin: boolean;
  reset: boolean;
  readonly done: Promise<void>;
}

/** A server whose first connection is handed to `onConnection` along with its record. */
async function recordingServer(
  onConnection: (socket: Socket, record: PeerRecord) => void = () => undefined,
): Promise<{ server: TestServer; record: Promise<PeerRecord> }> {
  let give: (record: PeerRecord) => void = () => undefined;
  const record = new Promise<PeerRecord>((resolve) => (give = resolve));
  const server = await startServer('127.0.0.1', 0, (socket) => {
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const rec: PeerRecord = { bytes: 0, hash: createHash('sha256'), fin: false, reset: false, done };
    socket.on('data', (chunk: Buffer) => {
      rec.bytes += chunk.length;
      rec.hash.update(chunk);
    });
    socket.on('end', () => (rec.fin = true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') rec.reset = true;
    });
    socket.on('close', () => finish());
    onConnection(socket, rec);
    give(rec);
  });
  return { server, record };
}

const client = (): SocketClient => new SocketClient({ proxyResolver: DIRECT, timeout: 5 });

/** A TcpConnection from the client to 127.0.0.1:`port`. */
async function tcp(port: number): Promise<TcpConnection> {
  const conn = await client().connectToHost(`127.0.0.1:${port}`, 0);
  assert.ok(conn instanceof TcpConnection);
  return conn;
}

function payload(): Buffer {
  const data = Buffer.alloc(BULK);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
  return data;
}

/** A TcpConnection made by hand on `clock` (the client always uses the system clock today). */
async function handMade(port: number, clock: Clock): Promise<TcpConnection> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  const conn = new TcpConnection(socket, InetSocketAddress.newFromString('127.0.0.1', port)!, clock);
  conn.markConnected(null);
  return conn;
}

describe('TcpConnection close: pending writes', () => {
  for (const graceful of [false, true]) {
    it(`${graceful ? 'graceful' : 'plain'}: every queued byte reaches the peer, then a FIN (no RST)`, async () => {
      const baseline = activeResources();
      // The peer reads nothing for a while, so the writes are still queued when close() starts.
      const { server, record } = await recordingServer((socket) => {
        socket.pause();
        setTimeout(() => socket.resume(), 150);
      });
      try {
        const conn = await tcp(server.port);
        conn.setGracefulDisconnect(graceful);
        const data = payload();
        conn.stream.write(data);
        assert.ok(conn.stream.writableLength > 0, 'writes still queued at close()');
        await conn.close();
        assert.equal(conn.stream.destroyed, true);
        assert.equal(conn.isConnected(), false);
        const rec = await record;
        await rec.done;
        assert.equal(rec.bytes, data.length);
        assert.equal(rec.hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
        assert.equal(rec.fin, true, 'FIN after the data');
        assert.equal(rec.reset, false, 'no RST');
      } finally {
        await server.close();
      }
      assert.deepEqual(await settleLeaks(baseline), {});
    });
  }

  for (const graceful of [false, true]) {
    it(`${graceful ? 'graceful' : 'plain'}: end(data) then close(): the ended stream's queued bytes still arrive`, async () => {
      const { server, record } = await recordingServer((socket) => {
        socket.pause();
        setTimeout(() => socket.resume(), 150);
      });
      try {
        const conn = await tcp(server.port);
        conn.setGracefulDisconnect(graceful);
        const data = payload();
        conn.stream.end(data);
        assert.ok(conn.stream.writableLength > 0 && !conn.stream.writable);
        await conn.close();
        const rec = await record;
        await rec.done;
        assert.equal(rec.bytes, data.length);
        assert.equal(rec.fin, true);
        assert.equal(rec.reset, false);
      } finally {
        await server.close();
      }
    });
  }

  it('graceful: close() resolves only after the peer has sent its FIN; its last bytes are read and dropped', async () => {
    let peerFinAt = 0;
    let received = '';
    // Half-open itself, so it can answer our FIN late, with data first (GIO reads and drops it).
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      socket.setEncoding('utf8');
      socket.on('data', (text: string) => (received += text));
      socket.once('end', () => {
        setTimeout(() => {
          socket.write('late bytes');
          peerFinAt = performance.now();
          socket.end();
        }, 100);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const conn = await client().connectToHost(`127.0.0.1:${port}`, 0);
      assert.ok(conn instanceof TcpConnection);
      conn.gracefulDisconnect = true;
      conn.stream.write('hello');
      await conn.close();
      const closedAt = performance.now();
      assert.ok(peerFinAt > 0 && peerFinAt <= closedAt, `peer FIN ${peerFinAt} before close ${closedAt}`);
      assert.ok(closedAt - peerFinAt < 1000, 'close() follows the FIN, not the bound');
      assert.equal(received, 'hello');
    } finally {
      server.close();
      await once(server, 'close');
    }
  });
});

describe('TcpConnection close: a peer that never reads', () => {
  for (const graceful of [false, true]) {
    it(`${graceful ? 'graceful' : 'plain'}: the flush waits for the ${CLOSE_FLUSH_MS} ms bound, then drops the socket`, async () => {
      const clock = new ManualClock();
      const { server, record } = await recordingServer((socket) => socket.pause());
      try {
        const conn = await handMade(server.port, clock);
        conn.setGracefulDisconnect(graceful);
        conn.stream.write(payload());
        let closed = false;
        const closing = conn.close().then(() => (closed = true));
        await sleep(200);
        assert.equal(closed, false, 'still flushing while the peer reads nothing');
        assert.deepEqual(
          [...clock.timers].map((t) => t.ms),
          [CLOSE_FLUSH_MS],
        );
        assert.equal(conn.stream.destroyed, false);
        clock.fireAll();
        await closing;
        assert.equal(conn.stream.destroyed, true);
        assert.equal(clock.timers.size, 0);
        const rec = await record;
        assert.ok(rec.bytes < BULK, `peer got ${rec.bytes} of ${BULK}`);
      } finally {
        await server.close();
      }
    });
  }

  it('a close that completes disarms its bound', async () => {
    const clock = new ManualClock();
    const { server, record } = await recordingServer();
    try {
      const conn = await handMade(server.port, clock);
      conn.stream.write(payload());
      await conn.close();
      assert.equal(clock.timers.size, 0);
      await (
        await record
      ).done;
    } finally {
      await server.close();
    }
  });
});

describe('TcpConnection close twice', () => {
  for (const graceful of [false, true]) {
    it(`${graceful ? 'graceful' : 'plain'}: a second close during the first answers with it and does not cut the flush`, async () => {
      const { server, record } = await recordingServer((socket) => {
        socket.pause();
        setTimeout(() => socket.resume(), 150);
      });
      try {
        const conn = await tcp(server.port);
        conn.setGracefulDisconnect(graceful);
        const data = payload();
        conn.stream.write(data);
        const first = conn.close();
        const second = conn.close();
        assert.equal(second, first);
        await Promise.all([first, second]);
        const rec = await record;
        await rec.done;
        assert.equal(rec.bytes, data.length);
        assert.equal(rec.reset, false);
        // Closing a closed connection succeeds (g_io_stream_close returns TRUE).
        await conn.close();
        await conn[Symbol.asyncDispose]();
      } finally {
        await server.close();
      }
    });
  }

  it('close after destroy() resolves', async () => {
    const { server } = await recordingServer();
    try {
      const conn = await tcp(server.port);
      conn.destroy();
      await conn.close();
      conn.setGracefulDisconnect(true);
      await conn.close();
    } finally {
      await server.close();
    }
  });
});

describe('TcpConnection close after a peer reset', () => {
  /** Connects, has the peer reset the connection, and waits until our socket has seen it. */
  async function resetConnection(server: TestServer, peer: Promise<Socket>): Promise<TcpConnection> {
    const conn = await tcp(server.port);
    // As an application would: the reset is reported to the socket's 'error' listener.
    conn.socket.on('error', () => undefined);
    const closed = new Promise((resolve) => conn.socket.once('close', resolve));
    (await peer).resetAndDestroy();
    await closed;
    return conn;
  }

  function peerSocket(): { onConnection: (s: Socket) => void; peer: Promise<Socket> } {
    let give: (s: Socket) => void = () => undefined;
    const peer = new Promise<Socket>((resolve) => (give = resolve));
    return { onConnection: give, peer };
  }

  it('plain close: no error, as g_socket_close on a reset socket', async () => {
    const { onConnection, peer } = peerSocket();
    const { server } = await recordingServer(onConnection);
    try {
      const conn = await resetConnection(server, peer);
      assert.match(String(conn.socket.errored), /ECONNRESET/);
      await conn.close();
    } finally {
      await server.close();
    }
  });

  it('graceful close after the reset: NOT_CONNECTED from the shutdown, as g_tcp_connection_close', async () => {
    const { onConnection, peer } = peerSocket();
    const { server } = await recordingServer(onConnection);
    try {
      const conn = await resetConnection(server, peer);
      conn.setGracefulDisconnect(true);
      await assert.rejects(conn.close(), (err: unknown) => {
        assert.ok(err instanceof IOError);
        assert.equal(err.code, IOErrorEnum.NOT_CONNECTED);
        assert.equal(err.message, 'Unable to shutdown socket: Transport endpoint is not connected');
        return true;
      });
      assert.equal(conn.socket.destroyed, true);
      // The error was reported once; closing again is a no-op.
      await assert.rejects(conn.close(), IOError);
    } finally {
      await server.close();
    }
  });

  it('graceful close, reset while waiting for the FIN: CONNECTION_CLOSED from the receive', async () => {
    const baseline = activeResources();
    // The peer answers our FIN with a RST.
    const { server } = await recordingServer((socket) => socket.once('end', () => socket.resetAndDestroy()));
    try {
      const conn = await tcp(server.port);
      conn.setGracefulDisconnect(true);
      conn.stream.write('bye');
      await assert.rejects(conn.close(), (err: unknown) => {
        assert.ok(err instanceof IOError);
        assert.equal(err.code, IOErrorEnum.BROKEN_PIPE);
        assert.equal(err.codeName, 'CONNECTION_CLOSED');
        assert.equal(err.message, 'Error receiving data: Connection reset by peer');
        return true;
      });
      assert.equal(conn.socket.destroyed, true);
    } finally {
      await server.close();
    }
    assert.deepEqual(await settleLeaks(baseline), {});
  });
});

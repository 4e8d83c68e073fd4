import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';

export interface BenchServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Commands of the bench peer: the first byte of a connection, then an 8-byte size where needed. */
const UPLOAD = 0x55; // 'U' <size>: read size bytes, then answer one byte
const DOWNLOAD = 0x44; // 'D' <size>: send size bytes, then end
const ECHO = 0x45; // 'E': echo everything
const HEADER = 9;

/**
 * The peer every bench section talks to, on 127.0.0.1 (over TLS when `tls` is given). A
 * connection that sends nothing is simply accepted and closed when the client closes
 * (connection-rate benches).
 */
export async function startBenchServer(opts: { host?: string; tls?: TlsOptions } = {}): Promise<BenchServer> {
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    serve(socket);
  };
  const server: Server = opts.tls ? createTlsServer(opts.tls, onSocket) : createServer(onSocket);
  server.on('tlsClientError', () => undefined);
  // A deep accept queue: with Node's default (511) a burst of short connections overflows it on
  // Linux and the dropped SYNs are retried only after 1 s, which would dominate the rates.
  server.listen({ port: 0, host, backlog: 4096 });
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serve(socket: Socket): void {
  let header = Buffer.alloc(0);
  const onHeader = (chunk: Buffer): void => {
    header = Buffer.concat([header, chunk]);
    if (header[0] === ECHO) {
      socket.off('data', onHeader);
      socket.write(header.subarray(1));
      socket.pipe(socket);
      return;
    }
    if (header.length < HEADER) return;
    socket.off('data', onHeader);
    const size = Number(header.readBigUInt64BE(1));
    const rest = header.subarray(HEADER);
    if (header[0] === UPLOAD) sink(socket, size, rest.length);
    else if (header[0] === DOWNLOAD) void source(socket, size);
    else socket.destroy();
  };
  socket.on('data', onHeader);
}

function sink(socket: Socket, size: number, already: number): void {
  let received = already;
  const check = (): void => {
    if (received >= size) {
      socket.off('data', onData);
      socket.write(Buffer.from([1]));
    }
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    check();
  };
  socket.on('data', onData);
  check();
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

async function source(socket: Socket, size: number): Promise<void> {
  let sent = 0;
  while (sent < size && !socket.destroyed) {
    const chunk = size - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, size - sent);
    sent += chunk.length;
    if (!socket.write(chunk)) await once(socket, 'drain').catch(() => undefined);
  }
  socket.end();
}

function header(command: number, size: number): Buffer {
  const h = Buffer.alloc(HEADER);
  h[0] = command;
  h.writeBigUInt64BE(BigInt(size), 1);
  return h;
}

/** Sends `bytes` to the bench peer over `stream`; resolves with the ms until the peer had them all. */
export async function upload(stream: Duplex, bytes: number): Promise<number> {
  const ack = once(stream, 'data');
  const start = performance.now();
  stream.write(header(UPLOAD, bytes));
  let sent = 0;
  while (sent < bytes) {
    const chunk = bytes - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, bytes - sent);
    sent += chunk.length;
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  await ack;
  return performance.now() - start;
}

/** Asks the bench peer for `bytes` over `stream`; resolves with the ms until all arrived. */
export async function download(stream: Duplex, bytes: number): Promise<number> {
  const start = performance.now();
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received >= bytes) {
        stream.off('data', onData);
        stream.off('error', reject);
        resolve();
      }
    };
    stream.on('data', onData);
    stream.on('error', reject);
  });
  stream.write(header(DOWNLOAD, bytes));
  await done;
  return performance.now() - start;
}

/** The first byte that puts a fresh connection to the bench peer in echo mode. */
export const ECHO_COMMAND: Uint8Array = Uint8Array.of(ECHO);

/** Starts echo mode on a fresh connection to the bench peer. */
export function startEcho(stream: Duplex): void {
  stream.write(ECHO_COMMAND);
}

/** A raw `net.connect` to 127.0.0.1:port, resolved once connected. */
export function rawConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Destroys a socket and waits for its 'close' (what SocketConnection.close() does). */
export function destroyAndWait(socket: Duplex): Promise<void> {
  if (socket.destroyed && socket.closed) return Promise.resolve();
  const closed = once(socket, 'close').then(() => undefined);
  socket.destroy();
  return closed;
}

/**
 * The bench peer on a worker thread. Needed when the client blocks the main thread (the sync
 * API): a peer on the same, blocked, event loop could not answer.
 */
export async function startBenchServerOnThread(): Promise<BenchServer> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(new URL('./peer-worker.js', import.meta.url));
  const [message] = (await once(worker, 'message')) as [{ port: number }];
  return {
    port: message.port,
    async close() {
      const exited = once(worker, 'exit');
      worker.postMessage('close');
      await exited;
    },
  };
}

/** A port on 127.0.0.1 (and ::1) where nothing listens: bound, then released. Connects are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen({ port: 0, host: '127.0.0.1' });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

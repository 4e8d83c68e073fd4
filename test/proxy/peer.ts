// Test support for the proxy tests: hand-written proxy peers on loopback, and a client side that
// connects to them with a plain net.connect and runs one of our Proxy implementations.
import { connect as netConnect, type Socket } from 'node:net';
import { InetAddress } from '../../src/address/inet-address.js';
import { ProxyAddress } from '../../src/address/socket-address.js';
import { Cancellable } from '../../src/cancellable.js';
import { TcpConnection } from '../../src/connection/tcp-connection.js';
import type { IOStream } from '../../src/connection/io-stream.js';
import type { Proxy } from '../../src/proxy/proxy.js';
import { startServer, type TestServer } from '../helpers/servers.js';

/** Server side: reads exactly `n` bytes from an accepted socket (bounded by the socket's life). */
export function serverRead(socket: Socket, n: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= n) {
        cleanup();
        socket.pause();
        if (buf.length > n) socket.unshift(buf.subarray(n));
        resolve(buf.subarray(0, n));
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error(`peer closed after ${buf.length} of ${n} bytes`));
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  });
}

/** Server side: reads until `\r\n\r\n` (an HTTP request header). */
export function serverReadHeader(socket: Socket): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        cleanup();
        socket.pause();
        if (buf.length > end + 4) socket.unshift(buf.subarray(end + 4));
        resolve(buf.subarray(0, end + 4).toString('utf8'));
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('peer closed before the end of the header'));
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  });
}

/** A proxy peer whose per-connection behaviour is an async script; script errors are recorded. */
export async function startPeer(
  script: (socket: Socket) => Promise<void>,
): Promise<TestServer & { errors: unknown[] }> {
  const errors: unknown[] = [];
  const server = await startServer('127.0.0.1', 0, (socket) => {
    script(socket).catch((err: unknown) => errors.push(err));
  });
  return Object.assign(server, { errors });
}

export interface ProxyAddressOptions {
  readonly protocol: string;
  readonly destinationHostname: string;
  readonly destinationPort: number;
  readonly username?: string | null;
  readonly password?: string | null;
  readonly uri?: string | null;
  readonly host?: string;
}

export function proxyAddress(port: number, opts: ProxyAddressOptions): ProxyAddress {
  const host = opts.host ?? '127.0.0.1';
  return new ProxyAddress(InetAddress.newFromString(host)!, port, {
    protocol: opts.protocol,
    destinationProtocol: 'none',
    destinationHostname: opts.destinationHostname,
    destinationPort: opts.destinationPort,
    username: opts.username ?? null,
    password: opts.password ?? null,
    uri: opts.uri ?? `${opts.protocol}://${host.includes(':') ? `[${host}]` : host}:${port}`,
  });
}

/** A plain TCP connection to `port` on loopback, wrapped as the client would wrap it. */
export async function tcpConnect(address: ProxyAddress): Promise<TcpConnection> {
  const socket = netConnect({
    host: address.address.toString(),
    port: address.port,
    autoSelectFamily: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve();
    });
    socket.once('error', reject);
  });
  const connection = new TcpConnection(socket, address);
  connection.markConnected(null);
  return connection;
}

/** The listeners a negotiation might leave behind, per event, to compare before and after. */
export function listenerCounts(socket: Socket): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ev of ['data', 'readable', 'end', 'error', 'close']) out[ev] = socket.listenerCount(ev);
  return out;
}

export interface Negotiated {
  readonly connection: TcpConnection;
  readonly result: IOStream;
  readonly before: Record<string, number>;
}

/** Connects to the peer and negotiates; rejects with the proxy's error (the socket is in `.connection`). */
export async function negotiateWith(
  proxy: Proxy,
  address: ProxyAddress,
  cancellable: Cancellable = new Cancellable(),
): Promise<Negotiated> {
  const connection = await tcpConnect(address);
  const before = listenerCounts(connection.socket);
  try {
    const result = await proxy.connect(connection, address, { cancellable });
    return { connection, result, before };
  } catch (err) {
    Object.assign(err as object, { connection, before });
    throw err;
  }
}

/** Reads `n` bytes as an application would, with a 'data' listener (bounded by a timer). */
export function appRead(
  stream: NodeJS.ReadableStream & { destroy(): void },
  n: number,
  ms = 5000,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`app read timed out with ${buf.length} of ${n} bytes`));
    }, ms);
    const onData = (chunk: Buffer | string): void => {
      buf = Buffer.concat([buf, Buffer.from(chunk)]);
      if (buf.length >= n) {
        clearTimeout(timer);
        stream.off('data', onData);
        stream.pause();
        resolve(buf);
      }
    };
    stream.on('data', onData);
  });
}

/** Waits (bounded) until the socket is closed; true if it was. */
export async function closedSoon(socket: Socket, ms = 2000): Promise<boolean> {
  if (socket.destroyed) return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(socket.destroyed), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

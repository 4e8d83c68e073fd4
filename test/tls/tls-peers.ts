// Loopback peers for the TLS tests: Node tls servers, and a helper that opens a TCP connection
// and wraps it in a TlsClientConnection the way the SocketClient engine does.
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import {
  createServer as createTlsServer,
  type ConnectionOptions,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls';
import type { SocketConnectable } from '../../src/address/connectable.js';
import { InetSocketAddress } from '../../src/address/socket-address.js';
import { TcpConnection } from '../../src/connection/tcp-connection.js';
import { TlsClientConnection } from '../../src/tls/tls-client-connection.js';
import type { CertPair } from '../helpers/certs.js';

export interface TlsTestServer {
  readonly host: string;
  readonly port: number;
  /** The SNI each accepted connection carried (false: none), in order. */
  readonly servernames: (string | false)[];
  /** Accepted TLS sockets still open. */
  readonly sockets: Set<TLSSocket>;
  close(): Promise<void>;
}

/**
 * A TLS echo server on loopback presenting `pair`. Handshake failures on the server side are
 * expected in these tests and ignored.
 */
export async function startTlsServer(
  host: string,
  pair: CertPair,
  options: TlsOptions = {},
  onSecure: (s: TLSSocket) => void = (s) => s.pipe(s),
  port = 0,
): Promise<TlsTestServer> {
  const sockets = new Set<TLSSocket>();
  const raw = new Set<Socket>();
  const servernames: (string | false)[] = [];
  const server = createTlsServer({ cert: pair.cert, key: pair.key, ...options }, (s) => {
    sockets.add(s);
    servernames.push(s.servername ?? false);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSecure(s);
  });
  server.on('connection', (s: Socket) => {
    raw.add(s);
    s.on('close', () => raw.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => resolve());
  });
  return {
    host,
    port: (server.address() as AddressInfo).port,
    servernames,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of raw) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A connected TcpConnection to host:port (no SocketClient involved). */
export async function tcpConnect(host: string, port: number): Promise<TcpConnection> {
  const socket = netConnect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const remote = InetSocketAddress.newFromString(host, port);
  if (!remote) throw new Error(`not an IP: ${host}`);
  const connection = new TcpConnection(socket, remote);
  connection.markConnected(null);
  return connection;
}

/** TCP to host:port, then a (not yet handshaken) TlsClientConnection over it. */
export async function tlsClient(
  host: string,
  port: number,
  identity: SocketConnectable | null,
  options?: ConnectionOptions,
): Promise<{ tcp: TcpConnection; tls: TlsClientConnection }> {
  const tcp = await tcpConnect(host, port);
  return { tcp, tls: new TlsClientConnection(tcp, identity, options) };
}

/** Writes `text` and resolves with the first `text.length` bytes read back (echo servers). */
export async function echo(stream: NodeJS.ReadWriteStream, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let got = '';
    const done = (err: Error | null): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('error', done);
      stream.pause();
      if (err) reject(err);
      else resolve(got);
    };
    const onData = (chunk: Buffer): void => {
      got += chunk.toString();
      if (got.length >= text.length) done(null);
    };
    const timer = setTimeout(
      () => done(new Error(`no echo of ${JSON.stringify(text)} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    stream.on('data', onData);
    stream.resume(); // a previous echo() left the stream paused
    stream.once('error', done);
    stream.write(text);
  });
}

/**
 * The same TLS server on ::1 and 127.0.0.1 with one port, so `localhost` reaches it over both
 * families. The port is picked on ::1 and then bound on 127.0.0.1 (a few tries if it is taken).
 */
export async function startDualStackTlsServer(
  pair: CertPair,
  options: TlsOptions = {},
  onSecure?: (s: TLSSocket) => void,
): Promise<{
  readonly port: number;
  readonly v6: TlsTestServer;
  readonly v4: TlsTestServer;
  close(): Promise<void>;
}> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const v6 = await startTlsServer('::1', pair, options, onSecure);
    try {
      const v4 = await startTlsServer('127.0.0.1', pair, options, onSecure, v6.port);
      return {
        port: v6.port,
        v6,
        v4,
        close: async () => {
          await v6.close();
          await v4.close();
        },
      };
    } catch (err) {
      lastError = err;
      await v6.close();
    }
  }
  throw lastError;
}

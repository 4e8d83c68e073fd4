/**
 * Sockets for clients that want to call `connect()` themselves (`pg`, and others written against
 * `net.Socket`): {@link connectedSocket} makes `connect()` a no-op on a connection gsocketclient
 * already made, and {@link deferredSocket} is a synchronous factory whose socket connects through
 * a SocketClient when the client library calls `connect(port, host)` — what `pg.Pool` needs.
 *
 * @example
 * import pg from 'pg';
 * import { deferredSocket } from 'gsocketclient/socket';
 * const pool = new pg.Pool({ host: 'db.internal', stream: () => deferredSocket(client) });
 *
 * @module
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { SocketClient } from '../client/socket-client.js';
import type { SocketConnection } from '../connection/socket-connection.js';
import { ConnectError } from './connect-error.js';

export { ConnectError } from './connect-error.js';

/**
 * The connection's stream, with `connect()` turned into a no-op that emits `'connect'` on the next
 * tick, and Node's end-of-stream rule (the socket ends its side when the peer ends its). Without it, a library that calls `connect(port, host)` on the socket it is given makes Node
 * resolve the host again and repeat the connect on an open socket.
 *
 * @example
 * const conn = await client.connectToHost('db.internal:5432', 5432);
 * const pgClient = new pg.Client({ stream: () => connectedSocket(conn) });
 */
export function connectedSocket(connection: SocketConnection): Socket {
  const socket = nodeSemantics(connection);
  const alreadyConnected = function (this: Socket): Socket {
    process.nextTick(() => {
      if (!socket.destroyed) socket.emit('connect');
    });
    return this;
  };
  Object.defineProperty(socket, 'connect', { value: alreadyConnected, configurable: true, writable: true });
  return socket;
}

/**
 * The connection's stream with `net.connect`'s end-of-stream rule: gsocketclient's connections
 * stay half-open after the peer's FIN, as GIO's do, but libraries written for Node expect the
 * socket to end its own side then (allowHalfOpen false); without it a server's close would leave
 * their socket open for ever.
 * @internal
 */
export function nodeSemantics(connection: SocketConnection): Socket {
  const stream = connection.stream as Socket;
  stream.allowHalfOpen = false;
  if (connection.socket !== stream) (connection.socket as Socket).allowHalfOpen = false;
  return stream;
}

/** Options of {@link deferredSocket}. */
export interface DeferredSocketOptions {
  /**
   * What to connect to, as `host:port` (or a URI with `://`), instead of the host and port the
   * library passes to `connect()`; e.g. an SRV-less alias or a name only the client's resolver knows.
   */
  readonly target?: string;
}

/**
 * A socket returned at once that connects through `client` when its `connect(port, host)` is
 * called, then carries the bytes of that connection (TCP or TLS, proxied or not). It emits
 * `'connect'` and `'ready'` like a `net.Socket`; a failed connect destroys it with a
 * {@link ConnectError} (Node's string `code`, the GError as `cause`).
 */
export function deferredSocket(client: SocketClient, options: DeferredSocketOptions = {}): DeferredSocket {
  return new DeferredSocket(client, options.target ?? null);
}

type SocketCall = (socket: Socket) => void;

/** The socket {@link deferredSocket} returns; see there. */
export class DeferredSocket extends Duplex {
  readonly #client: SocketClient;
  readonly #target: string | null;
  #inner: Duplex | null = null;
  #connection: SocketConnection | null = null;
  #started = false;
  /** Writes made before the connection exists, sent in order once it does. */
  #queued: { chunk: Buffer; callback: (err?: Error | null) => void }[] = [];
  /** Socket options set before the connection exists (setNoDelay, setKeepAlive, …). */
  #calls: SocketCall[] = [];
  /** True while `connect()` is running, as `net.Socket.connecting`. */
  connecting = false;

  constructor(client: SocketClient, target: string | null) {
    super({ allowHalfOpen: false }); // net.connect's rule: end our side when the peer ends its
    this.#client = client;
    this.#target = target;
  }

  /** The connection once made (its `getRemoteAddress()`, events, TLS details), else null. */
  get connection(): SocketConnection | null {
    return this.#connection;
  }

  /** The peer's IP address once connected, as `net.Socket.remoteAddress` (the proxy's, when proxied). */
  get remoteAddress(): string | undefined {
    return (this.#connection?.socket as Socket | undefined)?.remoteAddress;
  }

  /** The peer's port once connected, as `net.Socket.remotePort`. */
  get remotePort(): number | undefined {
    return (this.#connection?.socket as Socket | undefined)?.remotePort;
  }

  /** `connect(port, host?)` or `connect({ port, host })`, as `net.Socket`; later calls are ignored. */
  connect(portOrOptions: number | string | { port: number | string; host?: string }, host?: string): this {
    if (this.#started) return this;
    this.#started = true;
    this.connecting = true;
    const { port, hostname } =
      typeof portOrOptions === 'object'
        ? { port: Number(portOrOptions.port), hostname: portOrOptions.host ?? 'localhost' }
        : { port: Number(portOrOptions), hostname: host ?? 'localhost' };
    const target = this.#target ?? (hostname.includes(':') ? `[${hostname}]:${port}` : `${hostname}:${port}`);
    const connecting = target.includes('://')
      ? this.#client.connectToUri(target, port)
      : this.#client.connectToHost(target, port);
    connecting.then(
      (connection) => this.#attach(connection),
      (err: unknown) => {
        this.connecting = false;
        this.destroy(ConnectError.from(err));
      },
    );
    return this;
  }

  /** As `net.Socket.setNoDelay`; applied to the real socket once it is connected. */
  setNoDelay(noDelay?: boolean): this {
    return this.#socketCall((s) => s.setNoDelay(noDelay));
  }

  /** As `net.Socket.setKeepAlive`; applied to the real socket once it is connected. */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    return this.#socketCall((s) => s.setKeepAlive(enable, initialDelay));
  }

  /** As `net.Socket.setTimeout`: `'timeout'` is emitted after `ms` of inactivity (0 disables). */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    return this.#socketCall((s) => {
      s.setTimeout(ms);
      s.on('timeout', () => this.emit('timeout'));
    });
  }

  /** As `net.Socket.ref`: the socket keeps the event loop alive (the default). */
  ref(): this {
    return this.#socketCall((s) => s.ref());
  }

  /** As `net.Socket.unref`: the socket alone does not keep the process running. */
  unref(): this {
    return this.#socketCall((s) => s.unref());
  }

  #socketCall(call: SocketCall): this {
    const socket = this.#connection?.socket as Socket | undefined;
    if (socket) call(socket);
    else this.#calls.push(call);
    return this;
  }

  #attach(connection: SocketConnection): void {
    if (this.destroyed) {
      connection.stream.destroy();
      return;
    }
    this.#connection = connection;
    const inner = nodeSemantics(connection);
    this.#inner = inner;
    for (const call of this.#calls.splice(0)) call(connection.socket as Socket);
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err: Error) => this.destroy(err));
    inner.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
    for (const { chunk, callback } of this.#queued.splice(0)) inner.write(chunk, callback);
    this.connecting = false;
    this.emit('connect');
    this.emit('ready');
  }

  /** @internal Duplex hook: resumes the inner stream. */
  override _read(): void {
    this.#inner?.resume();
  }

  /** @internal Duplex hook: writes through, or queues until connected. */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.#inner) this.#inner.write(chunk, callback);
    else this.#queued.push({ chunk, callback });
  }

  /** @internal Duplex hook: ends the inner stream. */
  override _final(callback: (err?: Error | null) => void): void {
    if (this.#inner) this.#inner.end(callback);
    else callback();
  }

  /** @internal Duplex hook: fails queued writes and destroys the inner stream. */
  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    for (const { callback: cb } of this.#queued.splice(0)) cb(err ?? new Error('socket destroyed'));
    this.#inner?.destroy();
    callback(err);
  }
}

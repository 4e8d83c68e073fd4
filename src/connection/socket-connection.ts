import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { InetSocketAddress, type SocketAddress } from '../address/socket-address.js';
import { systemClock, type Clock } from '../clock.js';
import type { IOStream } from './io-stream.js';
import { PendingTimings, type ConnectionTimings } from './timings.js';

/** How long {@link SocketConnection.close} waits, in ms, for queued writes to drain before dropping the socket. */
export const CLOSE_FLUSH_MS = 5000;

/**
 * GSocketConnection. `stream` is the real socket (never a copying layer); `getRemoteAddress()` is
 * the target address while connecting (GIO's cached remote address, so CONNECTING handlers can
 * see it), then the peer, which stays a ProxyAddress when the connection goes through a proxy.
 *
 * The subclasses narrow `socket` and `stream`: {@link TcpConnection} and {@link UnixConnection}
 * have `net.Socket`s, {@link TcpWrapperConnection} (TLS) a `tls.TLSSocket` as `stream`,
 * {@link DatagramConnection} a `dgram.Socket` under a {@link DatagramStream}.
 *
 * @example
 * await using conn = await client.connectToHost('localhost:8080', 80);
 * conn.stream.write('hello');
 */
export class SocketConnection implements IOStream, AsyncDisposable {
  /** The OS socket: a `net.Socket` (TCP, Unix) or a `dgram.Socket` (UDP). */
  readonly socket: Socket | DgramSocket;
  readonly #stream: Duplex;
  readonly #remote: SocketAddress;
  /** The bound address; undefined: connected, not asked yet (getsockname runs on first request). */
  #local: SocketAddress | null | undefined = null;
  #connected = false;
  /** PendingTimings until first read: the client hands over a builder (AttemptLog.timingsOf). */
  #timings: ConnectionTimings | PendingTimings | null = null;
  #closing: Promise<void> | null = null;
  /** The time source of the close flush bound (the client's, so a virtual clock drives it too). */
  protected readonly clock: Clock;

  /**
   * Made by the client; built by hand only for tests or a custom proxy.
   *
   * @param socket - the OS socket
   * @param stream - the Duplex carrying the bytes (the socket itself for TCP and Unix)
   * @param remote - the address connected (or being connected) to
   * @param clock - arms the close flush bound; Node's timers unless given
   */
  constructor(
    socket: Socket | DgramSocket,
    stream: Duplex,
    remote: SocketAddress,
    clock: Clock = systemClock,
  ) {
    this.socket = socket;
    this.#stream = stream;
    this.#remote = remote;
    this.clock = clock;
  }

  /** The application bytes: the socket itself, never a copying layer (narrowed by subclasses). */
  get stream(): Duplex {
    return this.#stream;
  }

  /**
   * g_socket_connection_get_remote_address: the target while connecting, then the peer; a
   * ProxyAddress when connected through a proxy.
   */
  getRemoteAddress(): SocketAddress {
    return this.#remote;
  }

  /**
   * g_socket_connection_get_local_address: the bound address, null until connected (and, when
   * it was never asked for while the socket was open, once closed: getsockname needs the socket).
   */
  getLocalAddress(): SocketAddress | null {
    if (this.#local === undefined) this.#local = boundAddress(this.socket);
    return this.#local;
  }

  /**
   * How long each phase of the connect that made this connection took, and every address it
   * tried (docs/timings.md). Null on a connection the client did not return (an event's
   * attempt, or one built by hand).
   *
   * @example
   * const { resolve, connect, tls, total } = conn.timings!;
   */
  get timings(): ConnectionTimings | null {
    if (this.#timings instanceof PendingTimings) this.#timings = this.#timings.build();
    return this.#timings;
  }

  /** @internal set once by the client when the operation completes (the value, or its builder). */
  setTimings(timings: ConnectionTimings | PendingTimings): void {
    this.#timings = timings;
  }

  /** g_socket_connection_is_connected: connected and not yet closed or destroyed. */
  isConnected(): boolean {
    return this.#connected && !this.#stream.destroyed;
  }

  /**
   * @internal called by the client once connect() succeeded, with the bound address, or
   * without one to read it from the socket when first asked (most callers never ask: no
   * getsockname and no address objects per connection then).
   */
  markConnected(local?: SocketAddress | null): void {
    this.#connected = true;
    this.#local = local;
  }

  /**
   * Closes the connection and resolves once the socket is closed. Bytes already written are
   * flushed first (GIO's writes are blocking, so nothing is ever pending at its close; Node's
   * are queued): with data queued the write side is ended and drained — at most
   * 5 seconds, then the socket is dropped anyway — and then the socket is destroyed.
   *
   * Closing a closed connection does nothing, as g_io_stream_close; a close while one is under
   * way answers with that one (where GIO fails with G_IO_ERROR_PENDING), so a second call
   * never cuts the first one's flush short. Never rejects, except a graceful
   * {@link TcpConnection} close that meets a reset (as g_tcp_connection_close does).
   */
  close(): Promise<void> {
    this.#connected = false;
    this.#closing ??= this.closeStream();
    return this.#closing;
  }

  /** The work of {@link SocketConnection.close}, done once per connection. */
  protected closeStream(): Promise<void> {
    const stream = this.#stream;
    if (stream.destroyed) return Promise.resolve();
    // Queued bytes, whether or not the application has already ended the write side.
    if (!stream.writableFinished && stream.writableLength > 0) return flushAndClose(stream, this.clock);
    // Nothing queued (the usual case): no async function and no once() wrapper. The listener
    // stays on the closed socket, which is dropped with it.
    return new Promise<void>((resolve) => {
      stream.on('close', () => resolve());
      stream.destroy();
    });
  }

  /** Abrupt teardown used for losing attempts and failures. */
  destroy(err?: Error): void {
    this.#connected = false;
    this.#stream.destroy(err);
  }

  /** `await using conn = …` closes the connection at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Ends the write side and waits (at most CLOSE_FLUSH_MS) for the queued bytes, then closes. A
 * function, not a private method: a private method would add a brand field to every connection.
 */
async function flushAndClose(stream: Duplex, clock: Clock): Promise<void> {
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  await new Promise<void>((resolve) => {
    const timer = clock.setTimeout(done, CLOSE_FLUSH_MS);
    function done(): void {
      clock.clearTimeout(timer);
      stream.off('finish', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    }
    stream.once('finish', done);
    stream.once('close', done);
    stream.once('error', done);
    if (!stream.writableEnded) stream.end();
  });
  stream.destroy();
  await closed;
}

/** getsockname() of an open TCP socket as an InetSocketAddress; null for others or once closed. */
function boundAddress(socket: Socket | DgramSocket): SocketAddress | null {
  // Duck-typed: a dgram socket has neither member, and a virtual socket (gsocketclient/testing)
  // is a net.Socket look-alike rather than an instance.
  const { localAddress, localPort } = socket as Partial<Socket>;
  if (localAddress === undefined || localPort === undefined) return null;
  return InetSocketAddress.newFromString(localAddress, localPort);
}

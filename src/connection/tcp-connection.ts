import type { Socket } from 'node:net';
import type { SocketAddress } from '../address/socket-address.js';
import type { Clock } from '../clock.js';
import { IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';
import { ioErrorCodeFromErrno, strerror } from '../errors/errno.js';
import { CLOSE_FLUSH_MS, SocketConnection } from './socket-connection.js';

/**
 * GTcpConnection: a TCP SocketConnection; `stream` and `socket` are the same net.Socket (under
 * TLS, the {@link TcpWrapperConnection} subclass has the tls.TLSSocket as `stream`).
 *
 * @example
 * const conn = await client.connectToHost('localhost:8080', 80);
 * conn.socket.setTimeout(0); // no inactivity timeout on this connection
 * conn.setGracefulDisconnect(true);
 */
export class TcpConnection extends SocketConnection {
  /** The TCP socket. */
  declare readonly socket: Socket;
  #gracefulDisconnect = false;

  /**
   * Made by the client; built by hand only for tests or a custom proxy.
   *
   * @param socket - the TCP socket (connected or connecting)
   * @param remote - the address connected (or being connected) to
   * @param clock - arms the close bounds; Node's timers unless given
   */
  constructor(socket: Socket, remote: SocketAddress, clock?: Clock) {
    super(socket, socket, remote, clock);
  }

  /** The net.Socket itself (a tls.TLSSocket on a {@link TcpWrapperConnection} made for TLS). */
  override get stream(): Socket {
    // The constructor passes the socket as the stream; TcpWrapperConnection narrows further.
    return super.stream as Socket;
  }

  /**
   * g_tcp_connection_set_graceful_disconnect as a property: close() first sends FIN and waits
   * (at most 5 seconds) for the peer's, so no data in flight is lost to a RST.
   */
  get gracefulDisconnect(): boolean {
    return this.#gracefulDisconnect;
  }
  /** g_tcp_connection_set_graceful_disconnect. */
  set gracefulDisconnect(value: boolean) {
    this.#gracefulDisconnect = value;
  }
  /** g_tcp_connection_set_graceful_disconnect; see {@link TcpConnection.gracefulDisconnect}. */
  setGracefulDisconnect(value: boolean): void {
    this.#gracefulDisconnect = value;
  }
  /** g_tcp_connection_get_graceful_disconnect. */
  getGracefulDisconnect(): boolean {
    return this.#gracefulDisconnect;
  }

  /**
   * g_tcp_connection_close: gracefully when {@link TcpConnection.gracefulDisconnect} is set, else
   * as {@link SocketConnection.close}.
   */
  protected override closeStream(): Promise<void> {
    if (!this.#gracefulDisconnect) return super.closeStream();
    const socket = this.socket;
    if (socket.destroyed) {
      // GIO still owns the descriptor here, and shutdown() on a socket the peer has reset fails
      // with ENOTCONN; one closed without an error closes again quietly.
      return socket.errored
        ? Promise.reject(
            new IOError(IOErrorEnum.NOT_CONNECTED, `Unable to shutdown socket: ${strerror('ENOTCONN')}`, {
              cause: socket.errored,
            }),
          )
        : Promise.resolve();
    }
    return gracefulClose(socket, this.clock);
  }
}

/**
 * Half-closes, drains the queued writes, then reads and discards until the peer's FIN, so that
 * no data in flight is lost to a RST; then closes. Bounded by {@link CLOSE_FLUSH_MS} (GIO blocks
 * until the FIN): after that the socket is dropped and the close succeeds. A reset or a failed
 * write on the way rejects with its IOError, as g_tcp_connection_close returns the error of its
 * g_socket_receive; the socket is closed either way.
 */
function gracefulClose(socket: Socket, clock: Clock): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: IOError | null = null;
    // Flushed: every queued byte handed to the kernel (or a write side that can take none).
    const flushed = (): boolean => socket.writableFinished || (!socket.writableEnded && !socket.writable);
    const finishIfDone = (): void => {
      if (socket.readableEnded && flushed()) socket.destroy();
    };
    const discard = (): void => undefined;
    const onError = (err: NodeJS.ErrnoException): void => {
      failure ??= new IOError(
        ioErrorCodeFromErrno(err.code),
        `${err.syscall === 'read' ? 'Error receiving data' : 'Error sending data'}: ${strerror(err.code, err.message)}`,
        { cause: err },
      );
    };
    const timer = clock.setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS);
    socket.on('error', onError);
    socket.on('data', discard);
    socket.once('end', finishIfDone);
    socket.once('finish', finishIfDone);
    socket.once('close', () => {
      clock.clearTimeout(timer);
      socket.off('error', onError);
      socket.off('data', discard);
      socket.off('end', finishIfDone);
      socket.off('finish', finishIfDone);
      if (failure) reject(failure);
      else resolve();
    });
    socket.resume();
    if (!socket.writableEnded) socket.end();
    finishIfDone();
  });
}

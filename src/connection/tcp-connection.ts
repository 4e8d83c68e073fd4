import type { Socket } from 'node:net';
import type { SocketAddress } from '../address/socket-address.js';
import { SocketConnection } from './socket-connection.js';

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
   */
  constructor(socket: Socket, remote: SocketAddress) {
    super(socket, socket, remote);
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

  /** Closes the connection, gracefully when {@link TcpConnection.gracefulDisconnect} is set. */
  override close(): Promise<void> {
    const socket = this.socket;
    if (!this.#gracefulDisconnect || socket.destroyed || !socket.writable) return super.close();
    // Half-close, then wait for the peer's FIN (bounded) so no data in flight is lost to a RST.
    return new Promise<void>((resolve) => {
      const clock = this.clock;
      const timer = clock.setTimeout(() => socket.destroy(), 5000);
      socket.once('close', () => {
        clock.clearTimeout(timer);
        resolve();
      });
      socket.on('data', () => undefined);
      socket.once('end', () => socket.destroy());
      socket.end();
    });
  }
}

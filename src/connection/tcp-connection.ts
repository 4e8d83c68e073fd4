import type { Socket } from 'node:net';
import type { SocketAddress } from '../address/socket-address.js';
import { SocketConnection } from './socket-connection.js';

/** GTcpConnection: a TCP SocketConnection; `stream` and `socket` are the same net.Socket. */
export class TcpConnection extends SocketConnection {
  declare readonly socket: Socket;
  #gracefulDisconnect = false;

  constructor(socket: Socket, remote: SocketAddress) {
    super(socket, socket, remote);
  }

  /** g_tcp_connection_set_graceful_disconnect: close() first sends FIN and waits for the peer's. */
  get gracefulDisconnect(): boolean {
    return this.#gracefulDisconnect;
  }
  set gracefulDisconnect(value: boolean) {
    this.#gracefulDisconnect = value;
  }
  setGracefulDisconnect(value: boolean): void {
    this.#gracefulDisconnect = value;
  }
  getGracefulDisconnect(): boolean {
    return this.#gracefulDisconnect;
  }

  override close(): Promise<void> {
    const socket = this.socket;
    if (!this.#gracefulDisconnect || socket.destroyed || !socket.writable) return super.close();
    // Half-close, then wait for the peer's FIN (bounded) so no data in flight is lost to a RST.
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 5000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.on('data', () => undefined);
      socket.once('end', () => socket.destroy());
      socket.end();
    });
  }
}

import type { Socket } from 'node:net';
import type { SocketAddress } from '../address/socket-address.js';
import type { Clock } from '../clock.js';
import { SocketConnection } from './socket-connection.js';

/**
 * GUnixConnection: a stream connection over a Unix domain socket (a {@link UnixSocketAddress},
 * path or Linux abstract name); `stream` and `socket` are the same net.Socket.
 *
 * @example
 * const conn = await client.connect(new UnixSocketAddress('/run/app.sock'));
 */
export class UnixConnection extends SocketConnection {
  /** The Unix-domain socket. */
  declare readonly socket: Socket;

  /**
   * Made by the client; built by hand only for tests.
   *
   * @param socket - the Unix-domain socket (connected or connecting)
   * @param remote - the address connected (or being connected) to
   * @param clock - arms the close flush bound; Node's timers unless given
   */
  constructor(socket: Socket, remote: SocketAddress, clock?: Clock) {
    super(socket, socket, remote, clock);
  }

  /** The net.Socket itself. */
  override get stream(): Socket {
    return super.stream as Socket;
  }
}

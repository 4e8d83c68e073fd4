import type { Socket } from 'node:net';
import type { SocketAddress } from '../address/socket-address.js';
import { SocketConnection } from './socket-connection.js';

/** GUnixConnection: a stream connection over a Unix domain socket. */
export class UnixConnection extends SocketConnection {
  declare readonly socket: Socket;
  constructor(socket: Socket, remote: SocketAddress) {
    super(socket, socket, remote);
  }
}

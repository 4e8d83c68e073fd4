import { connect as netConnect, type Socket } from 'node:net';

/** What the engine asks of a transport to open one TCP connection (a subset of `net.connect`'s options). */
export interface TcpConnectRequest {
  /** An IP literal (no brackets): the engine resolves names itself. */
  readonly host: string;
  /** The port to connect to. */
  readonly port: number;
  /** The address family of `host`. */
  readonly family: 4 | 6;
  /** The address to bind to first (SocketClient's `localAddress`). */
  readonly localAddress?: string;
  /** The port to bind to first; absent or 0 for any. */
  readonly localPort?: number;
}

/**
 * How a connect attempt gets its TCP socket: Node's `net.connect` unless a test network gives
 * another. The socket must behave as a `net.Socket` does while connecting: `'connectionAttempt'`
 * on a later tick just before connect(), then `'connect'` or an `'error'` carrying the system
 * error's `code`/`errno`/`syscall` (ECONNREFUSED, ETIMEDOUT, ...), always asynchronously.
 */
export interface Transport {
  /** Starts connecting and returns the socket at once (as `net.connect`). */
  connectTcp(request: TcpConnectRequest): Socket;
  /**
   * Optional: starts connecting `socket` again, a socket this transport made whose connect
   * failed and that has since emitted `'close'` (as `socket.connect()` allows), with the same
   * behaviour as connectTcp. When absent, every attempt gets a new socket.
   */
  reconnectTcp?(socket: Socket, request: TcpConnectRequest): Socket;
}

/**
 * Node's own sockets: the transport of every client not attached to a virtual network. A
 * refused attempt's socket can be connected again, as net.connect's own autoSelectFamily keeps
 * one socket across the addresses it tries: the next attempt spares a new net.Socket.
 */
// The options are written out in full, not spread: a spread of a conditional object makes a
// slow dictionary-mode object, several hundred bytes per connect.
export const nodeTransport: Transport = Object.freeze({
  connectTcp: (request: TcpConnectRequest): Socket =>
    request.localAddress === undefined
      ? netConnect({
          host: request.host,
          port: request.port,
          family: request.family,
          autoSelectFamily: false,
          // GIO sockets stay half-open: the peer's FIN ends reading only (g_socket_shutdown).
          allowHalfOpen: true,
        })
      : netConnect({
          host: request.host,
          port: request.port,
          family: request.family,
          autoSelectFamily: false,
          allowHalfOpen: true,
          localAddress: request.localAddress,
          localPort: request.localPort,
        }),
  // allowHalfOpen belongs to the socket, not to one connect: it stays as connectTcp set it. The
  // request is a valid options object as it is: `host` is an IP literal, so no lookup (and no
  // autoSelectFamily) applies.
  reconnectTcp: (socket: Socket, request: TcpConnectRequest): Socket => socket.connect(request),
});

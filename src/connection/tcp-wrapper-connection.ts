import type { Socket } from 'node:net';
import type { SocketAddress } from '../address/socket-address.js';
import type { IOStream } from './io-stream.js';
import { TcpConnection } from './tcp-connection.js';

/**
 * GTcpWrapperConnection: what the client returns when the final stream is not the plain socket
 * (TLS, or the TLS stream of an HTTPS proxy). `stream` is that stream — the tls.TLSSocket —
 * `socket` the TCP socket under it. Unlike GIO, `close()` closes the base stream, so TLS sends
 * close_notify.
 *
 * `stream` is typed `net.Socket`, the type every built-in path gives (tls.TLSSocket is one); use
 * `conn.stream instanceof TLSSocket` or {@link TcpWrapperConnection.getBaseIOStream} for the
 * TLS details. A proxy registered with `registerProxy` must likewise resolve to a stream that is a
 * net.Socket (the connection it was given, or a TLS connection over it).
 *
 * @example
 * const conn = await new SocketClient({ tls: true }).connectToHost('localhost:8443', 443);
 * if (conn instanceof TcpWrapperConnection) {
 *   const tls = conn.getBaseIOStream() as TlsClientConnection;
 *   console.log(tls.peerCertificateErrors, conn.stream.remoteAddress);
 * }
 */
export class TcpWrapperConnection extends TcpConnection {
  readonly #base: IOStream;

  /**
   * Made by the client once the stream is ready.
   *
   * @param base - the stream that carries the bytes (e.g. the TlsClientConnection)
   * @param socket - the TCP socket under it
   * @param remote - the peer (a ProxyAddress through a proxy)
   * @param local - the bound local address
   */
  constructor(base: IOStream, socket: Socket, remote: SocketAddress, local: SocketAddress | null) {
    super(socket, remote);
    this.#base = base;
    this.markConnected(local);
  }

  /** The base stream's Duplex: the tls.TLSSocket under TLS or through an HTTPS proxy. */
  override get stream(): Socket {
    // Every built-in base (TLS, HTTPS proxy) has a TLSSocket here; a custom proxy must keep to it.
    return this.#base.stream as Socket;
  }

  /**
   * g_tcp_wrapper_connection_get_base_io_stream: the stream wrapped — the TlsClientConnection
   * with `tls: true` (its certificate, errors, ALPN protocol), else the HTTPS proxy's.
   *
   * @example
   * (conn.getBaseIOStream() as TlsClientConnection).peerCertificateErrors;
   */
  getBaseIOStream(): IOStream {
    return this.#base;
  }

  /** Closes the base stream (TLS sends close_notify), then the TCP socket. */
  override async close(): Promise<void> {
    await this.#base.close();
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** Abrupt teardown of the base stream and the TCP socket. */
  override destroy(err?: Error): void {
    this.#base.stream.destroy(err);
    this.socket.destroy(err);
  }
}

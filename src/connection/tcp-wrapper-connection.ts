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
 * A client made with `tls: true` types its results as
 * `TcpWrapperConnection<TlsClientConnection, TLSSocket>`.
 *
 * @typeParam B - the wrapped stream's type, as {@link TcpWrapperConnection.getBaseIOStream} returns it
 * @typeParam S - the type of `stream`
 * @example
 * const conn = await new SocketClient({ tls: true }).connectToHost('localhost:8443', 443);
 * console.log(conn.getBaseIOStream().peerCertificateErrors, conn.stream.getProtocol());
 */
export class TcpWrapperConnection<
  B extends IOStream = IOStream,
  S extends Socket = Socket,
> extends TcpConnection {
  readonly #base: B;

  /**
   * Made by the client once the stream is ready.
   *
   * @param base - the stream that carries the bytes (e.g. the TlsClientConnection)
   * @param socket - the TCP socket under it
   * @param remote - the peer (a ProxyAddress through a proxy)
   * @param local - the bound local address
   */
  constructor(base: B, socket: Socket, remote: SocketAddress, local: SocketAddress | null) {
    super(socket, remote);
    this.#base = base;
    this.markConnected(local);
  }

  /** The base stream's Duplex: the tls.TLSSocket under TLS or through an HTTPS proxy. */
  override get stream(): S {
    // Every built-in base (TLS, HTTPS proxy) has a TLSSocket here; a custom proxy must keep to it.
    return this.#base.stream as S;
  }

  /**
   * g_tcp_wrapper_connection_get_base_io_stream: the stream wrapped — the TlsClientConnection
   * with `tls: true` (its certificate, errors, ALPN protocol), else the HTTPS proxy's.
   *
   * @example
   * conn.getBaseIOStream().peerCertificateErrors; // on a `tls: true` client's connection
   */
  getBaseIOStream(): B {
    return this.#base;
  }

  /** Closes the base stream (TLS sends close_notify), then the TCP socket. */
  protected override async closeStream(): Promise<void> {
    await this.#base.close();
    if (!this.socket.destroyed) this.socket.destroy();
  }

  /** Abrupt teardown of the base stream and the TCP socket. */
  override destroy(err?: Error): void {
    this.#base.stream.destroy(err);
    this.socket.destroy(err);
  }
}

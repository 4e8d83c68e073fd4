import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SocketAddress } from '../address/socket-address.js';
import type { IOStream } from './io-stream.js';
import { TcpConnection } from './tcp-connection.js';

/**
 * GTcpWrapperConnection: what the client returns when the final stream is not a plain socket
 * (TLS, or the TLS stream of an HTTPS proxy). `stream` is that stream (e.g. the tls.TLSSocket),
 * `socket` the TCP socket under it. Unlike GIO, `close()` closes the base stream, so TLS sends
 * close_notify.
 */
export class TcpWrapperConnection extends TcpConnection {
  readonly #base: IOStream;

  constructor(base: IOStream, socket: Socket, remote: SocketAddress, local: SocketAddress | null) {
    super(socket, remote);
    this.#base = base;
    this.markConnected(local);
  }

  override get stream(): Duplex {
    return this.#base.stream;
  }

  getBaseIOStream(): IOStream {
    return this.#base;
  }

  override async close(): Promise<void> {
    await this.#base.close();
    if (!this.socket.destroyed) this.socket.destroy();
  }

  override destroy(err?: Error): void {
    this.#base.stream.destroy(err);
    this.socket.destroy(err);
  }
}

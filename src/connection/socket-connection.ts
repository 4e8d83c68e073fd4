import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SocketAddress } from '../address/socket-address.js';
import type { IOStream } from './io-stream.js';

/**
 * GSocketConnection. `stream` is the real socket (never a copying layer); `getRemoteAddress()` is
 * the target address while connecting (GIO's cached remote address, so CONNECTING handlers can
 * see it), then the peer, which stays a ProxyAddress when the connection goes through a proxy.
 */
export class SocketConnection implements IOStream, AsyncDisposable {
  readonly socket: Socket | DgramSocket;
  readonly #stream: Duplex;
  readonly #remote: SocketAddress;
  #local: SocketAddress | null = null;
  #connected = false;

  constructor(socket: Socket | DgramSocket, stream: Duplex, remote: SocketAddress) {
    this.socket = socket;
    this.#stream = stream;
    this.#remote = remote;
  }

  get stream(): Duplex {
    return this.#stream;
  }

  getRemoteAddress(): SocketAddress {
    return this.#remote;
  }

  getLocalAddress(): SocketAddress | null {
    return this.#local;
  }

  isConnected(): boolean {
    return this.#connected && !this.#stream.destroyed;
  }

  /** @internal called by the client once connect() succeeded. */
  markConnected(local: SocketAddress | null): void {
    this.#connected = true;
    this.#local = local;
  }

  /** Closes the connection: ends the write side, then destroys; resolves once the socket is closed. */
  close(): Promise<void> {
    const stream = this.#stream;
    this.#connected = false;
    if (stream.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.destroy();
    });
  }

  /** Abrupt teardown used for losing attempts and failures. */
  destroy(err?: Error): void {
    this.#connected = false;
    this.#stream.destroy(err);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

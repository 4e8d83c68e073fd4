import type { Socket as DgramSocket } from 'node:dgram';
import { Duplex } from 'node:stream';
import type { SocketAddress } from '../address/socket-address.js';
import { toGError } from '../errors/errno.js';
import { SocketConnection } from './socket-connection.js';

/**
 * A connected UDP socket as a Duplex that keeps message boundaries: the stream is in object
 * mode, each written Buffer is one datagram and each chunk read is one received datagram.
 */
export class DatagramStream extends Duplex {
  readonly #socket: DgramSocket;
  #closed = false;

  constructor(socket: DgramSocket) {
    super({ objectMode: true, allowHalfOpen: false });
    this.#socket = socket;
    // UDP has no back-pressure: datagrams are queued as they arrive, as the kernel would.
    socket.on('message', (msg: Buffer) => this.push(msg));
    socket.on('error', (err) => this.destroy(toGError(err)));
    socket.on('close', () => {
      this.#closed = true;
      this.push(null);
    });
  }

  override _read(): void {}

  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    this.#socket.send(data, (err) => cb(err ? toGError(err) : null));
  }

  override _final(cb: (err?: Error | null) => void): void {
    cb();
    this.destroy();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.#closed) {
      this.#closed = true;
      try {
        this.#socket.close();
      } catch {
        // already closed
      }
    }
    cb(err);
  }
}

/** A plain GSocketConnection over a connected UDP socket (GIO returns no TCP class for DATAGRAM). */
export class DatagramConnection extends SocketConnection {
  declare readonly socket: DgramSocket;
  constructor(socket: DgramSocket, remote: SocketAddress) {
    super(socket, new DatagramStream(socket), remote);
  }
}

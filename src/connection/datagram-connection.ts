import type { Socket as DgramSocket } from 'node:dgram';
import { Duplex } from 'node:stream';
import type { SocketAddress } from '../address/socket-address.js';
import { toGError } from '../errors/errno.js';
import { SocketConnection } from './socket-connection.js';

/**
 * A connected UDP socket as a Duplex that keeps message boundaries: the stream is in object
 * mode, each written Buffer is one datagram and each chunk read is one received datagram.
 *
 * @example
 * const udp = new SocketClient({ type: SocketType.DATAGRAM, tls: false });
 * const conn = await udp.connectToHost('127.0.0.1:5353', 53);
 * conn.stream.write(query);
 * conn.stream.once('data', (reply: Buffer) => console.log(reply.length));
 */
export class DatagramStream extends Duplex {
  readonly #socket: DgramSocket;
  #closed = false;

  /** @param socket - the connected UDP socket; closing the stream closes it. */
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

  /** @internal datagrams are pushed as they arrive. */
  override _read(): void {}

  /** @internal sends one datagram per chunk. */
  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    this.#socket.send(data, (err) => cb(err ? toGError(err) : null));
  }

  /** @internal ending the write side closes the socket: UDP has no half-close. */
  override _final(cb: (err?: Error | null) => void): void {
    cb();
    this.destroy();
  }

  /** @internal closes the UDP socket. */
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

/**
 * A plain GSocketConnection over a connected UDP socket (GIO returns no TCP class for DATAGRAM):
 * what a client made with `type: SocketType.DATAGRAM` returns. `stream` is a
 * {@link DatagramStream} (one chunk per datagram), `socket` the dgram.Socket.
 */
export class DatagramConnection extends SocketConnection {
  /** The connected UDP socket. */
  declare readonly socket: DgramSocket;

  /**
   * Made by the client; built by hand only for tests.
   *
   * @param socket - the UDP socket (connected or connecting)
   * @param remote - the address connected (or being connected) to
   */
  constructor(socket: DgramSocket, remote: SocketAddress) {
    super(socket, new DatagramStream(socket), remote);
  }

  /** The {@link DatagramStream} over the socket: each chunk is one datagram. */
  override get stream(): DatagramStream {
    return super.stream as DatagramStream;
  }
}

import type { Duplex } from 'node:stream';

/**
 * GIOStream, reduced to what Node needs: a Duplex carrying the application bytes and a way to
 * close it. Connections, TLS connections and proxy streams all implement it.
 *
 * @typeParam S - the type of {@link IOStream.stream}: `net.Socket` for TCP and Unix connections,
 *   `tls.TLSSocket` for a TLS connection after its handshake, a {@link DatagramStream} for UDP.
 */
export interface IOStream<S extends Duplex = Duplex> {
  /** The Duplex that carries the application bytes. */
  readonly stream: S;
  /** Closes the stream (and what it owns); resolves once it is closed. */
  close(): Promise<void>;
}

import type { Duplex } from 'node:stream';

/**
 * GIOStream, reduced to what Node needs: a Duplex carrying the application bytes and a way to
 * close it. Connections, TLS connections and proxy streams all implement it.
 */
export interface IOStream {
  readonly stream: Duplex;
  close(): Promise<void>;
}

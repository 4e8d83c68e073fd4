// The GProxy interface (gio/gproxy.h), apart from its registry in proxy.ts so that the built-in
// implementations can name it without importing the registry that lists them.
import type { Cancellable } from '../cancellable.js';
import type { IOStream } from '../connection/io-stream.js';
import type { ProxyAddress } from '../address/socket-address.js';

/** Options of {@link Proxy.connect}. */
export interface ProxyConnectOptions {
  /** Cancels the negotiation: it rejects with CANCELLED and the stream is destroyed. */
  readonly cancellable?: Cancellable | null;
}

/**
 * GProxy: negotiates a connection to `proxyAddress.destination*` over a stream already connected to
 * the proxy server. Resolves to the stream to use afterwards (the same one for SOCKS and HTTP, a
 * TLS stream for HTTPS). Errors are GErrors scored at PROXY_NEGOTIATING; on failure the
 * built-in implementations destroy the stream (it is in an unknown state).
 *
 * @example
 * registerProxy('myproto', {
 *   supportsHostname: () => true,
 *   connect: async (stream, address) => {
 *     // write the request for address.destinationHostname:destinationPort, read the reply
 *     return stream;
 *   },
 * });
 */
export interface Proxy {
  /** False for SOCKS4: the enumerator then resolves the destination locally. */
  supportsHostname(): boolean;
  /**
   * Optional: the object shown in the PROXY_NEGOTIATING event and then passed to `connect()`.
   * The HTTPS proxy returns its not-yet-handshaken TlsClientConnection here so handlers can trust
   * a private CA; others show the TCP connection itself.
   */
  prepare?(connection: IOStream, proxyAddress: ProxyAddress): IOStream;
  /**
   * g_proxy_connect_async: speaks the proxy protocol on `connection` so that it then reaches
   * `proxyAddress.destinationHostname`:`destinationPort`.
   */
  connect(connection: IOStream, proxyAddress: ProxyAddress, opts?: ProxyConnectOptions): Promise<IOStream>;
}

// Interface and registry; the five built-in protocols are registered by the proxy helper (issue 4, §7).
import type { Cancellable } from '../cancellable.js';
import type { IOStream } from '../connection/io-stream.js';
import type { ProxyAddress } from '../address/socket-address.js';

export interface ProxyConnectOptions {
  readonly cancellable?: Cancellable | null;
}

/**
 * GProxy: negotiates a connection to `proxyAddress.destination*` over a stream already connected to
 * the proxy server. Resolves to the stream to use afterwards (the same one for SOCKS and HTTP, a
 * TLS stream for HTTPS). Errors are GErrors scored at PROXY_NEGOTIATING.
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
  connect(connection: IOStream, proxyAddress: ProxyAddress, opts?: ProxyConnectOptions): Promise<IOStream>;
}

const registry = new Map<string, Proxy>();

/** The GProxy extension point: registers (or replaces) the implementation for a protocol name. */
export function registerProxy(protocol: string, proxy: Proxy): void {
  registry.set(protocol.toLowerCase(), proxy);
}

/** g_proxy_get_default_for_protocol; names are matched lower-cased (SPEC §3). */
export function getProxyForProtocol(protocol: string): Proxy | null {
  return registry.get(protocol.toLowerCase()) ?? null;
}

// HTTPS proxy (GHttpsProxy in gio/ghttpproxy.c), TLS to the proxy, then the
// HTTP CONNECT exchange inside it. The returned stream is the TLS connection.
import { InetAddress } from '../address/inet-address.js';
import { NetworkAddress } from '../address/network-address.js';
import type { ProxyAddress } from '../address/socket-address.js';
import { splitUriWithUser } from '../address/uri.js';
import type { IOStream } from '../connection/io-stream.js';
import { toGError } from '../errors/errno.js';
import { TlsClientConnection } from '../tls/tls-client-connection.js';
import { negotiateHttpConnect } from './http-proxy.js';
import type { Proxy, ProxyConnectOptions } from './proxy-interface.js';

/**
 * Who the proxy's certificate must name: the host of the proxy URI, with the port connected to.
 * GIO uses the GProxyAddress, i.e. the proxy's IP, so a certificate for `proxy.example` never
 * validates and no SNI is sent (a fix, see docs/differences.md). An IP-literal host stays an IP identity (no
 * SNI, the certificate must cover the IP); a zone is dropped, as certificates carry none. Without a
 * usable URI the IP is the identity, as in GIO.
 */
export function httpsProxyIdentity(proxyAddress: ProxyAddress): NetworkAddress {
  let host = proxyAddress.address.toString();
  const uri = proxyAddress.uri;
  if (uri !== null) {
    try {
      const parsed = splitUriWithUser(uri).host;
      if (parsed !== '') host = InetAddress.newFromString(parsed)?.toString() ?? parsed;
    } catch {
      // The enumerator parsed this URI already; an unparsable one keeps the IP identity.
    }
  }
  return new NetworkAddress(host, proxyAddress.port);
}

/** GHttpsProxy (`https`). */
export class HttpsProxy implements Proxy {
  /** The TCP connection under each TLS connection `prepare()` made, for cleanup and errors. */
  readonly #bases = new WeakMap<TlsClientConnection, IOStream>();

  supportsHostname(): boolean {
    return true;
  }

  /**
   * The not-yet-handshaken TLS connection to the proxy. The client shows it in the
   * PROXY_NEGOTIATING event, so handlers can trust a private CA or connect accept-certificate
   * before `connect()` starts the handshake (GIO gives no such hook).
   */
  prepare(connection: IOStream, proxyAddress: ProxyAddress): TlsClientConnection {
    const tls = new TlsClientConnection(connection, httpsProxyIdentity(proxyAddress));
    this.#bases.set(tls, connection);
    return tls;
  }

  async connect(
    connection: IOStream,
    proxyAddress: ProxyAddress,
    opts?: ProxyConnectOptions,
  ): Promise<IOStream> {
    const prepared = connection instanceof TlsClientConnection && this.#bases.has(connection);
    const tls = prepared ? connection : this.prepare(connection, proxyAddress);
    const base = this.#bases.get(tls) ?? connection;
    try {
      opts?.cancellable?.throwIfCancelled();
      await tls.handshake(opts?.cancellable ?? null);
    } catch (err) {
      tls.stream.destroy();
      base.stream.destroy();
      throw toGError(err);
    }
    await negotiateHttpConnect(tls, proxyAddress, opts, tls.stream === base.stream ? [] : [base.stream]);
    return tls;
  }
}

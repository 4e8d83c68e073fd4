import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { SocketConnectable } from '../address/connectable.js';
import { InetSocketAddress, ProxyAddress } from '../address/socket-address.js';

/**
 * Who the peer's certificate must name, and the SNI to send (g_tls_client_connection_set_server_identity):
 * - `host`: a NetworkAddress hostname or NetworkService domain; sent as SNI, checked against
 *   the certificate's DNS names (CN only when it has none).
 * - `ip`: an IP literal (InetSocketAddress, or a NetworkAddress whose host is a literal); no SNI
 *   (glib-networking 2.72: "Do not fill SNI extension with IP address"); checked against IP SANs.
 * - `none`: no identity (null, or a connectable of another kind): BAD_IDENTITY, no SNI.
 */
export type ServerIdentity =
  | { readonly kind: 'host'; readonly host: string }
  | { readonly kind: 'ip'; readonly ip: string }
  | { readonly kind: 'none' };

/** Derives the identity from the connectable passed to connect() (never a resolved address). */
export function serverIdentityOf(connectable: SocketConnectable | null): ServerIdentity {
  if (connectable === null) return { kind: 'none' };
  // A ProxyAddress given directly as the connectable: TLS runs with the destination behind the
  // proxy, so its name is the only identity that can match (GIO would check the proxy's IP).
  if (connectable instanceof ProxyAddress) return fromName(connectable.destinationHostname);
  if (connectable instanceof InetSocketAddress) return { kind: 'ip', ip: connectable.address.toString() };
  const named = connectable as unknown as { readonly hostname?: unknown; readonly domain?: unknown };
  // NetworkAddress has `hostname`; NetworkService has `domain` (duck-typed: no import cycle).
  if (typeof named.hostname === 'string') return fromName(named.hostname);
  if (typeof named.domain === 'string') return fromName(named.domain);
  return { kind: 'none' };
}

/** Host text → identity: IP literals (bracketed or with a zone) become `ip`; names are IDNA'd. */
function fromName(name: string): ServerIdentity {
  let host = name.trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const bare = host.includes('%') ? host.slice(0, host.indexOf('%')) : host;
  if (isIP(bare)) return { kind: 'ip', ip: bare.toLowerCase() };
  // Certificates carry A-labels and no trailing dot (RFC 6125 section 6.2.1; RFC 6066 section 3 for SNI).
  const withoutDot = host.endsWith('.') ? host.slice(0, -1) : host;
  if (withoutDot === '') return { kind: 'none' };
  const ascii = domainToASCII(withoutDot);
  return { kind: 'host', host: (ascii || withoutDot).toLowerCase() };
}

/** The SNI to send for an identity: the host name, never an IP (RFC 6066 section 3). */
export function sniFor(identity: ServerIdentity): string | undefined {
  return identity.kind === 'host' ? identity.host : undefined;
}

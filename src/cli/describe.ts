import { certificateFlagNames } from '../tls/certificate-flags.js';
import {
  ProxyAddress,
  SocketConnection,
  SyncSocketConnection,
  SyncTlsClientConnection,
  TlsClientConnection,
  type EventConnection,
  type SocketAddress,
  type SocketConnectable,
  type SyncEventConnection,
  type ConnectionTimings,
} from '../index.js';

/** What an 'event' listener may receive: from the async engine, or during a blocking connect. */
export type AnyEventConnection = EventConnection | SyncEventConnection;

/** The two ends of a connection, async (SocketConnection) or blocking (SyncSocketConnection). */
export interface Endpoints {
  getRemoteAddress(): SocketAddress;
  getLocalAddress(): SocketAddress | null;
  /** Set on the connection a connect returned (not on an event's attempt). */
  readonly timings?: ConnectionTimings | null;
}
import { TrackedService } from './srv-tracking.js';

/**
 * What the timeline shows of an address. For a ProxyAddress: the proxy server, its protocol and
 * the destination — never `username`, `password` or `uri`, which may hold credentials.
 */
export interface AddressView {
  /** `[::1]:8080`, or the proxy server's address for a ProxyAddress. */
  readonly address: string;
  readonly proxy: { readonly protocol: string; readonly destination: string } | null;
}

export function viewAddress(address: SocketAddress): AddressView {
  if (address instanceof ProxyAddress) {
    const host = address.destinationHostname.includes(':')
      ? `[${address.destinationHostname}]`
      : address.destinationHostname;
    return {
      address: address.toString(),
      proxy: { protocol: address.protocol, destination: `${host}:${address.destinationPort}` },
    };
  }
  return { address: address.toString(), proxy: null };
}

/** `[::1]:8080`, or `socks5 proxy 127.0.0.1:1080 → example.com:80`. */
export function formatAddress(view: AddressView): string {
  return view.proxy
    ? `${view.proxy.protocol} proxy ${view.address} → ${view.proxy.destination}`
    : view.address;
}

/**
 * The socket connection under whatever the event carries: the connection itself, or the base
 * stream of a TLS connection (possibly over an HTTPS proxy's TLS connection). Bounded: a wrapper
 * chain is at most proxy TLS + TLS deep.
 */
export function socketConnectionOf(connection: AnyEventConnection | null): Endpoints | null {
  let current: unknown = connection;
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 4; depth++) {
    if (current instanceof SocketConnection || current instanceof SyncSocketConnection) return current;
    if (current instanceof SyncTlsClientConnection) current = current.getBaseIOStream();
    else current = 'baseIOStream' in current ? current.baseIOStream : null;
  }
  return null;
}

/**
 * The remote address shown for an event (GIO: connection.get_remote_address()); null when the
 * connection has none yet (a blocking connect's attempt object may not).
 */
export function remoteOf(connection: AnyEventConnection | null): SocketAddress | null {
  try {
    return socketConnectionOf(connection)?.getRemoteAddress() ?? null;
  } catch {
    return null;
  }
}

/** What the timeline shows of an SRV target (RFC 2782 fields). */
export interface SrvView {
  readonly hostname: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** The SRV target a --service attempt's address came from, or null. */
export function srvTargetOf(connectable: SocketConnectable, remote: SocketAddress | null): SrvView | null {
  if (!(connectable instanceof TrackedService) || remote === null) return null;
  const target = connectable.targetOf(remote);
  return target
    ? { hostname: target.hostname, port: target.port, priority: target.priority, weight: target.weight }
    : null;
}

export function formatSrv(srv: SrvView): string {
  return `SRV ${srv.hostname}:${srv.port} (priority ${srv.priority}, weight ${srv.weight})`;
}

/** The peer certificate and session of a TLS connection, once its handshake looked at it. */
export interface TlsView {
  readonly subject: string;
  readonly issuer: string;
  /** ISO 8601, UTC. */
  readonly notBefore: string;
  readonly notAfter: string;
  /** Names of the unmasked problems GIO found (`UNKNOWN_CA`, …); empty when none. */
  readonly errors: readonly string[];
  readonly alpn: string | null;
  readonly version: string | null;
}

export function viewTls(connection: AnyEventConnection | null): TlsView | null {
  if (!(connection instanceof TlsClientConnection || connection instanceof SyncTlsClientConnection))
    return null;
  const cert = connection.peerCertificate;
  if (!cert) return null;
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    notBefore: isoDate(cert.validFrom),
    notAfter: isoDate(cert.validTo),
    errors: certificateFlagNames(connection.peerCertificateErrors),
    alpn: connection.negotiatedProtocol,
    version: connection.protocolVersion,
  };
}

export function formatTls(tls: TlsView): string {
  return (
    `[${tls.version ?? 'TLS'}${tls.alpn ? `, ALPN ${tls.alpn}` : ''}] subject “${tls.subject}”, ` +
    `issuer “${tls.issuer}”, valid ${tls.notBefore} to ${tls.notAfter}, ` +
    `errors ${tls.errors.length > 0 ? tls.errors.join('|') : 'NO_FLAGS'}`
  );
}

/** X509Certificate gives `CN=a\nO=b`; one line reads better: `CN=a, O=b`. */
function oneLine(dn: string | undefined): string {
  // An empty Name comes back as undefined, whatever the typings say.
  return (dn ?? '').split('\n').filter(Boolean).join(', ');
}

/** OpenSSL's `Jan  1 00:00:00 2025 GMT` → `2025-01-01T00:00:00Z` (kept as is if unparsable). */
function isoDate(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString().replace('.000Z', 'Z');
}

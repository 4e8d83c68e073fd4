import { ProxyAddress, SocketConnection, type EventConnection, type SocketAddress } from '../index.js';

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

/** Anything that wraps another stream the way GIO's TLS and wrapper connections do. */
interface Wrapper {
  readonly baseIOStream: EventConnection;
}

function isWrapper(value: object): value is Wrapper {
  return 'baseIOStream' in value && typeof value.baseIOStream === 'object' && value.baseIOStream !== null;
}

/**
 * The socket connection under whatever the event carries: the connection itself, or the base
 * stream of a TLS connection (possibly over an HTTPS proxy's TLS connection). Bounded: a wrapper
 * chain is at most proxy TLS + TLS deep.
 */
export function socketConnectionOf(connection: EventConnection | null): SocketConnection | null {
  let current: EventConnection | null = connection;
  for (let depth = 0; current !== null && depth < 4; depth++) {
    if (current instanceof SocketConnection) return current;
    current = isWrapper(current) ? current.baseIOStream : null;
  }
  return null;
}

/** The remote address shown for an event (GIO: connection.get_remote_address()). */
export function remoteOf(connection: EventConnection | null): SocketAddress | null {
  return socketConnectionOf(connection)?.getRemoteAddress() ?? null;
}

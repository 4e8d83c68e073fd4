import { NetworkAddress } from '../address/network-address.js';
import { invalidArgument } from '../errors/gerror.js';

/** What an adapter is asked to reach: the scheme decides the default port and whether TLS is used. */
export interface Origin {
  readonly target: NetworkAddress;
  readonly secure: boolean;
}

/**
 * The connectable for an origin as HTTP clients describe it: `protocol` (`http:`, `https:`, `ws:`,
 * `wss:`), a host name that may still carry IPv6 brackets, and an optional port. The scheme is kept
 * on the address because proxy resolvers choose by it (`https_proxy` applies to `https://` only).
 */
export function originFor(
  protocol: string,
  hostname: string,
  port: string | number | null | undefined,
): Origin {
  const scheme = protocol.replace(/:$/, '').toLowerCase();
  const secure = scheme === 'https' || scheme === 'wss';
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const number = port === undefined || port === null || port === '' ? (secure ? 443 : 80) : Number(port);
  if (!Number.isInteger(number) || number < 1 || number > 65535) {
    throw invalidArgument(`Invalid port ${String(port)} for ${scheme}://${host}`);
  }
  // Proxy resolvers know http and https; WebSocket origins travel as their HTTP equivalents.
  const proxyScheme = secure ? 'https' : 'http';
  return { target: new NetworkAddress(host, number, proxyScheme), secure };
}

// g_socket_connectable_proxy_enumerate wraps a connectable's own addresses in a
// GProxyAddressEnumerator. The proxy layer (src/proxy/) sits above the address layer, so the
// address classes do not name that enumerator: src/proxy/proxy-address-enumerator.ts installs its
// constructor here when it is loaded (src/index.ts and src/client/socket-client.ts load it), and
// each proxyEnumerate() delegates to it. docs/architecture.md explains the layering.
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { hostnameIsIpAddress, joinNetworkUri } from './uri.js';
import type { EnumerateOptions, SocketAddressEnumerator, SocketConnectable } from './connectable.js';

/**
 * A connectable's destination URI (`scheme://host:port`), built only when something reads it.
 * When no proxy is configured, the proxy enumerator hands out the connectable's own addresses
 * without asking the resolver about a URI, so building, validating and parsing it back would be
 * wasted work on every connect.
 */
export class DestinationUri {
  /** Builds the URI; null: joinNetworkUri of the parts (a NetworkAddress's, made with no closure). */
  readonly #make: (() => string) | null;
  #uri: string | null = null;
  /** The URI's scheme, host and port as its parser would give them back (when `plain`). */
  readonly scheme: string;
  readonly host: string;
  readonly port: number;
  /**
   * True when the URI is certainly valid (g_uri_is_valid) and its parts parse back unchanged:
   * a plain scheme and a host of unreserved characters or an IPv6 literal without a zone.
   * Only then may the lookup's validity check be skipped.
   */
  readonly plain: boolean;

  constructor(scheme: string, host: string, port: number, make: (() => string) | null, plain: boolean) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.#make = make;
    this.plain = plain;
  }

  get uri(): string {
    this.#uri ??= this.#make !== null ? this.#make() : joinNetworkUri(this.scheme, this.host, this.port);
    return this.#uri;
  }
}

const PLAIN_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const PLAIN_NAME = /^[A-Za-z0-9._~-]+$/;
const PLAIN_IPV6 = /^[0-9A-Fa-f:.]+$/;

/** Whether `scheme://host:port` needs no escaping and is a valid URI (see DestinationUri.plain). */
export function isPlainDestination(scheme: string, host: string): boolean {
  if (!PLAIN_SCHEME.test(scheme)) return false;
  return host.includes(':') ? PLAIN_IPV6.test(host) && hostnameIsIpAddress(host) : PLAIN_NAME.test(host);
}

/** Builds the proxy enumerator for `connectable`, whose destination URI is `destination` (`scheme://host:port`). */
export type ProxyEnumeratorFactory = (
  connectable: SocketConnectable,
  destination: string | DestinationUri,
  opts?: EnumerateOptions,
) => SocketAddressEnumerator;

let factory: ProxyEnumeratorFactory | null = null;

/** @internal Called once by the proxy layer when its module is evaluated. */
export function installProxyEnumerator(make: ProxyEnumeratorFactory): void {
  factory = make;
}

/**
 * The proxy enumerator for `connectable` and `destUri`. Only reachable without the proxy layer
 * loaded when a program deep-imports the address modules alone; that is reported, not guessed.
 */
export function proxyEnumeratorFor(
  connectable: SocketConnectable,
  destination: string | DestinationUri,
  opts?: EnumerateOptions,
): SocketAddressEnumerator {
  if (factory === null) {
    throw new IOError(
      IOErrorEnum.NOT_SUPPORTED,
      'Proxy enumeration needs the proxy layer: import gsocketclient (or its proxy-address-enumerator module) first',
    );
  }
  return factory(connectable, destination, opts);
}

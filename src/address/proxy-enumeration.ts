// g_socket_connectable_proxy_enumerate wraps a connectable's own addresses in a
// GProxyAddressEnumerator. The proxy layer (src/proxy/) sits above the address layer, so the
// address classes do not name that enumerator: src/proxy/proxy-address-enumerator.ts installs its
// constructor here when it is loaded (src/index.ts and src/client/socket-client.ts load it), and
// each proxyEnumerate() delegates to it. docs/architecture.md explains the layering.
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import type { EnumerateOptions, SocketAddressEnumerator, SocketConnectable } from './connectable.js';

/** Builds the proxy enumerator for `connectable`, whose destination URI is `destUri` (`scheme://host:port`). */
export type ProxyEnumeratorFactory = (
  connectable: SocketConnectable,
  destUri: string,
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
  destUri: string,
  opts?: EnumerateOptions,
): SocketAddressEnumerator {
  if (factory === null) {
    throw new IOError(
      IOErrorEnum.NOT_SUPPORTED,
      'Proxy enumeration needs the proxy layer: import gsocketclient (or its proxy-address-enumerator module) first',
    );
  }
  return factory(connectable, destUri, opts);
}

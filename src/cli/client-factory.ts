import { NetworkAddress, SimpleProxyResolver, SocketClient, invalidArgument } from '../index.js';
import type { ConnectCommand } from './args.js';

/**
 * TARGET → connectable, as connect_to_uri / connect_to_host would parse it: a URI when it
 * contains `://`, host-and-port otherwise. Parse errors are GIO's INVALID_ARGUMENT GErrors and
 * come before any event. A target that ends up with port 0 is refused here: connecting to port 0
 * is never what a command-line user meant.
 */
export function parseTarget(cmd: ConnectCommand): NetworkAddress {
  const address = cmd.target.includes('://')
    ? NetworkAddress.parseUri(cmd.target, cmd.defaultPort)
    : NetworkAddress.parse(cmd.target, cmd.defaultPort);
  if (address.port === 0) {
    throw invalidArgument(`No port in ‘${cmd.target}’: give host:port or --default-port`);
  }
  return address;
}

/** A SocketClient with the command's settings (each maps to one GIO property). */
export function createClient(cmd: ConnectCommand): SocketClient {
  return new SocketClient({
    family: cmd.family,
    localAddress: cmd.localAddress,
    type: cmd.type,
    timeout: cmd.timeout,
    enableProxy: cmd.enableProxy,
    // --proxy overrides the environment: one default proxy for every destination (§6.5).
    ...(cmd.proxy !== null ? { proxyResolver: new SimpleProxyResolver(cmd.proxy) } : {}),
  });
}

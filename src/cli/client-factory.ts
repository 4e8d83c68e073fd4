import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  DnsResolver,
  IOError,
  IOErrorEnum,
  NetworkAddress,
  NetworkService,
  SocketClient,
  type SocketConnectable,
  type SocketType,
} from '../index.js';
import { toGError } from '../errors/errno.js';
import { invalidArgument } from '../errors/gerror.js';
import { redactUri } from '../address/uri.js';
import type { ConnectCommand, TlsSettings } from './args.js';
import { cliProxyResolver } from './proxy-args.js';
import { pinnedResolverFor } from './resolve-args.js';
import { TrackedService } from './srv-tracking.js';

/**
 * TARGET → connectable, as the client's connect_to_* methods would build it: a NetworkService
 * with --service (connect_to_service), a URI when TARGET contains `://` (connect_to_uri),
 * host-and-port otherwise (connect_to_host). Parse errors are GIO's INVALID_ARGUMENT GErrors
 * and come before any event. A target left with port 0 is refused here: connecting to port 0 is
 * never what a command-line user meant.
 */
export function parseTarget(cmd: ConnectCommand): SocketConnectable {
  if (cmd.service !== null) {
    // The blocking API sends the connectable to its engine thread, which only knows GIO's own
    // classes: there the SRV target of each attempt cannot be tracked.
    return cmd.sync
      ? new NetworkService(cmd.service, 'tcp', cmd.target)
      : new TrackedService(cmd.service, cmd.target);
  }
  const address = cmd.target.includes('://')
    ? NetworkAddress.parseUri(cmd.target, cmd.defaultPort)
    : NetworkAddress.parse(cmd.target, cmd.defaultPort);
  if (address.port === 0) {
    throw invalidArgument(`No port in ‘${redactUri(cmd.target)}’: give host:port or --default-port`);
  }
  return address;
}

/** A SocketClient with the command's settings (each maps to one GIO property). */
export function createClient(cmd: ConnectCommand): SocketClient<SocketType> {
  const proxyResolver = cliProxyResolver(cmd.proxy, cmd.noProxyFor, process.env, cmd.proxyLoopback);
  const dns = cmd.dnsServers.length > 0 ? new DnsResolver({ servers: cmd.dnsServers }) : null;
  // --resolve pins names whatever the port, so only the entries for the target's port apply.
  const resolver = pinnedResolverFor(cmd.resolve, targetPort(cmd), dns ?? undefined) ?? dns;
  return new SocketClient({
    family: cmd.family,
    localAddress: cmd.localAddress,
    type: cmd.type,
    timeout: cmd.timeout,
    enableProxy: cmd.enableProxy,
    // --proxy overrides the environment: one default proxy for every destination
    // (g_simple_proxy_resolver_set_default_proxy).
    ...(proxyResolver !== null ? { proxyResolver } : {}),
    ...(resolver !== null ? { resolver } : {}),
    ...(cmd.tls !== null
      ? { tls: true, tlsValidationFlags: cmd.tls.validationFlags, tlsOptions: tlsOptions(cmd.tls) }
      : {}),
  });
}

/** The port TARGET connects to; null with --service (the SRV records choose). */
function targetPort(cmd: ConnectCommand): number | null {
  if (cmd.service !== null || cmd.resolve.length === 0) return null;
  const target = parseTarget(cmd);
  return target instanceof NetworkAddress ? target.port : null;
}

/** --ca, --cert/--key and --alpn as Node tls options. */
function tlsOptions(tls: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (tls.caFile !== null) options.ca = readOptionFile('--ca', tls.caFile);
  if (tls.certFile !== null) options.cert = readOptionFile('--cert', tls.certFile);
  if (tls.keyFile !== null) options.key = readOptionFile('--key', tls.keyFile);
  if (tls.alpn !== null) options.ALPNProtocols = [...tls.alpn];
  return options;
}

/** A file named on the command line; failing to read it is an argument error (exit 2). */
function readOptionFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const cause = toGError(err);
    throw new IOError(IOErrorEnum.INVALID_ARGUMENT, `${option}: could not read ‘${path}’: ${cause.message}`, {
      cause,
    });
  }
}

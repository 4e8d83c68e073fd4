import { splitNetworkUri } from '../address/uri.js';
import { invalidArgument } from '../errors/gerror.js';
import { findIgnoreRule, parseIgnoreHosts, type IgnoreRule } from './ignore-hosts.js';
import type { ProxyDecision } from './proxy-explanation.js';

/**
 * What the environment and desktop resolvers share when deciding that a destination goes direct:
 * the loopback rule, the destination as ignore rules see it, and the shape of a direct decision.
 */

/** The destinations kept off environment and desktop proxies unless `proxyLoopback` (GNOME's default ignore-hosts). */
const LOOPBACK: readonly IgnoreRule[] = parseIgnoreHosts(['localhost', '127.0.0.0/8', '::1']);

/** A URI's host and port as ignore rules compare them (port 0 when absent). */
export interface Destination {
  readonly host: string;
  readonly port: number;
}

/** The destination of a checked URI, or null when it has no host (e.g. `mailto:`): nothing to compare. */
export function destinationOf(uri: string): Destination | null {
  try {
    const parts = splitNetworkUri(uri);
    return { host: parts.host, port: parts.port > 0 ? parts.port : 0 };
  } catch {
    return null;
  }
}

/** The loopback entry `destination` matches (`localhost`, `127.0.0.0/8`, `::1`), unless loopback is proxied too. */
export function loopbackEntry(destination: Destination, proxyLoopback: boolean): string | null {
  if (proxyLoopback) return null;
  return findIgnoreRule(LOOPBACK, destination.host, destination.port)?.entry ?? null;
}

/** The proxy list of every direct decision: read-only everywhere (lookup() hands out copies). */
const DIRECT_ONLY: readonly string[] = Object.freeze(['direct://']);

/** Direct decisions without an ignore entry, one per source: a connect asks for one each time. */
const plainDirect = new Map<string, ProxyDecision>();

/** A decision to connect directly, with why and the ignore entry that matched. */
export function direct(source: string, matchedIgnoreHost: string | null): ProxyDecision {
  if (matchedIgnoreHost !== null) return { source, matchedIgnoreHost, proxies: DIRECT_ONLY };
  let decision = plainDirect.get(source);
  if (decision === undefined) {
    decision = Object.freeze({ source, matchedIgnoreHost: null, proxies: DIRECT_ONLY });
    // A few fixed reasons, and WPAD's, which name what failed: bounded all the same.
    if (plainDirect.size < 16) plainDirect.set(source, decision);
  }
  return decision;
}

/** The checked constructor arguments of a resolver taking `(env, { proxyLoopback })`: the flag. */
export function checkResolverArguments(env: unknown, options: unknown): boolean {
  if (env === null || typeof env !== 'object') throw invalidArgument('env must be an object of strings');
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object');
  const loopback: unknown = (options as { proxyLoopback?: unknown }).proxyLoopback;
  if (loopback !== undefined && typeof loopback !== 'boolean') {
    throw invalidArgument('proxyLoopback must be a boolean');
  }
  return loopback ?? false;
}

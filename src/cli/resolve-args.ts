import { InetAddress, PinnedResolver, type Resolver } from '../index.js';
import { UsageError } from './usage-error.js';

/** One `--resolve HOST:PORT:ADDR[,ADDR…]` (curl's syntax); `port` null for `*`. */
export interface ResolveEntry {
  readonly host: string;
  readonly port: number | null;
  readonly addresses: readonly string[];
}

/**
 * `HOST:PORT:ADDR[,ADDR…]`, ADDR an IPv4 or IPv6 literal, IPv6 optionally in brackets
 * (`[::1]`), PORT a number or `*` (any port). HOST cannot be an IP literal or `localhost`: those
 * are answered before any resolver is asked (PinnedResolver), so pinning them would do nothing.
 */
export function parseResolveEntry(text: string): ResolveEntry {
  const bad = (why: string): UsageError => new UsageError(`--resolve: '${text}' ${why}`);
  const first = text.indexOf(':');
  const second = first < 0 ? -1 : text.indexOf(':', first + 1);
  if (first <= 0 || second < 0) throw bad('is not HOST:PORT:ADDR');
  const host = text.slice(0, first);
  const portText = text.slice(first + 1, second);
  const list = text.slice(second + 1);
  if (
    InetAddress.newFromString(host.replace(/^\[|\]$/g, '')) !== null ||
    host.toLowerCase() === 'localhost'
  ) {
    throw bad(`pins '${host}', which is never looked up (IP literals and localhost are answered directly)`);
  }
  let port: number | null;
  if (portText === '*') port = null;
  else if (/^\d{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) {
    port = Number(portText);
  } else throw bad(`has no valid PORT ('${portText}': 1-65535 or *)`);
  const addresses = list.split(',').map((raw) => {
    const address = raw.trim().replace(/^\[(.*)\]$/, '$1');
    if (InetAddress.newFromString(address) === null) throw bad(`has '${raw}', which is not an IP address`);
    return address;
  });
  return { host, port, addresses };
}

/** One `--no-proxy-for` value: comma-separated ignore-hosts entries (no_proxy's grammar). */
export function parseNoProxyFor(text: string): string[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new UsageError(`--no-proxy-for: '${text}' names no host`);
  return entries;
}

/**
 * The entries that apply to a connect to `port` (its PORT is that port or `*`; every entry when
 * the port is not known in advance, as with --service), merged per host in command-line order,
 * as a PinnedResolver over `fallback`; null when none applies.
 */
export function pinnedResolverFor(
  entries: readonly ResolveEntry[],
  port: number | null,
  fallback: Resolver | undefined,
): PinnedResolver | null {
  const pins: Record<string, string[]> = {};
  for (const entry of entries) {
    if (port !== null && entry.port !== null && entry.port !== port) continue;
    const list = (pins[entry.host.toLowerCase()] ??= []);
    for (const address of entry.addresses) if (!list.includes(address)) list.push(address);
  }
  if (Object.keys(pins).length === 0) return null;
  return new PinnedResolver(pins, fallback);
}

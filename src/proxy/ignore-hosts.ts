// The ignore-hosts ("no_proxy") grammar and matching of GSimpleProxyResolver (gio/gsimpleproxyresolver.c),
// with one fix (docs/differences.md): entries are trimmed on both sides, so `no_proxy="a, b"` ignores `b`
// too.
import { InetAddress } from '../address/inet-address.js';
import { hostnameToAscii } from '../resolver/host-checks.js';

/** An address range: IP rules carry no port and apply only to hosts given as IP literals. */
interface IpRule {
  readonly kind: 'ip';
  /** The entry as written (trimmed), for explanations. */
  readonly entry: string;
  readonly family: InetAddress['family'];
  readonly bytes: Buffer;
  readonly prefixLength: number;
}

/** A name (or literal IP text) with an optional port; 0 means any port. */
interface DomainRule {
  readonly kind: 'domain';
  /** The entry as written (trimmed), for explanations. */
  readonly entry: string;
  readonly name: string;
  readonly port: number;
}

export type IgnoreRule = IpRule | DomainRule;

/** Called for an entry that cannot be parsed; GIO prints a warning and drops the entry. */
export type IgnoreHostsWarn = (message: string) => void;

/**
 * g_inet_address_mask_new_from_string: `addr` (a full-length mask) or `addr/len`, where `len` is
 * at most the address size and every host bit of `addr` is zero (`10.1.2.3/8` is not a mask).
 * Scope ids are accepted and ignored for matching, as GLib 2.83+ does.
 */
function parseIpMask(entry: string): IpRule | null {
  const slash = entry.indexOf('/');
  const addressText = slash >= 0 ? entry.slice(0, slash) : entry;
  const address = InetAddress.newFromString(addressText);
  if (!address) return null;
  const bytes = address.toBytes();
  const bits = bytes.length * 8;
  let prefixLength = bits;
  if (slash >= 0) {
    const lengthText = entry.slice(slash + 1);
    if (!/^\d+$/.test(lengthText)) return null;
    prefixLength = Number(lengthText);
    if (prefixLength > bits) return null;
    if (!hostBitsZero(bytes, prefixLength)) return null;
  }
  return { kind: 'ip', entry, family: address.family, bytes, prefixLength };
}

function hostBitsZero(bytes: Buffer, prefixLength: number): boolean {
  for (let bit = prefixLength; bit < bytes.length * 8; bit++) {
    if ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}

function prefixEqual(a: Buffer, b: Buffer, prefixLength: number): boolean {
  const whole = prefixLength >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = prefixLength & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole] & mask) === (b[whole] & mask);
}

/**
 * A port as GLib's strtoul check accepts it: digits only; an empty port means "any" (0). Ports
 * above 65535 are rejected instead of being truncated to 16 bits as GLib does.
 */
function parsePort(text: string): number | null {
  if (!/^\d*$/.test(text)) return null;
  const port = text === '' ? 0 : Number(text);
  return port <= 65535 ? port : null;
}

/** One entry → a rule, `null` for an entry to drop silently, or `'invalid'` (warned about). */
function parseEntry(raw: string): IgnoreRule | null | 'invalid' {
  const entry = raw.trim();
  // GLib keeps an empty entry as a zero-length domain, which ends its matching loop early so the
  // entries after it never match (`no_proxy="a,,b"`). An empty entry means nothing here.
  if (entry === '') return null;

  const mask = parseIpMask(entry);
  if (mask) return mask;

  let host = entry;
  let port = 0;
  if (host.startsWith('[')) {
    // `[v6]:port`: the bracket form requires the port.
    const bracket = host.indexOf(']');
    if (bracket < 0 || host[bracket + 1] !== ':') return 'invalid';
    const parsed = parsePort(host.slice(bracket + 2));
    if (parsed === null) return 'invalid';
    port = parsed;
    host = host.slice(1, bracket);
  } else {
    // `name:port` or `v4:port`: only with exactly one colon (more means a bare IPv6 text).
    const colon = host.indexOf(':');
    if (colon >= 0 && !host.includes(':', colon + 1)) {
      const parsed = parsePort(host.slice(colon + 1));
      if (parsed === null) return 'invalid';
      port = parsed;
      host = host.slice(0, colon);
    }
  }

  if (!InetAddress.newFromString(host)) {
    // `*.example.com` and `.example.com` mean the same as `example.com`: the name and every
    // subdomain. `*` alone, `*foo` and `foo*` are not patterns.
    if (host.startsWith('*.')) host = host.slice(2);
    else if (host.startsWith('.')) host = host.slice(1);
  }
  if (host === '') return null;
  return { kind: 'domain', entry, name: host, port };
}

/** Parses ignore-hosts entries (GSimpleProxyResolver's reparse_ignore_hosts). */
export function parseIgnoreHosts(entries: readonly string[], warn?: IgnoreHostsWarn): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const entry of entries) {
    const rule = parseEntry(entry);
    if (rule === 'invalid') warn?.(`Ignoring invalid ignore_hosts value '${entry.trim()}'`);
    else if (rule) rules.push(rule);
  }
  return rules;
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * GSimpleProxyResolver's ignore_host(): whether `host` (as it appears in the destination URI,
 * brackets removed) and `port` (0 when the URI has none) bypass the proxy. No DNS is done: IP
 * rules match IP literals only (family and prefix, so an IPv4-mapped IPv6 address does not match
 * an IPv4 rule); domain rules match the IDNA-ASCII host or any name ending in `.` + rule.
 */
export function matchesIgnoreHosts(rules: readonly IgnoreRule[], host: string, port: number): boolean {
  return findIgnoreRule(rules, host, port) !== null;
}

/** {@link matchesIgnoreHosts}, answering with the first rule that matched (or null). */
export function findIgnoreRule(rules: readonly IgnoreRule[], host: string, port: number): IgnoreRule | null {
  const ip = InetAddress.newFromString(host);
  if (ip) {
    const bytes = ip.toBytes();
    for (const rule of rules) {
      if (
        rule.kind === 'ip' &&
        rule.family === ip.family &&
        prefixEqual(rule.bytes, bytes, rule.prefixLength)
      ) {
        return rule;
      }
    }
  }
  const ascii = hostnameToAscii(host);
  if (!ascii) return null;
  const lowerHost = asciiLower(ascii);
  for (const rule of rules) {
    if (rule.kind !== 'domain') continue;
    if (rule.port !== 0 && rule.port !== port) continue;
    const name = asciiLower(rule.name);
    if (name.length > lowerHost.length) continue;
    const offset = lowerHost.length - name.length;
    if (offset > 0 && lowerHost[offset - 1] !== '.') continue;
    if (lowerHost.slice(offset) === name) return rule;
  }
  return null;
}

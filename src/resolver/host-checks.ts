import { domainToASCII } from 'node:url';
import { hostnameProblem } from '../address/hostname-check.js';
import { InetAddress } from '../address/inet-address.js';

/**
 * `localhost`, `localhost.`, `*.localhost`, `*.localhost.` (case-insensitive): always loopback
 * (g_resolver_lookup_by_name, RFC 6761 section 6.3).
 */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * True for the legacy forms inet_aton() accepts but a strict parse does not (`192.168.258`,
 * `3232235778`, `0xc0a80102`, `0300.0250.0001.0001`): GIO refuses to resolve these as names
 * (g_resolver_lookup_by_name, GLib commit 5575a3e9cb). A port of glibc's inet_aton: one to four parts, each
 * starting with a digit and read by strtoul(base 0) (`0x` hex, leading `0` octal); every part
 * but the last fits a byte, the last fills the remaining bytes; the text may go on after a
 * whitespace character (`1.2.3.4 junk` is accepted by inet_aton).
 */
export function isInetAtonLegacyForm(host: string): boolean {
  if (InetAddress.newFromString(host)) return false;
  const m = /^([0-9][0-9A-Za-z]*(?:\.[0-9][0-9A-Za-z]*){0,3})(?:[ \t\n\v\f\r]|$)/.exec(host);
  if (!m) return false;
  const values: bigint[] = [];
  for (const part of m[1].split('.')) {
    const v = strtoulBase0(part);
    if (v === null) return false;
    values.push(v);
  }
  const last = values[values.length - 1];
  const maxLast = [0xffffffffn, 0xffffffn, 0xffffn, 0xffn][values.length - 1];
  return values.slice(0, -1).every((v) => v <= 0xffn) && last <= maxLast;
}

/** strtoul(part, &end, 0) that must consume all of `part` (a `0x` with no digit stops after `0`). */
function strtoulBase0(part: string): bigint | null {
  if (/^0[xX][0-9A-Fa-f]+$/.test(part)) return BigInt(`0x${part.slice(2)}`);
  if (/^0[0-7]*$/.test(part)) return BigInt(`0o${part.length > 1 ? part.slice(1) : '0'}`);
  if (/^[1-9][0-9]*$/.test(part)) return BigInt(part);
  return null;
}

/** g_hostname_to_ascii: IDNA for non-ASCII names; null when the name cannot be converted. */
export function hostnameToAscii(host: string): string | null {
  // Control characters are no part of any name (GIO converts them as they are).
  if (hostnameProblem(host) !== null) return null;
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(host)) return host;
  // domainToASCII parses a URL host: it would stop at `/`, `?` or `#` and convert only the part
  // before them, so names with characters no host name can hold are refused first.
  if (/[\s/\\?#@:%[\]<>^|]/.test(host)) return null;
  const ascii = domainToASCII(host);
  return ascii === '' ? null : ascii;
}

/** RFC 1035 section 2.3.4 limits: each label at most 63 octets, the name at most 253 (a final dot aside). */
export function fitsDns(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return Buffer.byteLength(bare) <= 253 && bare.split('.').every((label) => Buffer.byteLength(label) <= 63);
}

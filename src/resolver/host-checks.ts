import { domainToASCII } from 'node:url';
import { InetAddress } from '../address/inet-address.js';

/** `localhost`, `localhost.`, `*.localhost`, `*.localhost.` (case-insensitive): always loopback (§4.5). */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * True for the legacy forms inet_aton() accepts but a strict parse does not (`192.168.258`,
 * `3232235778`, `0xc0a80102`, `0300.0250.0001.0001`): GIO refuses to resolve these as names.
 */
export function isInetAtonLegacyForm(host: string): boolean {
  if (InetAddress.newFromString(host)) return false;
  const parts = host.split('.');
  if (parts.length < 1 || parts.length > 4) return false;
  const values: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) v = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = p.length === 1 ? 0 : parseInt(p.slice(1), 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return false;
    values.push(v);
  }
  const maxLast = [0xffffffff, 0xffffff, 0xffff, 0xff][values.length - 1];
  return values.slice(0, -1).every((v) => v <= 0xff) && values[values.length - 1] <= maxLast;
}

/** g_hostname_to_ascii: IDNA for non-ASCII names; null when the name cannot be converted. */
export function hostnameToAscii(host: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(host)) return host;
  const ascii = domainToASCII(host);
  return ascii === '' ? null : ascii;
}

// What FindProxyForURL returns, as the ordered list of proxy URIs that ProxyAddressEnumerator tries
// (docs/differences.md "PAC"). The grammar is Netscape's PAC format as browsers and libproxy read
// it: entries separated by `;`, each a keyword and, but for DIRECT, one `host:port`.
import { printable } from './lookup-checks.js';

/** The parsed answer: the URIs in order and a note for each entry that was skipped. */
export interface PacAnswer {
  readonly proxies: readonly string[];
  readonly skipped: readonly string[];
}

/**
 * Keyword → URI scheme and default port. `SOCKS` names no version: as libproxy does, it becomes
 * GIO's `socks://`, tried as SOCKS5, SOCKS4a, then SOCKS4. `PROXY` and `HTTP` are HTTP proxies.
 */
const KEYWORDS: ReadonlyMap<string, { readonly scheme: string; readonly port: number }> = new Map([
  ['PROXY', { scheme: 'http', port: 80 }],
  ['HTTP', { scheme: 'http', port: 80 }],
  ['HTTPS', { scheme: 'https', port: 443 }],
  ['SOCKS', { scheme: 'socks', port: 1080 }],
  ['SOCKS4', { scheme: 'socks4', port: 1080 }],
  ['SOCKS4A', { scheme: 'socks4a', port: 1080 }],
  ['SOCKS5', { scheme: 'socks5', port: 1080 }],
]);

/** A host name (letters, digits, `-`, `_`, dots), an IPv4 address, or a bracketed IPv6 address. */
const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252}[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]{2,45}\])$/;
const PORT = /^[0-9]{1,5}$/;
/** Longest answer read; a longer one is cut there (a hostile script cannot make us parse megabytes). */
const MAX_ANSWER = 64 * 1024;
const MAX_ENTRIES = 32;

/**
 * Parses a FindProxyForURL answer. Keywords are case-insensitive; a malformed entry (unknown
 * keyword, missing or extra words, bad host or port) is skipped and noted, never guessed at.
 * `DIRECT` is `direct://`. An empty list means the answer had no usable entry.
 */
export function parsePacAnswer(answer: string): PacAnswer {
  const proxies: string[] = [];
  const skipped: string[] = [];
  const entries = answer.slice(0, MAX_ANSWER).split(';');
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (proxies.length + skipped.length >= MAX_ENTRIES) {
      skipped.push(`more than ${MAX_ENTRIES} entries; the rest ignored`);
      break;
    }
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') skipped.push(parsed);
    else proxies.push(...parsed);
  }
  return { proxies, skipped };
}

/** One entry → its URIs, or the reason it is skipped. */
function parseEntry(entry: string): string[] | string {
  const words = entry.split(/\s+/);
  const keyword = words[0].toUpperCase();
  if (keyword === 'DIRECT') {
    return words.length === 1 ? ['direct://'] : `'${printable(entry, 80)}': DIRECT takes no address`;
  }
  const kind = KEYWORDS.get(keyword);
  if (kind === undefined) return `'${printable(entry, 80)}': unknown keyword`;
  if (words.length !== 2) return `'${printable(entry, 80)}': expected one host:port after ${keyword}`;
  const address = splitHostPort(words[1]);
  if (address === null) return `'${printable(entry, 80)}': invalid host:port`;
  const port = address.port ?? kind.port;
  const authority = `${address.host}:${port}`;
  // GIO's socks:// expansion (gsimpleproxyresolver.c), written out: this module is below the
  // resolvers that export it.
  if (kind.scheme === 'socks') return ['socks5', 'socks4a', 'socks4'].map((v) => `${v}://${authority}`);
  return [`${kind.scheme}://${authority}`];
}

function splitHostPort(text: string): { host: string; port: number | null } | null {
  const colon = text.lastIndexOf(':');
  const hasPort = colon > 0 && (text[0] !== '[' || text[colon - 1] === ']');
  const host = hasPort ? text.slice(0, colon) : text;
  if (!HOST.test(host)) return null;
  if (!hasPort) return { host, port: null };
  const portText = text.slice(colon + 1);
  if (!PORT.test(portText)) return null;
  const port = Number(portText);
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

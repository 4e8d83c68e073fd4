// Which names DNS-based WPAD asks for (docs/differences.md "WPAD"): the local domain, where it comes
// from, and the walk from it to its parent domains, bounded by the Public Suffix List.
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { PublicSuffixList } from './public-suffix.js';

/** The resolver configuration read for the search domain (resolv.conf(5)). */
export const RESOLV_CONF = '/etc/resolv.conf';

/** A DNS name as WPAD may use it: LDH labels (plus `_`), lower case, at least two labels. */
const DOMAIN = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** `name` lower-cased without its trailing dot, or null when it is not a usable multi-label DNS name. */
export function normalizeDomain(name: string): string | null {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  return lower.length <= 253 && DOMAIN.test(lower) ? lower : null;
}

/**
 * The domains whose `wpad.` name is asked for, most specific first: `domain`, then each parent
 * while the parent is still below its public suffix — the walk stops at the registrable domain
 * (`corp.example.co.uk` → `corp.example.co.uk`, `example.co.uk`; never `co.uk` or `uk`). This is
 * the "devolution" of draft-ietf-wrec-wpad-01 section 4.4.1 with the bound that Microsoft added
 * after `wpad.<country suffix>` names were registered by third parties (the WPAD name-devolution
 * hazard). Without a list (`psl` null) nothing is walked: only `domain` itself, since a parent
 * could be a public suffix nobody can tell apart.
 */
export function wpadDomains(domain: string, psl: PublicSuffixList | null): string[] {
  const labels = domain.split('.');
  if (psl === null) return labels.length >= 2 ? [domain] : [];
  // The registrable domain has one label more than the public suffix: walk down to it, no further.
  const keep = psl.suffixLabels(domain) + 1;
  const domains: string[] = [];
  for (let i = 0; labels.length - i >= keep; i++) domains.push(labels.slice(i).join('.'));
  return domains;
}

/**
 * The local domain: the domain part of the host's name when it is a fully qualified name (the
 * "primary DNS suffix"), else the first entry of the resolver's search list (`search`, or the
 * older `domain`, whichever comes last in resolv.conf, as resolv.conf(5) reads them). Null when
 * neither names a domain of two labels or more.
 */
export async function localDomain(resolvConf: string = RESOLV_CONF): Promise<string | null> {
  const host = hostname();
  const dot = host.indexOf('.');
  if (dot > 0) {
    const fromHost = normalizeDomain(host.slice(dot + 1));
    if (fromHost !== null) return fromHost;
  }
  let text: string;
  try {
    text = await readFile(resolvConf, 'utf8');
  } catch {
    return null;
  }
  return searchDomain(text);
}

/** The first search domain of a resolv.conf text (the last `search` or `domain` line wins). */
export function searchDomain(text: string): string | null {
  let list: string[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === 'search' || words[0] === 'domain') list = words.slice(1);
  }
  for (const word of list) {
    if (word.startsWith('#') || word.startsWith(';')) break;
    const domain = normalizeDomain(word);
    if (domain !== null) return domain;
  }
  return null;
}

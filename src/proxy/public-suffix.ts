// The Public Suffix List (https://publicsuffix.org/list/), read from the copy the system keeps, so
// that WPAD discovery never asks for `wpad.<public suffix>` (docs/differences.md "WPAD").
import { readFile } from 'node:fs/promises';
import { domainToASCII } from 'node:url';

/** Where Debian's `publicsuffix` package keeps the list (the file libpsl and curl read). */
export const SYSTEM_PUBLIC_SUFFIX_LIST = '/usr/share/publicsuffix/public_suffix_list.dat';

/** A file larger than this is not the list; it is not read. */
const MAX_BYTES = 4 << 20;

/** The rules of the list, by kind. */
export interface PublicSuffixList {
  /** How many labels of `domain` (lower case, ASCII, no trailing dot) are its public suffix (at least 1). */
  suffixLabels(domain: string): number;
}

/**
 * Parses the list's text: one rule a line, `//` comments, `*.` wildcards and `!` exceptions,
 * matched as the list's "Formal Algorithm" says — an exception rule wins, else the rule with the
 * most labels, else `*` (the last label).
 */
export function parsePublicSuffixList(text: string): PublicSuffixList {
  const rules = new Set<string>();
  const wildcards = new Set<string>();
  const exceptions = new Set<string>();
  for (const line of text.split('\n')) {
    // A rule ends at the first white space; the rest of the line is ignored.
    const rule = line.trim().split(/\s/, 1)[0];
    if (rule === '' || rule.startsWith('//')) continue;
    if (rule.startsWith('!')) exceptions.add(toAscii(rule.slice(1)));
    else if (rule.startsWith('*.')) wildcards.add(toAscii(rule.slice(2)));
    else rules.add(toAscii(rule));
  }
  return {
    suffixLabels(domain: string): number {
      const labels = domain.split('.');
      const n = labels.length;
      let best = 1;
      for (let i = 0; i < n; i++) {
        const candidate = labels.slice(i).join('.');
        if (exceptions.has(candidate)) return n - i - 1;
        if (rules.has(candidate)) best = Math.max(best, n - i);
        if (i > 0 && wildcards.has(candidate)) best = Math.max(best, n - i + 1);
      }
      return best;
    },
  };
}

/** The list in `path`, or null when it cannot be read (then WPAD does not walk to parent domains). */
export async function loadPublicSuffixList(
  path: string = SYSTEM_PUBLIC_SUFFIX_LIST,
): Promise<PublicSuffixList | null> {
  try {
    const text = await readFile(path, 'utf8');
    return text.length > MAX_BYTES ? null : parsePublicSuffixList(text);
  } catch {
    return null;
  }
}

/** Rules are written in Unicode; host names are compared in their ASCII (punycode) form. */
function toAscii(rule: string): string {
  const lower = rule.toLowerCase();
  // eslint-disable-next-line no-control-regex -- the ASCII range itself
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;
  const ascii = domainToASCII(lower);
  return ascii === '' ? lower : ascii;
}

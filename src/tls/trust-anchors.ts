import { X509Certificate } from 'node:crypto';
import { pemBlocks } from './der.js';
import { systemTrustStore } from './system-trust-store.js';

/** What the `ca` TLS option accepts (as Node's tls does): PEM (one or many certs) or DER. */
export type CaInput = string | Buffer | readonly (string | Buffer)[];

/** Parses every certificate in `input`; a value that is not a certificate throws. */
export function parseCertificates(input: CaInput): X509Certificate[] {
  const items: readonly (string | Buffer)[] =
    typeof input === 'string' || Buffer.isBuffer(input) ? [input] : input;
  const out: X509Certificate[] = [];
  for (const item of items) {
    const text = typeof item === 'string' ? item : item.toString('latin1');
    if (text.includes('-----BEGIN ')) {
      for (const der of [...pemBlocks(text, 'CERTIFICATE'), ...pemBlocks(text, 'TRUSTED CERTIFICATE')]) {
        out.push(new X509Certificate(der));
      }
    } else if (Buffer.isBuffer(item)) {
      out.push(new X509Certificate(item));
    }
  }
  return out;
}

const parsedByObject = new WeakMap<
  object,
  { readonly items: readonly (string | Buffer)[]; readonly parsed: readonly X509Certificate[] }
>();
const parsedByText = new Map<string, readonly X509Certificate[]>();
const TEXT_CACHE_SIZE = 32;

/**
 * parseCertificates for a `ca` option, remembered per value: a client passes the same `ca` to
 * every handshake, and parsing it again each time showed up as a large share of handshake cost.
 * Buffers and arrays are keyed by identity (and an array's elements), strings by content (LRU).
 */
export function cachedAnchors(input: CaInput): readonly X509Certificate[] {
  if (typeof input === 'string') {
    const hit = parsedByText.get(input);
    if (hit) {
      parsedByText.delete(input);
      parsedByText.set(input, hit);
      return hit;
    }
    const parsed = parseCertificates(input);
    parsedByText.set(input, parsed);
    if (parsedByText.size > TEXT_CACHE_SIZE) parsedByText.delete(parsedByText.keys().next().value!);
    return parsed;
  }
  // An array may be changed after it was first used: a hit needs the same elements.
  const items: readonly (string | Buffer)[] = Buffer.isBuffer(input) ? [input] : [...input];
  const hit = parsedByObject.get(input);
  if (hit && hit.items.length === items.length && hit.items.every((item, i) => item === items[i])) {
    return hit.parsed;
  }
  const parsed = parseCertificates(input);
  parsedByObject.set(input, { items, parsed });
  return parsed;
}

let defaults: readonly X509Certificate[] | null = null;

/**
 * The default trust store as certificates, for the checks that add GIO flags to OpenSSL's
 * verdict: the system store (see system-trust-store.ts), parsed once per process.
 */
export function defaultTrustAnchors(): readonly X509Certificate[] {
  if (!defaults) {
    const parsed: X509Certificate[] = [];
    for (const pem of systemTrustStore().certificates) {
      try {
        parsed.push(new X509Certificate(pem));
      } catch {
        // One unreadable root must not make every other one unusable.
      }
    }
    defaults = parsed;
  }
  return defaults;
}

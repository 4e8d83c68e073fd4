import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { pemBlocks } from './der.js';

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

let defaults: readonly X509Certificate[] | null = null;

/**
 * The trust store used when no `ca` is given, like GIO's default GTlsDatabase. Node 22.15+ can
 * list the store it really uses (bundled roots plus NODE_EXTRA_CA_CERTS, plus the system store
 * with --use-system-ca); older Node has only its bundled Mozilla roots.
 */
export function defaultTrustAnchors(): readonly X509Certificate[] {
  if (!defaults) {
    const getCACertificates = (tls as { getCACertificates?: (type?: string) => string[] }).getCACertificates;
    const pems = getCACertificates ? getCACertificates('default') : tls.rootCertificates;
    const parsed: X509Certificate[] = [];
    for (const pem of pems) {
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

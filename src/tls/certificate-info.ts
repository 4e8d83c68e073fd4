import type { X509Certificate } from 'node:crypto';
import {
  children,
  decodeExtensions,
  decodeTime,
  DerTag,
  expectTag,
  integerHex,
  parseRoot,
  readElement,
  type Extension,
} from './der.js';
import { signatureAlgorithm, type SignatureAlgorithm } from './signature-algorithms.js';

/** The parts of a certificate node:crypto does not expose, read from its DER (RFC 5280 section 4.1). */
export interface CertificateInfo {
  /** Serial as upper-case hex without leading zeros (comparable with CRL entries). */
  readonly serial: string;
  /** The issuer Name exactly as encoded, to match a CRL's issuer. */
  readonly issuerDer: Buffer;
  /** The subject Name exactly as encoded, to match the CRLs this certificate (a CA) issued. */
  readonly subjectDer: Buffer;
  /** The validity window, read from the DER (node:crypto gives only display strings in Node 20). */
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The outer signature algorithm; null when unknown. */
  readonly signature: SignatureAlgorithm | null;
}

const KEY_USAGE = '2.5.29.15';
/** KeyUsage bit 6, cRLSign (RFC 5280 section 4.2.1.3), in the first content byte of the BIT STRING. */
const CRL_SIGN_MASK = 0x02;

const crlSigners = new WeakMap<X509Certificate, boolean>();

/**
 * Whether `cert` may sign CRLs: no keyUsage extension, or one with cRLSign. Only asked when CRLs
 * are in use, so the extensions are not decoded on every handshake.
 */
export function mayIssueCrls(cert: X509Certificate): boolean {
  let known = crlSigners.get(cert);
  if (known === undefined) {
    known = keyUsageAllowsCrlSign(extensionsOf(cert));
    crlSigners.set(cert, known);
  }
  return known;
}

function extensionsOf(cert: X509Certificate): Extension[] {
  const [tbs] = children(parseRoot(cert.raw, DerTag.SEQUENCE));
  const field = children(expectTag(tbs, DerTag.SEQUENCE)).find((f) => f.tag === DerTag.CONTEXT_3);
  return field ? decodeExtensions(children(field)[0]) : [];
}

function keyUsageAllowsCrlSign(extensions: readonly Extension[]): boolean {
  const keyUsage = extensions.find((e) => e.oid === KEY_USAGE);
  if (!keyUsage) return true;
  const bits = expectTag(readElement(keyUsage.value).element, DerTag.BIT_STRING).content;
  // content[0] counts the unused bits; the named bits start in content[1].
  return bits.length > 1 && (bits[1] & CRL_SIGN_MASK) !== 0;
}

const cache = new WeakMap<X509Certificate, CertificateInfo>();
/**
 * The same by SHA-256 fingerprint: every handshake brings new X509Certificate objects for the
 * same server certificates, and parsing them again was a visible share of handshake time.
 */
const byFingerprint = new Map<string, CertificateInfo>();
const FINGERPRINT_CACHE_SIZE = 256;

/** Parses (once per certificate) the serial, raw names, validity and signature algorithm. */
export function certificateInfo(cert: X509Certificate): CertificateInfo {
  let info = cache.get(cert);
  if (info) return info;
  const fingerprint = cert.fingerprint256;
  info = byFingerprint.get(fingerprint);
  if (!info) {
    const [tbs, sigAlg] = children(parseRoot(cert.raw, DerTag.SEQUENCE));
    const fields = children(expectTag(tbs, DerTag.SEQUENCE));
    // tbsCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject…
    const at = fields[0]?.tag === DerTag.CONTEXT_0 ? 1 : 0;
    const validity = children(expectTag(fields[at + 3], DerTag.SEQUENCE));
    info = {
      serial: integerHex(fields[at]),
      issuerDer: Buffer.from(expectTag(fields[at + 2], DerTag.SEQUENCE).der),
      subjectDer: Buffer.from(expectTag(fields[at + 4], DerTag.SEQUENCE).der),
      notBefore: decodeTime(validity[0]),
      notAfter: decodeTime(validity[1]),
      signature: signatureAlgorithm(sigAlg),
    };
    byFingerprint.set(fingerprint, info);
    if (byFingerprint.size > FINGERPRINT_CACHE_SIZE) byFingerprint.delete(byFingerprint.keys().next().value!);
  }
  cache.set(cert, info);
  return info;
}

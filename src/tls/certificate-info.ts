import type { X509Certificate } from 'node:crypto';
import { children, decodeTime, DerTag, expectTag, integerHex, parseRoot } from './der.js';
import { signatureAlgorithm, type SignatureAlgorithm } from './signature-algorithms.js';

/** The parts of a certificate node:crypto does not expose, read from its DER (RFC 5280 §4.1). */
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

const cache = new WeakMap<X509Certificate, CertificateInfo>();

/** Parses (once per certificate object) the serial, raw issuer and signature algorithm. */
export function certificateInfo(cert: X509Certificate): CertificateInfo {
  let info = cache.get(cert);
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
    cache.set(cert, info);
  }
  return info;
}

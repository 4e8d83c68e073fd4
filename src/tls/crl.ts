import type { X509Certificate } from 'node:crypto';
import {
  bitStringBytes,
  children,
  decodeExtensions,
  decodeTime,
  DerTag,
  expectTag,
  integerHex,
  parseRoot,
  pemBlocks,
} from './der.js';
import { signatureAlgorithm, verifySignature, type SignatureAlgorithm } from './signature-algorithms.js';

/**
 * Critical CRL extensions whose meaning does not change which entries apply here: authority key
 * identifier, issuing distribution point, delta CRL indicator (OpenSSL's crl_cb lets the same
 * ones through).
 */
const HANDLED_CRITICAL: ReadonlySet<string> = new Set(['2.5.29.35', '2.5.29.28', '2.5.29.27']);

/** What the `crl` TLS option accepts (as Node's tls does): PEM or DER, one or several. */
export type CrlInput = string | Buffer | readonly (string | Buffer)[];

/**
 * An X.509 CRL (RFC 5280 section 5): issuer, validity window and revoked serial numbers. node:crypto
 * cannot read CRLs, so the DER is parsed here; the signature is checked against the issuing CA
 * before any entry is believed (`isIssuedBy`).
 */
export class CertificateRevocationList {
  readonly issuerDer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | null;
  /** Revoked serials as upper-case hex without leading zeros. */
  readonly revokedSerials: ReadonlySet<string>;
  /**
   * A critical CRL extension this reader does not process (RFC 5280 section 5.2: such a CRL must not
   * be used to decide revocation); OpenSSL's X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION.
   */
  readonly unhandledCriticalExtension: boolean;
  readonly #tbs: Buffer;
  readonly #algorithm: SignatureAlgorithm | null;
  readonly #signature: Buffer;

  private constructor(der: Buffer) {
    const [tbs, sigAlg, sig] = children(parseRoot(der, DerTag.SEQUENCE));
    const fields = children(expectTag(tbs, DerTag.SEQUENCE));
    // TBSCertList: version (optional), signature, issuer, thisUpdate, nextUpdate (optional),
    // revokedCertificates (optional), [0] crlExtensions (optional).
    let i = fields[0]?.tag === DerTag.INTEGER ? 1 : 0;
    expectTag(fields[i++], DerTag.SEQUENCE);
    this.issuerDer = Buffer.from(expectTag(fields[i++], DerTag.SEQUENCE).der);
    this.thisUpdate = decodeTime(fields[i++]);
    const maybeNext = fields[i];
    if (maybeNext && (maybeNext.tag === DerTag.UTC_TIME || maybeNext.tag === DerTag.GENERALIZED_TIME)) {
      this.nextUpdate = decodeTime(maybeNext);
      i++;
    } else {
      this.nextUpdate = null;
    }
    const serials = new Set<string>();
    const list = fields[i];
    if (list && list.tag === DerTag.SEQUENCE) {
      for (const entry of children(list))
        serials.add(integerHex(children(expectTag(entry, DerTag.SEQUENCE))[0]));
    }
    this.revokedSerials = serials;
    const extensions = fields.find((f) => f.tag === DerTag.CONTEXT_0);
    this.unhandledCriticalExtension = (extensions ? decodeExtensions(children(extensions)[0]) : []).some(
      (e) => e.critical && !HANDLED_CRITICAL.has(e.oid),
    );
    this.#tbs = Buffer.from(tbs.der);
    this.#algorithm = signatureAlgorithm(sigAlg);
    this.#signature = Buffer.from(bitStringBytes(sig));
  }

  /** Parses PEM (`X509 CRL` blocks) or DER, one value or a list; throws on malformed input. */
  static parse(input: CrlInput): CertificateRevocationList[] {
    const items: readonly (string | Buffer)[] =
      typeof input === 'string' || Buffer.isBuffer(input) ? [input] : input;
    const out: CertificateRevocationList[] = [];
    for (const item of items) {
      const text = typeof item === 'string' ? item : item.toString('latin1');
      if (text.includes('-----BEGIN X509 CRL-----')) {
        for (const der of pemBlocks(text, 'X509 CRL')) out.push(new CertificateRevocationList(der));
      } else if (Buffer.isBuffer(item)) {
        out.push(new CertificateRevocationList(item));
      }
    }
    return out;
  }

  /** Whether `ca` signed this CRL (same name and a valid signature by its key). */
  isIssuedBy(ca: X509Certificate, caSubjectDer: Buffer): boolean {
    if (!caSubjectDer.equals(this.issuerDer) || !this.#algorithm) return false;
    return verifySignature(this.#algorithm, this.#tbs, ca.publicKey, this.#signature);
  }

  /** Outside thisUpdate..nextUpdate: GnuTLS reports such data as superseded or from the future. */
  isCurrent(now: Date): boolean {
    if (this.thisUpdate.getTime() > now.getTime()) return false;
    return this.nextUpdate === null || this.nextUpdate.getTime() >= now.getTime();
  }
}

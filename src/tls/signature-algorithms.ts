import { constants, verify, type KeyObject } from 'node:crypto';
import { children, decodeOid, DerTag, expectTag, readElement, type DerElement } from './der.js';

/** What the checks need to know about one X.509 signature algorithm. */
export interface SignatureAlgorithm {
  /** Digest name for crypto.verify; null for the EdDSA algorithms, which hash internally. */
  readonly hash: string | null;
  /**
   * Broken or deprecated digest (MD2, MD5, SHA-1): the certificate counts as INSECURE, as GnuTLS
   * reports GNUTLS_CERT_INSECURE_ALGORITHM for them (glib-networking maps it to INSECURE).
   */
  readonly weak: boolean;
  /** RSASSA-PSS: verified with PSS padding and the salt length from the parameters. */
  readonly pss?: { readonly saltLength: number };
}

const RSA = '1.2.840.113549.1.1.';
const ECDSA = '1.2.840.10045.4.';
const DSA_SHA1 = '1.2.840.10040.4.3';
const NIST_SIG = '2.16.840.1.101.3.4.3.';
const RSASSA_PSS = '1.2.840.113549.1.1.10';

const BY_OID: ReadonlyMap<string, SignatureAlgorithm> = new Map<string, SignatureAlgorithm>([
  [`${RSA}2`, { hash: 'md2', weak: true }],
  [`${RSA}3`, { hash: 'md4', weak: true }],
  [`${RSA}4`, { hash: 'md5', weak: true }],
  [`${RSA}5`, { hash: 'sha1', weak: true }],
  [`${RSA}11`, { hash: 'sha256', weak: false }],
  [`${RSA}12`, { hash: 'sha384', weak: false }],
  [`${RSA}13`, { hash: 'sha512', weak: false }],
  [`${RSA}14`, { hash: 'sha224', weak: false }],
  [`${ECDSA}1`, { hash: 'sha1', weak: true }],
  [`${ECDSA}3.1`, { hash: 'sha224', weak: false }],
  [`${ECDSA}3.2`, { hash: 'sha256', weak: false }],
  [`${ECDSA}3.3`, { hash: 'sha384', weak: false }],
  [`${ECDSA}3.4`, { hash: 'sha512', weak: false }],
  [DSA_SHA1, { hash: 'sha1', weak: true }],
  [`${NIST_SIG}1`, { hash: 'sha224', weak: false }],
  [`${NIST_SIG}2`, { hash: 'sha256', weak: false }],
  [`${NIST_SIG}10`, { hash: 'sha256', weak: false }],
  [`${NIST_SIG}11`, { hash: 'sha384', weak: false }],
  [`${NIST_SIG}12`, { hash: 'sha512', weak: false }],
  ['1.3.101.112', { hash: null, weak: false }],
  ['1.3.101.113', { hash: null, weak: false }],
]);

const DIGEST_BY_OID: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.2.2', 'md2'],
  ['1.2.840.113549.2.5', 'md5'],
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
  ['2.16.840.1.101.3.4.2.4', 'sha224'],
]);

const WEAK_DIGESTS: ReadonlySet<string> = new Set(['md2', 'md4', 'md5', 'sha1']);

/**
 * Interprets an AlgorithmIdentifier (`SEQUENCE { OID, params }`); null when unknown, which the
 * callers treat as "cannot verify" rather than guessing.
 */
export function signatureAlgorithm(algorithmIdentifier: DerElement): SignatureAlgorithm | null {
  const [oidElement, params] = children(expectTag(algorithmIdentifier, DerTag.SEQUENCE));
  const oid = decodeOid(expectTag(oidElement, DerTag.OID));
  if (oid === RSASSA_PSS) return pssAlgorithm(params);
  return BY_OID.get(oid) ?? null;
}

/**
 * RFC 4055 section 3.1 RSASSA-PSS-params: `[0]` hash (default SHA-1), `[1]` MGF, `[2]` salt length
 * (default 20). The MGF digest is assumed to follow the hash, as every real issuer does.
 */
function pssAlgorithm(params: DerElement | undefined): SignatureAlgorithm | null {
  let hash = 'sha1';
  let saltLength = 20;
  if (params && params.tag === DerTag.SEQUENCE) {
    for (const field of children(params)) {
      if (field.tag === 0xa0) {
        const [hashAlg] = children(field);
        const [hashOid] = children(expectTag(hashAlg, DerTag.SEQUENCE));
        const name = DIGEST_BY_OID.get(decodeOid(hashOid));
        if (!name) return null;
        hash = name;
      } else if (field.tag === 0xa2) {
        const { element } = readElement(field.content, 0);
        expectTag(element, DerTag.INTEGER);
        saltLength = element.content.readUIntBE(0, Math.min(element.content.length, 6));
      }
    }
  }
  return { hash, weak: WEAK_DIGESTS.has(hash), pss: { saltLength } };
}

/** crypto.verify over `data` with the algorithm's padding; false (never a throw) on any mismatch. */
export function verifySignature(
  algorithm: SignatureAlgorithm,
  data: Buffer,
  key: KeyObject,
  signature: Buffer,
): boolean {
  try {
    if (algorithm.pss) {
      return verify(
        algorithm.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.pss.saltLength },
        signature,
      );
    }
    return verify(algorithm.hash, data, key, signature);
  } catch {
    return false;
  }
}

import { TlsCertificateFlags } from '../errors/enums.js';

/**
 * OpenSSL's chain verdict (X509_verify_cert, as Node reports it in `socket.authorizationError`)
 * as GTlsCertificateFlags. Reasons with a GIO flag of their own map to it; every other reason
 * (name constraints, path length, purpose, unhandled critical extensions, a CA used as a leaf,
 * bad signatures…) is GENERIC_ERROR, which VALIDATE_ALL includes, so no failure OpenSSL finds
 * can be accepted without a handler unless the caller masked exactly its flag.
 * Codes: OpenSSL's X509_V_ERR_* names without the prefix (openssl/x509_vfy.h), as Node names them.
 */
const FLAG_OF_REASON: Readonly<Record<string, TlsCertificateFlags>> = {
  UNABLE_TO_GET_ISSUER_CERT: TlsCertificateFlags.UNKNOWN_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: TlsCertificateFlags.UNKNOWN_CA,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: TlsCertificateFlags.UNKNOWN_CA,
  DEPTH_ZERO_SELF_SIGNED_CERT: TlsCertificateFlags.UNKNOWN_CA,
  SELF_SIGNED_CERT_IN_CHAIN: TlsCertificateFlags.UNKNOWN_CA,
  CERT_UNTRUSTED: TlsCertificateFlags.UNKNOWN_CA,
  CERT_NOT_YET_VALID: TlsCertificateFlags.NOT_ACTIVATED,
  CERT_HAS_EXPIRED: TlsCertificateFlags.EXPIRED,
  CERT_REVOKED: TlsCertificateFlags.REVOKED,
  EE_KEY_TOO_SMALL: TlsCertificateFlags.INSECURE,
  CA_KEY_TOO_SMALL: TlsCertificateFlags.INSECURE,
  CA_MD_TOO_WEAK: TlsCertificateFlags.INSECURE,
  HOSTNAME_MISMATCH: TlsCertificateFlags.BAD_IDENTITY,
  IP_ADDRESS_MISMATCH: TlsCertificateFlags.BAD_IDENTITY,
  EMAIL_MISMATCH: TlsCertificateFlags.BAD_IDENTITY,
  ERR_TLS_CERT_ALTNAME_INVALID: TlsCertificateFlags.BAD_IDENTITY,
};

/** The flag for one OpenSSL reason; unknown reasons are GENERIC_ERROR. */
export function flagForReason(reason: string): TlsCertificateFlags {
  return FLAG_OF_REASON[reason] ?? TlsCertificateFlags.GENERIC_ERROR;
}

/** OpenSSL's reason for refusing the chain, kept as the `cause` of a refusal. */
export class CertificateVerificationError extends Error {
  /** The X509_V_ERR_* name without its prefix, e.g. `CERT_HAS_EXPIRED`. */
  readonly code: string;
  constructor(code: string) {
    super(`OpenSSL certificate verification failed: ${code}`);
    this.name = 'CertificateVerificationError';
    this.code = code;
  }
}

/**
 * The flags OpenSSL's verdict implies: none when it authorized the chain, else the flag of its
 * reason (GENERIC_ERROR when it gave none it could name).
 */
export function opensslFlags(authorized: boolean, reason: unknown): TlsCertificateFlags {
  if (authorized) return TlsCertificateFlags.NO_FLAGS;
  return typeof reason === 'string' && reason !== ''
    ? flagForReason(reason)
    : TlsCertificateFlags.GENERIC_ERROR;
}

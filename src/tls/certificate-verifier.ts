import type { X509Certificate } from 'node:crypto';
import { TlsCertificateFlags } from '../errors/enums.js';
import { certificateInfo, mayIssueCrls } from './certificate-info.js';
import type { CertificateRevocationList } from './crl.js';
import type { ServerIdentity } from './server-identity.js';

/** RSA and DSA keys below this many bits are INSECURE (NIST SP 800-131A; GnuTLS "medium"). */
export const MIN_RSA_DSA_BITS = 2048;

/** Longest chain followed from the leaf to a trust anchor (leaf and anchor included). */
export const MAX_CHAIN_LENGTH = 10;

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

export interface VerifyInput {
  /** The peer's certificate first, then whatever else it sent (any order; extras are ignored). */
  readonly chain: readonly X509Certificate[];
  /** Trusted roots (the `ca` option, or the default store). */
  readonly anchors: readonly X509Certificate[];
  readonly identity: ServerIdentity;
  readonly crls?: readonly CertificateRevocationList[];
  readonly now?: Date;
}

/**
 * Every problem with the peer's certificate, as GTlsCertificateFlags
 * (g_tls_connection_get_peer_certificate_errors). GIO (GnuTLS) reports all the flags that apply,
 * not only the first problem OpenSSL would stop at, so the handshake runs unverified and the
 * chain is checked here:
 * - UNKNOWN_CA: no path from the leaf through the certificates the peer sent to an anchor
 *   (issuers must be CAs whose key verifies the signature); a leaf that is itself an anchor is
 *   trusted (a pinned self-signed certificate).
 * - BAD_IDENTITY: the leaf does not name the identity (see ServerIdentity).
 * - NOT_ACTIVATED / EXPIRED: any certificate on the path outside its validity window.
 * - REVOKED: a certificate on the path is listed by a current CRL its issuer signed.
 * - INSECURE: a signature on the path made with MD2/MD5/SHA-1, or an RSA/DSA key below 2048 bits.
 * - GENERIC_ERROR: anything else GnuTLS would flag (a bad signature from a trusted CA, a leaf not
 *   meant for servers, a stale CRL, an unreadable certificate).
 */
export function verifyCertificateChain(input: VerifyInput): TlsCertificateFlags {
  // Certificate and CRL times are whole seconds (RFC 5280 section 4.1.2.5); compare at that resolution,
  // so a certificate is still valid during the whole second of its notAfter, as OpenSSL's
  // time_t comparison has it.
  const now = new Date(Math.floor((input.now ?? new Date()).getTime() / 1000) * 1000);
  const [leaf, ...sent] = input.chain;
  if (!leaf) return TlsCertificateFlags.UNKNOWN_CA | TlsCertificateFlags.GENERIC_ERROR;
  let flags = identityFlags(leaf, input.identity);
  try {
    const { path, anchor, anchorSignatureFailed } = buildPath(leaf, sent, input.anchors);
    if (!anchor) {
      flags |= anchorSignatureFailed ? TlsCertificateFlags.GENERIC_ERROR : TlsCertificateFlags.UNKNOWN_CA;
    }
    for (const cert of path) {
      const info = certificateInfo(cert);
      if (now.getTime() < info.notBefore.getTime()) flags |= TlsCertificateFlags.NOT_ACTIVATED;
      if (now.getTime() > info.notAfter.getTime()) flags |= TlsCertificateFlags.EXPIRED;
      if (weakKey(cert)) flags |= TlsCertificateFlags.INSECURE;
    }
    // Signatures that were relied on: everything below the anchor (an anchor's self-signature
    // means nothing, and a pinned leaf is trusted as it is).
    for (const cert of path) {
      if (cert === anchor) continue;
      const signature = certificateInfo(cert).signature;
      if (signature === null) flags |= TlsCertificateFlags.GENERIC_ERROR;
      else if (signature.weak) flags |= TlsCertificateFlags.INSECURE;
    }
    flags |= revocationFlags(path, anchor, input.crls ?? [], now);
    if (!servesServers(leaf)) flags |= TlsCertificateFlags.GENERIC_ERROR;
  } catch {
    // An unparsable certificate: GnuTLS cannot verify it either.
    flags |= TlsCertificateFlags.GENERIC_ERROR;
  }
  return flags;
}

interface Path {
  /** Leaf first, each next one the issuer of the previous; ends at the anchor when trusted. */
  readonly path: readonly X509Certificate[];
  readonly anchor: X509Certificate | null;
  /** A trusted CA is named as the issuer but its key does not verify the signature. */
  readonly anchorSignatureFailed: boolean;
}

function buildPath(
  leaf: X509Certificate,
  sent: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): Path {
  const path: X509Certificate[] = [leaf];
  const index = anchorIndex(anchors);
  if (index.fingerprints.has(leaf.fingerprint256))
    return { path, anchor: leaf, anchorSignatureFailed: false };
  let current = leaf;
  let anchorSignatureFailed = false;
  while (path.length < MAX_CHAIN_LENGTH) {
    // Anchors whose subject is encoded exactly like the issuer name first (the usual case, and
    // a few instead of a whole system store); then the rest, whose names may still match once
    // canonicalised, only when those did not do.
    const likely = index.bySubject.get(certificateInfo(current).issuerDer.toString('hex')) ?? [];
    for (const candidates of [likely, anchors]) {
      for (const candidate of candidates) {
        if (candidates === anchors && likely.includes(candidate)) continue;
        if (!namesIssuer(candidate, current)) continue;
        if (signed(candidate, current)) {
          path.push(candidate);
          return { path, anchor: candidate, anchorSignatureFailed: false };
        }
        anchorSignatureFailed = true;
      }
    }
    const next = sent.find((c) => !path.includes(c) && namesIssuer(c, current) && signed(c, current));
    // A self-signed certificate nobody trusts ends the path (its issuer would be itself).
    if (!next) break;
    path.push(next);
    current = next;
  }
  return { path, anchor: null, anchorSignatureFailed };
}

interface AnchorIndex {
  readonly fingerprints: ReadonlySet<string>;
  /** Anchors by the hex of their subject Name's DER. */
  readonly bySubject: ReadonlyMap<string, readonly X509Certificate[]>;
}

const anchorIndexes = new WeakMap<readonly X509Certificate[], AnchorIndex>();

/** Built once per anchor list (the `ca` option's parsed list, or the system store's). */
function anchorIndex(anchors: readonly X509Certificate[]): AnchorIndex {
  let index = anchorIndexes.get(anchors);
  if (!index) {
    const fingerprints = new Set<string>();
    const bySubject = new Map<string, X509Certificate[]>();
    for (const anchor of anchors) {
      fingerprints.add(anchor.fingerprint256);
      try {
        const key = certificateInfo(anchor).subjectDer.toString('hex');
        bySubject.set(key, [...(bySubject.get(key) ?? []), anchor]);
      } catch {
        // Unreadable here: still found by the full scan.
      }
    }
    index = { fingerprints, bySubject };
    anchorIndexes.set(anchors, index);
  }
  return index;
}

/**
 * `ca` is a CA (basicConstraints) and `cert` names it as issuer: subject/issuer names, key
 * identifiers and key usage agree (OpenSSL's X509_check_issued, as GnuTLS's is_issuer).
 */
function namesIssuer(ca: X509Certificate, cert: X509Certificate): boolean {
  return ca.ca && cert.checkIssued(ca);
}

/** Signature checks by `cert/ca` fingerprints: the same chain comes back on every handshake. */
const signatures = new Map<string, boolean>();
const SIGNATURE_CACHE_SIZE = 256;

/** `ca`'s key verifies `cert`'s signature. */
function signed(ca: X509Certificate, cert: X509Certificate): boolean {
  const key = `${cert.fingerprint256}/${ca.fingerprint256}`;
  let ok = signatures.get(key);
  if (ok === undefined) {
    try {
      ok = cert.verify(ca.publicKey);
    } catch {
      ok = false;
    }
    signatures.set(key, ok);
    if (signatures.size > SIGNATURE_CACHE_SIZE) signatures.delete(signatures.keys().next().value!);
  }
  return ok;
}

function identityFlags(leaf: X509Certificate, identity: ServerIdentity): TlsCertificateFlags {
  switch (identity.kind) {
    case 'host':
      // GnuTLS rules: DNS SANs (CN only when there are none), `*` only as a whole left label.
      return leaf.checkHost(identity.host, { subject: 'default', partialWildcards: false }) !== undefined
        ? TlsCertificateFlags.NO_FLAGS
        : TlsCertificateFlags.BAD_IDENTITY;
    case 'ip':
      return leaf.checkIP(identity.ip) !== undefined
        ? TlsCertificateFlags.NO_FLAGS
        : TlsCertificateFlags.BAD_IDENTITY;
    case 'none':
      return TlsCertificateFlags.BAD_IDENTITY;
  }
}

/** Key sizes by certificate fingerprint: `publicKey` builds a KeyObject on every call. */
const weakKeys = new Map<string, boolean>();
const WEAK_KEY_CACHE_SIZE = 256;

function weakKey(cert: X509Certificate): boolean {
  const fingerprint = cert.fingerprint256;
  let weak = weakKeys.get(fingerprint);
  if (weak === undefined) {
    weak = keyBelowMinimum(cert);
    weakKeys.set(fingerprint, weak);
    if (weakKeys.size > WEAK_KEY_CACHE_SIZE) weakKeys.delete(weakKeys.keys().next().value!);
  }
  return weak;
}

function keyBelowMinimum(cert: X509Certificate): boolean {
  const key = cert.publicKey;
  if (
    key.asymmetricKeyType !== 'rsa' &&
    key.asymmetricKeyType !== 'rsa-pss' &&
    key.asymmetricKeyType !== 'dsa'
  ) {
    return false;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits !== undefined && bits < MIN_RSA_DSA_BITS;
}

/** RFC 5280 section 4.2.1.12: with an extendedKeyUsage extension, it must allow TLS server use. */
function servesServers(leaf: X509Certificate): boolean {
  const usages = (leaf as { keyUsage?: readonly string[] }).keyUsage;
  if (!usages || usages.length === 0) return true;
  return usages.includes(SERVER_AUTH) || usages.includes(ANY_EXTENDED_KEY_USAGE);
}

/**
 * REVOKED for a certificate listed by a CRL its own issuer signed; only certificates whose issuer
 * is known can be checked. A matching CRL that is out of date adds GENERIC_ERROR (GnuTLS:
 * REVOCATION_DATA_SUPERSEDED / ISSUED_IN_FUTURE) but its entries still count.
 */
function revocationFlags(
  path: readonly X509Certificate[],
  anchor: X509Certificate | null,
  crls: readonly CertificateRevocationList[],
  now: Date,
): TlsCertificateFlags {
  if (crls.length === 0) return TlsCertificateFlags.NO_FLAGS;
  let flags = TlsCertificateFlags.NO_FLAGS;
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i];
    if (cert === anchor) break;
    const issuer = path[i + 1];
    const issuerSubject = certificateInfo(issuer).subjectDer;
    const info = certificateInfo(cert);
    for (const crl of crls) {
      if (!crl.isIssuedBy(issuer, issuerSubject)) continue;
      if (!crl.isCurrent(now)) flags |= TlsCertificateFlags.GENERIC_ERROR;
      // A CRL its issuer may not sign (no cRLSign), or one with a critical extension we cannot
      // process, cannot vouch for anything: GnuTLS's SIGNER_CONSTRAINTS_FAILURE, OpenSSL's
      // KEYUSAGE_NO_CRL_SIGN / UNHANDLED_CRITICAL_CRL_EXTENSION.
      if (!mayIssueCrls(issuer) || crl.unhandledCriticalExtension) {
        flags |= TlsCertificateFlags.GENERIC_ERROR;
      }
      if (crl.revokedSerials.has(info.serial)) flags |= TlsCertificateFlags.REVOKED;
    }
  }
  return flags;
}

import { TlsCertificateFlags } from '../errors/enums.js';

const NAMES: readonly (readonly [TlsCertificateFlags, string])[] = [
  [TlsCertificateFlags.UNKNOWN_CA, 'UNKNOWN_CA'],
  [TlsCertificateFlags.BAD_IDENTITY, 'BAD_IDENTITY'],
  [TlsCertificateFlags.NOT_ACTIVATED, 'NOT_ACTIVATED'],
  [TlsCertificateFlags.EXPIRED, 'EXPIRED'],
  [TlsCertificateFlags.REVOKED, 'REVOKED'],
  [TlsCertificateFlags.INSECURE, 'INSECURE'],
  [TlsCertificateFlags.GENERIC_ERROR, 'GENERIC_ERROR'],
];

/** The names of the bits set in `flags`, in GIO's order (`['UNKNOWN_CA', 'BAD_IDENTITY']`). */
export function certificateFlagNames(flags: TlsCertificateFlags): string[] {
  return NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

/** `UNKNOWN_CA|BAD_IDENTITY`, or `NO_FLAGS`: for messages, logs and test failures. */
export function formatCertificateFlags(flags: TlsCertificateFlags): string {
  const names = certificateFlagNames(flags);
  return names.length > 0 ? names.join('|') : 'NO_FLAGS';
}

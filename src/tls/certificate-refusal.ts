import type { X509Certificate } from 'node:crypto';
import { TlsErrorEnum, type TlsCertificateFlags } from '../errors/enums.js';
import { TlsError } from '../errors/gerror.js';
import { formatCertificateFlags } from './certificate-flags.js';

/** What a user needs to fix a refused certificate. */
export interface CertificateRefusalDetails {
  /** Every problem found (unmasked), as in peerCertificateErrors. */
  readonly certificateErrors: TlsCertificateFlags;
  /** The peer certificate's subject (node:crypto's text form, on one line), or null without one. */
  readonly peerSubject: string | null;
  /** The peer certificate's issuer, in the same form, or null without a certificate. */
  readonly peerIssuer: string | null;
}

/**
 * GIO's G_TLS_ERROR_BAD_CERTIFICATE "Unacceptable TLS certificate" (glib-networking's
 * gtlsconnection-base.c keeps that exact text), carrying the flags and the peer's names; the
 * `cause` is OpenSSL's reason or the error a throwing accept-certificate handler raised.
 */
export class CertificateRefusedError extends TlsError implements CertificateRefusalDetails {
  /** Every problem found (unmasked), as in peerCertificateErrors. */
  readonly certificateErrors: TlsCertificateFlags;
  /** The peer certificate's subject (node:crypto's text form, on one line), or null without one. */
  readonly peerSubject: string | null;
  /** The peer certificate's issuer, in the same form, or null without a certificate. */
  readonly peerIssuer: string | null;

  constructor(
    code: number,
    message: string,
    options?: { cause?: unknown; details?: CertificateRefusalDetails },
  ) {
    super(code, message, options);
    this.certificateErrors = options?.details?.certificateErrors ?? 0;
    this.peerSubject = options?.details?.peerSubject ?? null;
    this.peerIssuer = options?.details?.peerIssuer ?? null;
  }

  /** The flag names, `UNKNOWN_CA|EXPIRED` (for one-line reports). */
  get certificateErrorNames(): string {
    return formatCertificateFlags(this.certificateErrors);
  }

  override withPrefix(prefix: string): this {
    const Ctor = this.constructor as new (
      code: number,
      message: string,
      options?: { cause?: unknown; details?: CertificateRefusalDetails },
    ) => this;
    return new Ctor(this.code, prefix + this.message, { cause: this.cause, details: this });
  }
}

export function certificateRefused(
  errors: TlsCertificateFlags,
  leaf: X509Certificate | null,
  cause?: unknown,
): CertificateRefusedError {
  return new CertificateRefusedError(TlsErrorEnum.BAD_CERTIFICATE, 'Unacceptable TLS certificate', {
    cause,
    details: {
      certificateErrors: errors,
      peerSubject: leaf ? oneLine(leaf.subject) : null,
      peerIssuer: leaf ? oneLine(leaf.issuer) : null,
    },
  });
}

/** node:crypto gives names one RDN per line; a message wants `CN=a, O=b`. */
function oneLine(name: string | undefined): string {
  // An empty Name comes back as undefined, whatever the typings say.
  return (name ?? '').split('\n').filter(Boolean).join(', ');
}

import { IOErrorEnum, TlsErrorEnum } from '../errors/enums.js';
import { GError, IOError, TlsError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';

/** glib-networking's prefix for handshake failures (gtlsconnection-gnutls.c / -openssl.c). */
export const HANDSHAKE_PREFIX = 'Error performing TLS handshake';

/**
 * GnuTLS's texts for what a non-TLS peer produces, as GIO 2.74 reports them: a reply that is not
 * TLS records at all (plain text: an HTTP or SMTP server) is GNUTLS_E_UNEXPECTED_PACKET; TLS
 * records carrying the wrong handshake message (an echo of our ClientHello) are
 * GNUTLS_E_UNEXPECTED_HANDSHAKE_PACKET.
 */
const NOT_TLS_PACKET = 'An unexpected TLS packet was received.';
const NOT_TLS_HANDSHAKE_PACKET = 'An unexpected TLS handshake packet was received.';

/** GnuTLS's GNUTLS_E_PREMATURE_TERMINATION text: the peer closed before the handshake ended. */
const PREMATURE_TERMINATION = 'The TLS connection was non-properly terminated.';

/** OpenSSL reasons meaning the bytes received are not TLS records (an HTTP server…). */
const NOT_TLS_RECORD_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_RECORD_LENGTH_MISMATCH',
  'ERR_SSL_UNEXPECTED_RECORD',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_HTTPS_PROXY_REQUEST',
  'ERR_SSL_BAD_RECORD_TYPE',
  'ERR_SSL_UNKNOWN_ALERT_TYPE',
]);

/** OpenSSL reasons meaning TLS records came, but not the handshake messages expected (an echo). */
const NOT_TLS_HANDSHAKE_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_UNEXPECTED_MESSAGE',
  'ERR_SSL_BAD_PACKET_LENGTH',
  'ERR_SSL_LENGTH_MISMATCH',
]);

/** Local failures to agree on parameters: nothing both sides support. */
const NEGOTIATION_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_NO_SHARED_CIPHER',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_VERSION_TOO_HIGH',
  'ERR_SSL_WRONG_SSL_VERSION',
  'ERR_SSL_NO_SUITABLE_SIGNATURE_ALGORITHM',
  'ERR_SSL_NO_SHARED_SIGNATURE_ALGORITHMS',
  'ERR_SSL_NO_SUITABLE_KEY_SHARE',
  'ERR_SSL_NO_SHARED_GROUPS',
  'ERR_SSL_DH_KEY_TOO_SMALL',
  'ERR_SSL_EE_KEY_TOO_SMALL',
  'ERR_SSL_CA_MD_TOO_WEAK',
  'ERR_SSL_CA_KEY_TOO_SMALL',
]);

/** What the handshake knew when the failure came, to tell "client certificate required". */
export interface HandshakeContext {
  /** The server sent a CertificateRequest (seen through the shared signature algorithms). */
  readonly certificateRequested: boolean;
  /** We had a certificate to send (`cert`/`key`, `pfx` or a secureContext). */
  readonly haveCertificate: boolean;
}

/** The context before any handshake byte came: nothing requested, nothing to send. */
export const NO_HANDSHAKE_YET: HandshakeContext = { certificateRequested: false, haveCertificate: false };

/** Our own close() ended the handshake (not the peer). */
export const closedLocallyError = (cause: unknown): TlsError =>
  new TlsError(TlsErrorEnum.EOF, 'TLS connection closed unexpectedly', { cause });

/** glib-networking's report of a handshake the peer abandoned: NOT_TLS "Peer failed to perform…". */
const peerFailedError = (detail: string, cause: unknown): TlsError =>
  new TlsError(TlsErrorEnum.NOT_TLS, `Peer failed to perform TLS handshake: ${detail}`, { cause });

/**
 * Maps whatever ended a handshake to a GError, following glib-networking's choices
 * (gtlsconnection-openssl.c end_openssl_io, gtlsconnection-gnutls.c end_gnutls_io) with the
 * issue's decisions where they differ:
 * - a GError (the inactivity timeout, a cancellation) passes through unchanged;
 * - certificate_required alert / "peer did not return a certificate" → CERTIFICATE_REQUIRED;
 *   any other refusal after the server asked for a certificate we did not have → the same,
 *   "Server required TLS certificate" (glib-networking's guess for TLS 1.2 and 1.3);
 * - unknown_ca alert (our certificate refused) → BAD_CERTIFICATE;
 * - not TLS at all → MISC "Error performing TLS handshake: An unexpected TLS packet was received."
 *   (plain text) or "…: An unexpected TLS handshake packet was received." (an echo);
 * - a fatal alert from the peer or no common version/cipher → HANDSHAKE, OpenSSL's reason;
 * - the peer closing mid-handshake (EOF, whether before or after our ClientHello, or the socket
 *   found closed when the handshake starts) → NOT_TLS "Peer failed to perform TLS handshake: The
 *   TLS connection was non-properly terminated." (GnuTLS's GNUTLS_E_PREMATURE_TERMINATION);
 * - a reset or broken pipe → NOT_TLS "Peer failed to perform TLS handshake: <strerror>";
 * - other socket errors → their IOError (e.g. TIMED_OUT), other TLS errors → MISC.
 */
export function handshakeError(err: unknown, ctx: HandshakeContext): GError {
  if (err instanceof GError) return err;
  const missingCertificate = ctx.certificateRequested && !ctx.haveCertificate;
  const e = err instanceof Error ? (err as NodeJS.ErrnoException & { reason?: unknown }) : null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const reason =
    typeof e?.reason === 'string' && e.reason !== '' ? e.reason : (e?.message.split('\n')[0] ?? String(err));

  if (
    code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' ||
    code === 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'
  ) {
    return new TlsError(TlsErrorEnum.CERTIFICATE_REQUIRED, 'TLS connection peer did not send a certificate', {
      cause: err,
    });
  }
  const peerGaveUp = code.includes('_ALERT_') || isClosedEarly(e) || isReset(e);
  if (missingCertificate && peerGaveUp) {
    return new TlsError(TlsErrorEnum.CERTIFICATE_REQUIRED, 'Server required TLS certificate', { cause: err });
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA') {
    return new TlsError(TlsErrorEnum.BAD_CERTIFICATE, 'Unacceptable TLS certificate authority', {
      cause: err,
    });
  }
  if (NOT_TLS_RECORD_CODES.has(code)) {
    return new TlsError(TlsErrorEnum.MISC, `${HANDSHAKE_PREFIX}: ${NOT_TLS_PACKET}`, { cause: err });
  }
  if (NOT_TLS_HANDSHAKE_CODES.has(code)) {
    return new TlsError(TlsErrorEnum.MISC, `${HANDSHAKE_PREFIX}: ${NOT_TLS_HANDSHAKE_PACKET}`, {
      cause: err,
    });
  }
  if (code.includes('_ALERT_') || NEGOTIATION_CODES.has(code)) {
    return new TlsError(TlsErrorEnum.HANDSHAKE, `${HANDSHAKE_PREFIX}: ${reason}`, { cause: err });
  }
  if (isClosedEarly(e)) return peerFailedError(PREMATURE_TERMINATION, err);
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new TlsError(TlsErrorEnum.MISC, `${HANDSHAKE_PREFIX}: ${reason}`, { cause: err });
  }
  const io = toGError(err);
  if (io instanceof IOError && (io.code === IOErrorEnum.BROKEN_PIPE || io.code === IOErrorEnum.FAILED)) {
    return peerFailedError(io.message, err);
  }
  return io;
}

/** Raised internally when the TLS socket closes with no error before the handshake is over. */
export class PeerClosedError extends Error {
  override readonly name = 'PeerClosedError';
  constructor() {
    super('The peer closed the connection during the TLS handshake');
  }
}

/**
 * The peer closed cleanly mid-handshake: our own marker, OpenSSL 3's "unexpected eof while
 * reading", or Node's "Client network socket disconnected before secure TLS connection was
 * established" (an ECONNRESET that no system call reported).
 */
function isClosedEarly(e: (NodeJS.ErrnoException & { reason?: unknown }) | null): boolean {
  if (e === null) return false;
  if (e instanceof PeerClosedError || e.code === 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING') return true;
  return e.code === 'ECONNRESET' && e.syscall === undefined && e.errno === undefined;
}

/** A real TCP reset (ECONNRESET from read/write) or a broken pipe. */
function isReset(e: NodeJS.ErrnoException | null): boolean {
  return e !== null && (e.code === 'ECONNRESET' || e.code === 'EPIPE') && e.syscall !== undefined;
}

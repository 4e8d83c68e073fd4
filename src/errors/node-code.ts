import { IOErrorEnum, ResolverErrorEnum, TlsErrorEnum } from './enums.js';

/**
 * Node's string error codes for GIO's numeric ones, so that tools written for `net` and `tls`
 * (undici's RetryAgent, `got`, retry helpers) recognise our failures. GError keeps GIO's numeric
 * `code`, as GJS does; the string lives beside it as `nodeCode`.
 *
 * The system error that caused a failure is the most precise answer (ECONNRESET and EPIPE are both
 * GIO's BROKEN_PIPE), so a cause's own code wins; the tables below cover errors the library made
 * itself (a timer that fired, a resolver that answered NXDOMAIN, a certificate flag).
 */

const IO_TO_NODE: Readonly<Partial<Record<IOErrorEnum, string>>> = {
  [IOErrorEnum.CONNECTION_REFUSED]: 'ECONNREFUSED',
  [IOErrorEnum.TIMED_OUT]: 'ETIMEDOUT',
  [IOErrorEnum.HOST_UNREACHABLE]: 'EHOSTUNREACH',
  [IOErrorEnum.NETWORK_UNREACHABLE]: 'ENETUNREACH',
  [IOErrorEnum.BROKEN_PIPE]: 'ECONNRESET',
  [IOErrorEnum.NOT_CONNECTED]: 'ENOTCONN',
  [IOErrorEnum.ADDRESS_IN_USE]: 'EADDRINUSE',
  [IOErrorEnum.TOO_MANY_OPEN_FILES]: 'EMFILE',
  [IOErrorEnum.PERMISSION_DENIED]: 'EACCES',
  [IOErrorEnum.NOT_FOUND]: 'ENOENT',
  [IOErrorEnum.MESSAGE_TOO_LARGE]: 'EMSGSIZE',
  [IOErrorEnum.NOT_SUPPORTED]: 'ENOTSUP',
  [IOErrorEnum.INVALID_ARGUMENT]: 'ERR_INVALID_ARG_VALUE',
  [IOErrorEnum.CANCELLED]: 'ABORT_ERR',
  [IOErrorEnum.CLOSED]: 'ERR_SOCKET_CLOSED',
  // No Node equivalent: a proxy that refused, failed or wanted credentials. Named after GIO's code
  // so they stay distinct from a refused TCP connect, which a retry helper would treat alike.
  [IOErrorEnum.PROXY_FAILED]: 'ERR_PROXY_FAILED',
  [IOErrorEnum.PROXY_AUTH_FAILED]: 'ERR_PROXY_AUTH_FAILED',
  [IOErrorEnum.PROXY_NEED_AUTH]: 'ERR_PROXY_NEED_AUTH',
  [IOErrorEnum.PROXY_NOT_ALLOWED]: 'ERR_PROXY_NOT_ALLOWED',
};

const RESOLVER_TO_NODE: Readonly<Record<ResolverErrorEnum, string>> = {
  [ResolverErrorEnum.NOT_FOUND]: 'ENOTFOUND',
  [ResolverErrorEnum.TEMPORARY_FAILURE]: 'EAI_AGAIN',
  [ResolverErrorEnum.INTERNAL]: 'EAI_FAIL',
};

const TLS_TO_NODE: Readonly<Partial<Record<TlsErrorEnum, string>>> = {
  [TlsErrorEnum.BAD_CERTIFICATE]: 'ERR_TLS_CERT_REJECTED',
  [TlsErrorEnum.NOT_TLS]: 'ERR_SSL_WRONG_VERSION_NUMBER',
  [TlsErrorEnum.HANDSHAKE]: 'ERR_SSL_HANDSHAKE_FAILURE',
  [TlsErrorEnum.CERTIFICATE_REQUIRED]: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  [TlsErrorEnum.EOF]: 'ECONNRESET',
};

/**
 * errno names (`ECONNRESET`), Node's own codes (`ERR_TLS_CERT_ALTNAME_INVALID`), OpenSSL's verify reasons.
 */
const NODE_CODE = /^(?:E[A-Z0-9]+|ERR_[A-Z0-9_]+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$/;

/** Codes of causes that say less than our own table (a generic socket timeout, an abort). */
const LESS_PRECISE = new Set(['ERR_SOCKET_CONNECTION_TIMEOUT', 'ABORT_ERR']);

/** The string code Node would have given for `err`; see the module comment for the rules. */
export function nodeErrorCode(err: {
  readonly domain: string;
  readonly code: number;
  readonly cause?: unknown;
  /** TlsCertificateFlags of a refused certificate (CertificateRefusedError), when known. */
  readonly certificateErrors?: number;
}): string {
  const fromCause = causeCode(err.cause);
  if (fromCause !== undefined) return fromCause;
  // A certificate refused for its name alone: OpenSSL found the chain good, Node's name check
  // would have failed with this code (TlsCertificateFlags.BAD_IDENTITY = 2).
  if (err.domain === 'g-tls-error-quark' && ((err.certificateErrors ?? 0) & 2) !== 0) {
    return 'ERR_TLS_CERT_ALTNAME_INVALID';
  }
  const table =
    err.domain === 'g-io-error-quark'
      ? IO_TO_NODE[err.code as IOErrorEnum]
      : err.domain === 'g-resolver-error-quark'
        ? RESOLVER_TO_NODE[err.code as ResolverErrorEnum]
        : TLS_TO_NODE[err.code as TlsErrorEnum];
  return table ?? 'ERR_GIO_FAILED';
}

function causeCode(cause: unknown): string | undefined {
  // Bounded walk: a cause chain is short, but nothing stops a cyclic one.
  for (let i = 0, c = cause; i < 8 && c instanceof Error; i++, c = c.cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && NODE_CODE.test(code) && !LESS_PRECISE.has(code)) return code;
  }
  return undefined;
}

import { IOErrorEnum, ResolverErrorEnum, TlsErrorEnum } from './enums.js';
import { nodeErrorCode } from './node-code.js';

/** The GQuark names of the three error domains this package raises, as GLib prints them. */
export type ErrorDomain = 'g-io-error-quark' | 'g-resolver-error-quark' | 'g-tls-error-quark';

/** Any GError subclass constructor, for `err.matches(IOError, code)`. */
export type GErrorClass = abstract new (...args: never[]) => GError;

/**
 * GLib's GError: a domain, a numeric code and a message. Node errors that caused one are kept
 * as `cause` so nothing is lost, but callers branch on domain and code only.
 */
export abstract class GError extends Error {
  /** The error domain (GError.domain): tells which enum `code` belongs to. */
  abstract readonly domain: ErrorDomain;
  /**
   * GIO's numeric code within the domain (an IOErrorEnum, ResolverErrorEnum or TlsErrorEnum
   * value), as GJS exposes it; Node's string code is {@link GError.nodeCode}.
   */
  readonly code: number;

  /**
   * Makes an error of this domain (g_error_new_literal).
   *
   * @param code - the code within the domain
   * @param message - the human-readable message, GIO's wording where GIO has one
   * @param options - `cause`: the Node error (or other value) behind this one
   */
  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The name of the code in its enum, e.g. `CONNECTION_REFUSED`. */
  abstract get codeName(): string;

  /**
   * The string code Node's `net`/`tls` would have given for this failure (`ECONNREFUSED`,
   * `ETIMEDOUT`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, …), for tools that branch on `err.code` strings.
   * `code` itself stays GIO's number. A cause's own code is used when there is one; errors that
   * Node has no name for get `ERR_PROXY_*` or `ERR_GIO_FAILED`. See docs/errors.md.
   *
   * @example
   * if (err instanceof GError && err.nodeCode === 'ECONNREFUSED') retry();
   */
  get nodeCode(): string {
    return nodeErrorCode(this);
  }

  /**
   * g_error_matches: true when this error is of that domain and has that code.
   *
   * @example
   * if (err instanceof GError && err.matches(IOError, IOErrorEnum.CANCELLED)) return;
   */
  matches(domainClass: GErrorClass, code: number): boolean {
    return this instanceof domainClass && this.code === code;
  }

  /** The same error with a new message (GIO's g_prefix_error keeps domain and code). */
  withPrefix(prefix: string): this {
    const Ctor = this.constructor as new (
      code: number,
      message: string,
      options?: { cause?: unknown },
    ) => this;
    return new Ctor(this.code, prefix + this.message, { cause: this.cause });
  }
}

/**
 * G_IO_ERROR: socket, proxy, timeout and cancellation failures; `code` is an {@link IOErrorEnum}.
 *
 * @example
 * try {
 *   await client.connectToHost('localhost:1', 0);
 * } catch (err) {
 *   if (err instanceof IOError && err.code === IOErrorEnum.CONNECTION_REFUSED) console.log('nobody listens');
 * }
 */
export class IOError extends GError {
  /** Always `g-io-error-quark`. */
  override readonly domain = 'g-io-error-quark' as const;
  /** `IOError`, shown by Node when the error is printed. */
  override readonly name: string = 'IOError';
  /** The IOErrorEnum name of `code`; BROKEN_PIPE prints as CONNECTION_CLOSED, as GIO's newer name. */
  get codeName(): string {
    if (this.code === IOErrorEnum.BROKEN_PIPE) return 'CONNECTION_CLOSED';
    return IOErrorEnum[this.code] ?? String(this.code);
  }
}

/** G_RESOLVER_ERROR: a name or SRV lookup failed; `code` is a {@link ResolverErrorEnum}. */
export class ResolverError extends GError {
  /** Always `g-resolver-error-quark`. */
  override readonly domain = 'g-resolver-error-quark' as const;
  /** `ResolverError`, shown by Node when the error is printed. */
  override readonly name: string = 'ResolverError';
  /** The ResolverErrorEnum name of `code`, e.g. `NOT_FOUND`. */
  get codeName(): string {
    return ResolverErrorEnum[this.code] ?? String(this.code);
  }
}

/** G_TLS_ERROR: the TLS handshake or the peer certificate failed; `code` is a {@link TlsErrorEnum}. */
export class TlsError extends GError {
  /** Always `g-tls-error-quark`. */
  override readonly domain = 'g-tls-error-quark' as const;
  /** `TlsError`, shown by Node when the error is printed. */
  override readonly name: string = 'TlsError';
  /** The TlsErrorEnum name of `code`, e.g. `BAD_CERTIFICATE`. */
  get codeName(): string {
    return TlsErrorEnum[this.code] ?? String(this.code);
  }
}

/** CANCELLED, with GIO's message. */
export const cancelledError = (cause?: unknown): IOError =>
  new IOError(IOErrorEnum.CANCELLED, 'Operation was cancelled', { cause });

/** TIMED_OUT, with GIO's message for a socket timeout. */
export const timedOutError = (cause?: unknown): IOError =>
  new IOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out', { cause });

/** INVALID_ARGUMENT with the given message. */
export const invalidArgument = (message: string): IOError =>
  new IOError(IOErrorEnum.INVALID_ARGUMENT, message);

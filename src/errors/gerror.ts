import { IOErrorEnum, ResolverErrorEnum, TlsErrorEnum } from './enums.js';
import { nodeErrorCode } from './node-code.js';

export type ErrorDomain = 'g-io-error-quark' | 'g-resolver-error-quark' | 'g-tls-error-quark';

/** Any GError subclass constructor, for `err.matches(IOError, code)`. */
export type GErrorClass = abstract new (...args: never[]) => GError;

/**
 * GLib's GError: a domain, a numeric code and a message. Node errors that caused one are kept
 * as `cause` so nothing is lost, but callers branch on domain and code only.
 */
export abstract class GError extends Error {
  abstract readonly domain: ErrorDomain;
  readonly code: number;

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

export class IOError extends GError {
  override readonly domain = 'g-io-error-quark' as const;
  override readonly name: string = 'IOError';
  get codeName(): string {
    if (this.code === IOErrorEnum.BROKEN_PIPE) return 'CONNECTION_CLOSED';
    return IOErrorEnum[this.code] ?? String(this.code);
  }
}

export class ResolverError extends GError {
  override readonly domain = 'g-resolver-error-quark' as const;
  override readonly name: string = 'ResolverError';
  get codeName(): string {
    return ResolverErrorEnum[this.code] ?? String(this.code);
  }
}

export class TlsError extends GError {
  override readonly domain = 'g-tls-error-quark' as const;
  override readonly name: string = 'TlsError';
  get codeName(): string {
    return TlsErrorEnum[this.code] ?? String(this.code);
  }
}

export const cancelledError = (cause?: unknown): IOError =>
  new IOError(IOErrorEnum.CANCELLED, 'Operation was cancelled', { cause });

export const timedOutError = (cause?: unknown): IOError =>
  new IOError(IOErrorEnum.TIMED_OUT, 'Socket I/O timed out', { cause });

export const invalidArgument = (message: string): IOError =>
  new IOError(IOErrorEnum.INVALID_ARGUMENT, message);

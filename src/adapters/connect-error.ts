import { GError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';

/**
 * The error the ecosystem adapters (`gsocketclient/undici`, `gsocketclient/http`) hand to their
 * host library: `code` is Node's string code (`ECONNREFUSED`, `ETIMEDOUT`, `ENOTFOUND`,
 * `CERT_HAS_EXPIRED`, …) so that undici's RetryAgent, `got` and retry helpers treat it as they treat
 * a failure of `net.connect`; the GError with GIO's domain, numeric code and message is `cause`.
 *
 * @example
 * try {
 *   await fetch('http://127.0.0.1:1/', { dispatcher: new UndiciAgent() });
 * } catch (err) {
 *   // TypeError: fetch failed → cause: ConnectError ECONNREFUSED → cause: IOError CONNECTION_REFUSED
 * }
 */
export class ConnectError extends Error {
  /** `ConnectError`, shown by Node when the error is printed. */
  override readonly name = 'ConnectError';
  /** Node's string code; see `GError.nodeCode`. */
  readonly code: string;
  /** The GError of the failed connect: GIO's domain, numeric code and message. */
  override readonly cause: GError;

  /** Wraps `cause`, taking its message and its Node string code. */
  constructor(cause: GError) {
    super(cause.message, { cause });
    this.cause = cause;
    this.code = cause.nodeCode;
  }

  /** Wraps whatever a connect rejected with (always a GError from this library). */
  static from(err: unknown): ConnectError {
    return err instanceof ConnectError ? err : new ConnectError(err instanceof GError ? err : toGError(err));
  }
}

import { GError, timedOutError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import type { SocketConnectable } from '../address/connectable.js';
import { InetSocketAddress, ProxyAddress, type SocketAddress } from '../address/socket-address.js';
import { NetworkAddress } from '../address/network-address.js';
import { noteProxyFailure } from '../proxy/proxy-address-enumerator.js';

/** How a failure is worded when it is reported (see ReportedError). */
export type Wording =
  /** As it is: socket creation and bind errors, TLS failures, timeouts, cancellation. */
  | 'plain'
  /** A TCP connect() failure: clarify_connect_error's prefix, and the proxy named on the error. */
  | 'connect'
  /** A proxy negotiation failure: the proxy named on the error (`err.proxy`). */
  | 'proxy';

/**
 * An error as the operation reports it, worded on first use. A failed attempt keeps the raw
 * error it got (whose `cause` is Node's own error), or for a refused connect() only Node's error
 * until the GError is first needed; the decorated GError — a new Error object,
 * with its stack capture — is made only when someone reads it: at completion for the reported
 * error, or when `err.attempts`, `conn.timings` or an `onAttemptEnd` listener shows the attempt.
 * It is made once, so the reported error is the same object as its attempt's `error`.
 */
export class ReportedError {
  /**
   * The raw error: a GError, or Node's own error (any other Error), converted when first shown,
   * as most failed attempts of an operation never are and a GError is an Error with its stack
   * capture.
   */
  #raw: Error;
  readonly #wording: Wording;
  readonly #connectable: SocketConnectable | null;
  readonly #target: SocketAddress | null;
  #reported: GError | null = null;

  constructor(
    raw: Error,
    wording: Wording = 'plain',
    connectable: SocketConnectable | null = null,
    target: SocketAddress | null = null,
  ) {
    this.#raw = raw;
    this.#wording = wording;
    this.#connectable = connectable;
    this.#target = target;
  }

  /** The error as the attempt got it, as a GError (made on first read from Node's error). */
  get raw(): GError {
    if (!(this.#raw instanceof GError)) this.#raw = toGError(this.#raw);
    return this.#raw as GError;
  }

  /** The error as reported: decorated the first time, the same object afterwards. */
  get error(): GError {
    if (this.#reported === null) {
      // A connect() failure still held as Node's error is made once, with its prefix.
      const error =
        this.#wording === 'connect'
          ? toGError(this.#raw, connectErrorPrefix(this.#connectable!, this.#target!))
          : this.raw;
      if (this.#wording !== 'plain') noteProxyFailure(error, this.#target!);
      this.#reported = error;
    }
    return this.#reported;
  }
}

/**
 * clarify_connect_error: only TCP connect() failures get a "Could not connect to …" prefix,
 * naming the proxy server when one was the target, else the connectable as the user gave it.
 */
export function clarifyConnectError(
  error: GError,
  connectable: SocketConnectable,
  target: SocketAddress,
): GError {
  return error.withPrefix(connectErrorPrefix(connectable, target));
}

/** clarify_connect_error's prefix for a connect() to `target` while connecting to `connectable`. */
function connectErrorPrefix(connectable: SocketConnectable, target: SocketAddress): string {
  if (target instanceof ProxyAddress)
    return `Could not connect to proxy server ${target.address.toString()}: `;
  const name = connectableName(connectable);
  return name === null ? 'Could not connect: ' : `Could not connect to ${name}: `;
}

/**
 * The `connectTimeout` extension's error: TIMED_OUT, worded like a connect that timed out, naming
 * the connectable as the user gave it (never a proxy: the deadline covers the whole operation).
 */
export function connectTimeoutError(connectable: SocketConnectable): GError {
  const name = connectableName(connectable);
  return timedOutError().withPrefix(name === null ? 'Could not connect: ' : `Could not connect to ${name}: `);
}

function connectableName(connectable: SocketConnectable): string | null {
  if (connectable instanceof NetworkAddress) return connectable.hostname;
  if (connectable instanceof InetSocketAddress) return connectable.address.toString();
  // NetworkService (duck-typed to avoid a dependency on the SRV module): its domain.
  const domain = (connectable as { domain?: unknown; service?: unknown }).domain;
  if (typeof domain === 'string' && typeof (connectable as { service?: unknown }).service === 'string')
    return domain;
  return null;
}

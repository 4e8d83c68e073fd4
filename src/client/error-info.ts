import { timedOutError, type GError } from '../errors/gerror.js';
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
  /** The raw error, or how to make it: a refused connect() keeps Node's error until shown. */
  #raw: GError | (() => GError);
  readonly #wording: Wording;
  readonly #connectable: SocketConnectable | null;
  readonly #target: SocketAddress | null;
  #reported: GError | null = null;

  constructor(
    raw: GError | (() => GError),
    wording: Wording = 'plain',
    connectable: SocketConnectable | null = null,
    target: SocketAddress | null = null,
  ) {
    this.#raw = raw;
    this.#wording = wording;
    this.#connectable = connectable;
    this.#target = target;
  }

  /**
   * The error as the attempt got it, made on first read: most failed attempts of an operation
   * are never shown, and a GError is an Error with its stack capture.
   */
  get raw(): GError {
    if (typeof this.#raw === 'function') this.#raw = this.#raw();
    return this.#raw;
  }

  /** The error as reported: decorated the first time, the same object afterwards. */
  get error(): GError {
    if (this.#reported === null) {
      let error = this.raw;
      if (this.#wording === 'connect') error = clarifyConnectError(error, this.#connectable!, this.#target!);
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
  if (target instanceof ProxyAddress) {
    return error.withPrefix(`Could not connect to proxy server ${target.address.toString()}: `);
  }
  const name = connectableName(connectable);
  return error.withPrefix(name === null ? 'Could not connect: ' : `Could not connect to ${name}: `);
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

import { SocketClientEvent } from '../errors/enums.js';
import { timedOutError, type GError } from '../errors/gerror.js';
import type { SocketConnectable } from '../address/connectable.js';
import { InetSocketAddress, ProxyAddress, type SocketAddress } from '../address/socket-address.js';
import { NetworkAddress } from '../address/network-address.js';

/**
 * GIO's "best error" rule (gsocketclient.c's consider_tmp_error): every failure is scored by the
 * stage it happened at; a new error replaces the kept one when its stage is at least as deep. So
 * a TLS failure on one address is not hidden by a later "network unreachable" on another.
 */
export class ErrorInfo {
  #error: GError | null = null;
  #stage: SocketClientEvent = SocketClientEvent.RESOLVING;

  consider(error: GError, stage: SocketClientEvent): void {
    if (this.#error === null || stage >= this.#stage) {
      this.#error = error;
      this.#stage = stage;
    }
  }

  get error(): GError | null {
    return this.#error;
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

import type { ConnectAttempt, ConnectionTimings } from '../index.js';
import { viewAddress } from './describe.js';

/**
 * `--json` fields for timings and attempts: milliseconds since the connect call, rounded to µs,
 * null for a phase that did not happen. Addresses as in the event records (a proxy attempt shows
 * the proxy server and the destination, never credentials).
 */
export function timingsJson(timings: ConnectionTimings): Record<string, unknown> {
  return {
    resolve_ms: round3(timings.resolve),
    connect_ms: round3(timings.connect),
    proxy_ms: round3(timings.proxy),
    tls_ms: round3(timings.tls),
    total_ms: round3(timings.total),
    attempts: timings.attempts.map(attemptJson),
  };
}

export function attemptJson(attempt: ConnectAttempt): Record<string, unknown> {
  const view = viewAddress(attempt.address);
  const error = attempt.error;
  return {
    remote: view.address,
    ...(view.proxy ? { proxy: view.proxy } : {}),
    stage: attempt.stage,
    outcome: attempt.outcome,
    start_ms: round3(attempt.start),
    connected_ms: round3(attempt.connected),
    proxy_ms: round3(attempt.proxy),
    tls_ms: round3(attempt.tls),
    end_ms: round3(attempt.end),
    error: error
      ? { domain: error.domain, code: error.code, code_name: error.codeName, message: error.message }
      : null,
  };
}

function round3(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 1000) / 1000;
}

/**
 * Connection timings and attempts to and from plain data, so a blocking connect's result and
 * error carry them as the async API's do. Times are relative to the operation's start, which is
 * the same on both threads; only `startTime` is moved to the caller's clock.
 */
import { performance } from 'node:perf_hooks';
import type { ConnectAttempt, ConnectionTimings } from '../connection/timings.js';
import type { GError } from '../errors/gerror.js';
import { describeAddress, describeError, rebuildAddress, rebuildError } from './codec.js';
import type { AttemptDesc, TimingsDesc } from './protocol.js';

export function describeAttempts(attempts: readonly ConnectAttempt[]): AttemptDesc[] {
  const out: AttemptDesc[] = [];
  for (const a of attempts) {
    const address = describeAddress(a.address);
    if (!address) continue;
    out.push({
      address,
      stage: a.stage,
      outcome: a.outcome,
      error: a.error ? describeError(a.error) : null,
      start: a.start,
      connected: a.connected,
      proxy: a.proxy,
      tls: a.tls,
      end: a.end,
    });
  }
  return out;
}

export function rebuildAttempts(descs: readonly AttemptDesc[]): readonly ConnectAttempt[] {
  return Object.freeze(
    descs.map((d) =>
      Object.freeze({
        ...d,
        address: rebuildAddress(d.address),
        error: d.error ? rebuildError(d.error) : null,
      }),
    ),
  );
}

export function describeTimings(timings: ConnectionTimings): TimingsDesc {
  return {
    startEpoch: performance.timeOrigin + timings.startTime,
    resolve: timings.resolve,
    connect: timings.connect,
    proxy: timings.proxy,
    tls: timings.tls,
    total: timings.total,
    attempts: describeAttempts(timings.attempts),
  };
}

export function rebuildTimings(desc: TimingsDesc): ConnectionTimings {
  return Object.freeze({
    startTime: desc.startEpoch - performance.timeOrigin,
    resolve: desc.resolve,
    connect: desc.connect,
    proxy: desc.proxy,
    tls: desc.tls,
    total: desc.total,
    attempts: rebuildAttempts(desc.attempts),
  });
}

/** The same non-enumerable `attempts` the async engine puts on its error (attempt-log.ts). */
export function attachAttempts(error: GError, descs: readonly AttemptDesc[] | undefined): GError {
  if (descs === undefined) return error;
  Object.defineProperty(error, 'attempts', {
    value: rebuildAttempts(descs),
    enumerable: false,
    writable: true,
    configurable: true,
  });
  return error;
}

import type { Writable } from 'node:stream';
import { GError, type ConnectionTimings } from '../index.js';
import type { ConnectCommand } from './args.js';
import { formatTimings, formatWaterfall } from './timings-report.js';

/**
 * After a connect: --timings and --waterfall on stderr (with --json the records carry the same
 * data, so nothing is printed here). `outcome` is the connection's timings, or the error.
 */
export function printTimings(
  cmd: ConnectCommand,
  out: Writable,
  outcome: { readonly timings: ConnectionTimings | null } | { readonly error: unknown },
): void {
  if (cmd.json || (!cmd.timings && !cmd.waterfall)) return;
  if ('timings' in outcome) {
    const timings = outcome.timings;
    if (!timings) return;
    if (cmd.timings) out.write(formatTimings(timings));
    if (cmd.waterfall) out.write(formatWaterfall(timings.attempts, timings.total));
    return;
  }
  // A failed connect has no phase timings, only its attempts.
  const attempts = outcome.error instanceof GError ? outcome.error.attempts : undefined;
  if (cmd.waterfall && attempts) {
    const total = Math.max(0, ...attempts.map((a) => a.end ?? a.start));
    out.write(formatWaterfall(attempts, total));
  }
}

import type { ConnectAttempt, ConnectionTimings } from '../index.js';
import { viewAddress } from './describe.js';

/**
 * `--timings`: curl's `-w` timing variables as a block, each cumulative from the connect call
 * (time_namelookup, time_connect, the proxy, time_appconnect, time_total); `-` for a phase that
 * did not happen.
 */
export function formatTimings(timings: ConnectionTimings): string {
  const failed = timings.attempts.filter((a) => a.outcome === 'failed').length;
  const rows: [string, number | null][] = [
    ['resolve', timings.resolve],
    ['connect', timings.connect],
    ['proxy', timings.proxy],
    ['tls', timings.tls],
    ['total', timings.total],
  ];
  const lines = rows.map(
    ([name, ms]) =>
      `${name.padStart(9)}: ${ms === null ? '-'.padStart(9) : `${ms.toFixed(3).padStart(9)} ms`}`,
  );
  lines.push(
    `${'attempts'.padStart(9)}: ${timings.attempts.length}${failed > 0 ? ` (${failed} failed)` : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Columns of the time axis. */
const AXIS = 48;
/** Widest address label before it is cut. */
const LABEL = 40;

/**
 * `--waterfall`: one bar per attempt on a shared time axis, so Happy Eyeballs' staggered starts,
 * the refused and the abandoned attempts and the winner's phases can be seen at a glance:
 *
 * ```
 * [::1]:8080       |=x                                              | failed: Connection refused
 * 127.0.0.1:8080   |  ======TTTTTTTTTT                              | succeeded
 *                  0                                          12.3 ms
 * ```
 * `=` TCP connect, `P` proxy negotiation, `T` TLS handshake, `x` where a failed attempt ended.
 * `total` is the axis' length (the operation's total, or the last attempt's end on failure).
 */
export function formatWaterfall(attempts: readonly ConnectAttempt[], total: number): string {
  if (attempts.length === 0) return 'no attempts (no address was found)\n';
  const span = Math.max(total, ...attempts.map((a) => a.end ?? 0), 0.001);
  const col = (ms: number): number => Math.min(AXIS - 1, Math.max(0, Math.floor((ms / span) * AXIS)));
  // A proxy attempt is named by its proxy (the destination is the same for every attempt).
  const labels = attempts.map((a) => {
    const view = viewAddress(a.address);
    return cut(view.proxy ? `${view.proxy.protocol} proxy ${view.address}` : view.address);
  });
  const width = Math.max(...labels.map((l) => l.length));
  const lines = attempts.map((a, i) => `${labels[i].padEnd(width)} |${bar(a, col, total)}| ${outcome(a)}`);
  const end = `${span.toFixed(1)} ms`;
  lines.push(`${' '.repeat(width)}  0${end.padStart(AXIS - 1)}`);
  lines.push(`${' '.repeat(width)}  = TCP connect  P proxy  T TLS  x failed`);
  return `${lines.join('\n')}\n`;
}

function bar(a: ConnectAttempt, col: (ms: number) => number, total: number): string {
  const cells = Array<string>(AXIS).fill(' ');
  const end = a.end ?? total;
  // Every phase keeps at least one cell: a phase shorter than a cell that starts in the cell where
  // the previous one ended moves one cell right instead of overwriting it.
  let next = 0;
  const fill = (from: number, to: number, ch: string): void => {
    const first = Math.min(AXIS - 1, Math.max(col(from), next));
    const last = Math.max(col(to), first);
    for (let c = first; c <= last; c++) cells[c] = ch;
    next = last + 1;
  };
  const connected = a.connected ?? end;
  fill(a.start, connected, '=');
  let mark = connected;
  if (a.proxy !== null || (a.stage === 'proxy' && a.connected !== null)) {
    const done = a.proxy ?? end;
    fill(mark, done, 'P');
    mark = done;
  }
  if (a.tls !== null || (a.stage === 'tls' && a.connected !== null)) fill(mark, a.tls ?? end, 'T');
  if (a.outcome === 'failed') cells[col(end)] = 'x';
  return cells.join('');
}

function outcome(a: ConnectAttempt): string {
  if (a.outcome !== 'failed' || a.error === null) return a.outcome;
  return `failed at ${a.stage}: ${attemptReason(a)}`;
}

/**
 * What went wrong in this attempt, without the "Could not connect to HOST: " GIO prefixes to a
 * TCP connect failure (the line already names the address), as curl -v prints it.
 */
export function attemptReason(a: ConnectAttempt): string {
  const message = a.error?.message ?? a.outcome;
  if ((a.stage === 'connect' || a.stage === 'socket') && message.startsWith('Could not connect')) {
    return message.slice(message.lastIndexOf(': ') + 2);
  }
  return message;
}

function cut(label: string): string {
  return label.length <= LABEL ? label : `${label.slice(0, LABEL - 1)}…`;
}

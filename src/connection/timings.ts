import type { SocketAddress } from '../address/socket-address.js';
import type { GError } from '../errors/gerror.js';

/**
 * How far one attempt got: `socket` (creating or binding the socket failed, before any
 * CONNECTING event), `connect` (TCP connect), `proxy` (proxy negotiation), `tls` (the TLS
 * handshake), `complete` (it is the connection the operation returned).
 */
export type AttemptStage = 'socket' | 'connect' | 'proxy' | 'tls' | 'complete';

/**
 * How an attempt ended: `succeeded` (the winner), `failed` (its own error), `abandoned` (stopped
 * because another attempt won, the operation was cancelled or timed out), or `pending` only while
 * the operation still runs.
 */
export type AttemptOutcome = 'succeeded' | 'failed' | 'abandoned' | 'pending';

/**
 * One address the operation tried. Times are milliseconds since the operation started
 * (fractional, from `performance.now()`), cumulative like curl's `time_connect`; a phase the
 * attempt never finished is null.
 */
export interface ConnectAttempt {
  /** The address connected to: the proxy server's `ProxyAddress` when going through a proxy. */
  readonly address: SocketAddress;
  /** The stage the attempt was in when it ended (or is in, while pending). */
  readonly stage: AttemptStage;
  /** How the attempt ended (or `pending` while it runs). */
  readonly outcome: AttemptOutcome;
  /** The attempt's own error, worded as the operation would report it; null unless `failed`. */
  readonly error: GError | null;
  /** When the attempt started (its socket was created). */
  readonly start: number;
  /** When TCP connect() succeeded. */
  readonly connected: number | null;
  /** When proxy negotiation finished. */
  readonly proxy: number | null;
  /** When the TLS handshake finished. */
  readonly tls: number | null;
  /** When the attempt ended: failed, abandoned, or returned. */
  readonly end: number | null;
}

/**
 * The phase timings of one connect operation, as `conn.timings` (and, for the attempts, the
 * `attempts` of a failed operation's error). Each phase is milliseconds from the start of the
 * operation to the end of that phase — curl's `time_namelookup`, `time_connect`,
 * `time_appconnect`, `time_total` — so `resolve <= connect <= proxy <= tls <= total` for the
 * phases that happened. See docs/timings.md.
 *
 * @example
 * const conn = await client.connectToHost('example.org:443', 443);
 * console.log(conn.timings?.connect, conn.timings?.attempts.length);
 */
export interface ConnectionTimings {
  /**
   * `performance.now()` when the operation started (same clock as `performance.timeOrigin`); on a
   * virtual network (`gsocketclient/testing`), the virtual clock's time instead.
   */
  readonly startTime: number;
  /** The first address was ready (name resolution, or a proxy lookup, done). */
  readonly resolve: number;
  /** The winning attempt's TCP connect succeeded. */
  readonly connect: number;
  /** The winning attempt's proxy negotiation finished; null without a proxy. */
  readonly proxy: number | null;
  /** The winning attempt's TLS handshake finished; null without TLS. */
  readonly tls: number | null;
  /** The operation completed (COMPLETE). */
  readonly total: number;
  /** Every attempt made, in the order they started, the winner included. */
  readonly attempts: readonly ConnectAttempt[];
}

/**
 * Timings not built yet: what a connection keeps instead of {@link ConnectionTimings} until they
 * are first read (most connections never read them; an idle one stays smaller). Not exported
 * from the package; the client's attempt log makes them.
 */
export abstract class PendingTimings {
  /** Builds the timings; called once, on first read. */
  abstract build(): ConnectionTimings;
}

declare module '../errors/gerror.js' {
  interface GError {
    /**
     * Set on the error a connect operation fails with: every attempt it made, in the order they
     * started, each with the address, the stage it reached and its own error (the error itself
     * is the best of them, GIO's choice, message and code unchanged). Empty when no address was
     * found. Absent on other errors.
     *
     * @example
     * catch (err) {
     *   for (const a of (err as GError).attempts ?? []) console.log(`${a.address}: ${a.error?.message}`);
     * }
     */
    attempts?: readonly ConnectAttempt[];
  }
}

import type { SocketAddress } from '../address/socket-address.js';
import {
  PendingTimings,
  type AttemptOutcome,
  type AttemptStage,
  type ConnectAttempt,
  type ConnectionTimings,
} from '../connection/timings.js';
import type { Clock } from '../clock.js';
import type { GError } from '../errors/gerror.js';
import type { ReportedError } from './error-info.js';

/** One attempt while it runs; frozen into a ConnectAttempt when read. */
export class AttemptRecord {
  readonly address: SocketAddress;
  readonly start: number;
  stage: AttemptStage = 'connect';
  outcome: AttemptOutcome = 'pending';
  /** Worded only when shown (ReportedError). */
  error: ReportedError | null = null;
  connected: number | null = null;
  proxy: number | null = null;
  tls: number | null = null;
  end: number | null = null;

  constructor(address: SocketAddress, start: number) {
    this.address = address;
    this.start = start;
  }

  /** This record as it is now (a later change to this one does not show in the copy). */
  copy(): AttemptRecord {
    const copy = new AttemptRecord(this.address, this.start);
    copy.stage = this.stage;
    copy.outcome = this.outcome;
    copy.error = this.error;
    copy.connected = this.connected;
    copy.proxy = this.proxy;
    copy.tls = this.tls;
    copy.end = this.end;
    return copy;
  }

  snapshot(): ConnectAttempt {
    return Object.freeze({
      address: this.address,
      stage: this.stage,
      outcome: this.outcome,
      error: this.error?.error ?? null,
      start: this.start,
      connected: this.connected,
      proxy: this.proxy,
      tls: this.tls,
      end: this.end,
    });
  }
}

/**
 * The clock and the attempts of one connect operation (undici's and curl's connection timings):
 * a few clock readings per attempt, no promises, nothing else on the hot path. The clock is the
 * operation's (`SocketSettings.clock`), so a virtual clock gives virtual timings.
 */
export class AttemptLog {
  readonly #clock: Clock;
  readonly #origin: number;
  /** The attempts in start order: the first in a field (one is the rule), later ones in an array. */
  #first: AttemptRecord | null = null;
  #later: AttemptRecord[] | null = null;
  readonly #listener: ((attempt: ConnectAttempt) => void) | null;
  #resolve: number | null = null;

  constructor(listener: ((attempt: ConnectAttempt) => void) | null, clock: Clock) {
    this.#listener = listener;
    this.#clock = clock;
    this.#origin = clock.now();
  }

  /** Milliseconds since the operation started. */
  now(): number {
    return this.#clock.now() - this.#origin;
  }

  /** The first address is ready. */
  resolved(): void {
    this.#resolve ??= this.now();
  }

  begin(address: SocketAddress): AttemptRecord {
    const record = new AttemptRecord(address, this.now());
    if (this.#first === null) this.#first = record;
    else (this.#later ??= []).push(record);
    return record;
  }

  /** Ends an attempt (once; later calls keep the first outcome). */
  end(
    record: AttemptRecord,
    outcome: 'succeeded' | 'failed' | 'abandoned',
    error: ReportedError | null = null,
  ): void {
    if (record.outcome !== 'pending') return;
    record.outcome = outcome;
    record.error = error;
    record.end = this.now();
    if (outcome === 'succeeded') record.stage = 'complete';
    if (this.#listener) {
      // As with 'event' listeners, an exception must not break the operation half-way.
      try {
        this.#listener(record.snapshot());
      } catch (err) {
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }

  attempts(): readonly ConnectAttempt[] {
    return Object.freeze(this.#records().map((r) => r.snapshot()));
  }

  /**
   * The timings of a successful operation, or what builds the same object on first read: when
   * the winner was the only attempt, its record no longer changes, so the connection keeps the
   * record instead of the frozen timings, attempts list and snapshot (an idle connection whose
   * timings nobody reads stays smaller, and the success path does less work).
   */
  timingsOf(winner: AttemptRecord): ConnectionTimings | PendingTimings {
    if (winner.end === null) return this.timings(winner);
    const resolve = this.#resolve ?? winner.start;
    if (this.#first === winner && this.#later === null && winner.outcome === 'succeeded') {
      return new SingleAttemptTimings(this.#origin, resolve, winner);
    }
    // Several attempts: a loser's record can still change after the operation (a late connect),
    // so their state is copied now; their errors (ReportedError) are worded only when read, as
    // each is made once, the result is the same as wording them now.
    const copies = this.#records().map((r) => (r === winner ? r : r.copy()));
    return new RecordedTimings(this.#origin, resolve, winner, copies);
  }

  #records(): AttemptRecord[] {
    if (this.#first === null) return [];
    return this.#later === null ? [this.#first] : [this.#first, ...this.#later];
  }

  timings(winner: AttemptRecord): ConnectionTimings {
    const total = winner.end ?? this.now();
    return buildTimings(this.#origin, this.#resolve ?? winner.start, winner, total, this.attempts());
  }

  /**
   * Puts the attempts on the error the operation fails with (non-enumerable: logs stay as
   * GIO's). The list is made on first read, so the attempts' own errors are worded only if
   * someone looks (ReportedError).
   */
  annotate(error: GError): void {
    let attempts: readonly ConnectAttempt[] | null = null;
    Object.defineProperty(error, 'attempts', {
      get: () => (attempts ??= this.attempts()),
      set: (value: readonly ConnectAttempt[]) => {
        attempts = value;
      },
      enumerable: false,
      configurable: true,
    });
  }
}

/** The timings of a finished operation, from its records, built on first read. */
class RecordedTimings extends PendingTimings {
  readonly #origin: number;
  readonly #resolve: number;
  /** Ended: its `end` is the operation's total. */
  readonly #winner: AttemptRecord;
  /** Every attempt as it was when the operation completed. */
  readonly #attempts: readonly AttemptRecord[];

  constructor(origin: number, resolve: number, winner: AttemptRecord, attempts: readonly AttemptRecord[]) {
    super();
    this.#origin = origin;
    this.#resolve = resolve;
    this.#winner = winner;
    this.#attempts = attempts;
  }

  build(): ConnectionTimings {
    const winner = this.#winner;
    const attempts = Object.freeze(this.#attempts.map((r) => r.snapshot()));
    return buildTimings(this.#origin, this.#resolve, winner, winner.end!, attempts);
  }
}

/**
 * The timings of an operation whose only attempt succeeded: that attempt's numbers kept flat,
 * without its record (what an idle connection keeps; the ConnectAttempt is made on first read).
 */
class SingleAttemptTimings extends PendingTimings {
  readonly #origin: number;
  readonly #resolve: number;
  readonly #address: SocketAddress;
  readonly #start: number;
  readonly #connected: number | null;
  readonly #proxy: number | null;
  readonly #tls: number | null;
  readonly #end: number;

  /** `winner` has succeeded, so its record changes no more. */
  constructor(origin: number, resolve: number, winner: AttemptRecord) {
    super();
    this.#origin = origin;
    this.#resolve = resolve;
    this.#address = winner.address;
    this.#start = winner.start;
    this.#connected = winner.connected;
    this.#proxy = winner.proxy;
    this.#tls = winner.tls;
    this.#end = winner.end!;
  }

  build(): ConnectionTimings {
    const end = this.#end;
    // What AttemptRecord.snapshot() gives for a winner: stage `complete`, outcome `succeeded`, no error.
    const attempt: ConnectAttempt = Object.freeze({
      address: this.#address,
      stage: 'complete',
      outcome: 'succeeded',
      error: null,
      start: this.#start,
      connected: this.#connected,
      proxy: this.#proxy,
      tls: this.#tls,
      end,
    });
    return Object.freeze({
      startTime: this.#origin,
      resolve: this.#resolve,
      connect: this.#connected ?? end,
      proxy: this.#proxy,
      tls: this.#tls,
      total: end,
      attempts: Object.freeze([attempt]),
    });
  }
}

function buildTimings(
  origin: number,
  resolve: number,
  winner: AttemptRecord,
  total: number,
  attempts: readonly ConnectAttempt[],
): ConnectionTimings {
  return Object.freeze({
    startTime: origin,
    resolve,
    connect: winner.connected ?? total,
    proxy: winner.proxy,
    tls: winner.tls,
    total,
    attempts,
  });
}

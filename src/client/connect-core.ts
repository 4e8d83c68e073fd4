/**
 * The policy of one connect operation, without I/O: GIO's g_socket_client_connect_async
 * (gio/gsocketclient.c) as a state machine, in the manner of h11 and of Go's
 * dialParallel/dialSerial split (policy apart from mechanism).
 *
 * Everything that decides *when* lives here: when to ask for the next address, when to start an
 * attempt, which error is reported, when the operation is over. Nothing here touches a socket,
 * arms a timer, awaits a promise or reads a clock: each input method returns the actions the
 * driver (connect-operation.ts) must carry out, in order. Addresses (`A`) and errors (`E`) are
 * opaque values the driver hands in and gets back, so the machine can be run on plain strings
 * and a hand-moved clock, with no network.
 *
 * The algorithm, layer by layer:
 *  1. Addresses are asked for one at a time, lazily (never two requests at once). RESOLVING is
 *     emitted before the first request, RESOLVED with the first address (as GIO does since 2.67).
 *     With a stage timeout, an address must come within `timeoutMs` of asking; on expiry the
 *     enumeration ends with TIMED_OUT and attempts already in flight go on (docs/timeouts.md).
 *  2. Attempts run in parallel: each attempt still connecting `attemptDelayMs` after it started
 *     asks for one more address (RFC 8305 section 5, "Connection Attempt Delay"), so attempts
 *     start at 0, 250, 500 ms…; a failed attempt asks for the next address at once. No delay
 *     timer is armed once the enumeration is known to be over: it could only ask for nothing.
 *     Proxy URIs to one server (socks5, socks4a, socks4 of one host) are one server: while one
 *     is being tried, no further address is asked for.
 *  3. Connected attempts go through the application layer (proxy negotiation, TLS) strictly one
 *     at a time, in the order they connected; the others wait in a FIFO. A failure there moves on
 *     to the next one.
 * The first connection through all layers wins, and every other attempt is abandoned at once.
 * Unlike GIO 2.74 (docs/differences.md), a failure does not end the operation while attempts
 * are still in flight: the operation fails only when the enumeration is over and nothing is
 * pending (RFC 8305), with the best error (see ConnectCore#consider).
 */
import { SocketClientEvent } from '../errors/enums.js';

/** The frozen numbers the policy needs; the driver builds it once per operation. */
export interface CoreSettings {
  /** RFC 8305's Connection Attempt Delay, in ms. */
  readonly attemptDelayMs: number;
  /** The stage timeout in ms (here: for each address request); 0 = none. */
  readonly timeoutMs: number;
  /** The deadline of the whole operation in ms; 0 = none (the `connectTimeout` extension). */
  readonly connectTimeoutMs: number;
}

/** The errors the policy itself reports; the driver decides how they are worded. */
export interface CoreErrors<E> {
  /** An address did not come within the stage timeout. */
  resolveTimedOut(): E;
  /** The `connectTimeout` deadline passed. */
  connectTimedOut(): E;
  /** The enumeration ended with neither an address nor an error. */
  noAddresses(): E;
}

/**
 * The timers the policy arms: the whole-operation deadline, the address request's stage
 * deadline, and one attempt delay per attempt (named by the attempt's number).
 */
export type TimerId = 'connect' | 'resolve' | number;

/** The stages whose failures count for the best error, in GIO's order of depth. */
export type FailureStage =
  | SocketClientEvent.RESOLVING
  | SocketClientEvent.CONNECTING
  | SocketClientEvent.PROXY_NEGOTIATING
  | SocketClientEvent.TLS_HANDSHAKING;

export type CoreAction<A, E> =
  /** Emit a client event; `attempt` names the attempt whose connection goes with it (or none). */
  | { readonly kind: 'emit'; readonly event: SocketClientEvent; readonly attempt: number | null }
  /** Ask the enumerator for one address; answer with addressArrived/enumerationEnded(request). */
  | { readonly kind: 'request'; readonly request: number }
  /** Cancel the enumeration's lookups with this error; the operation goes on. */
  | { readonly kind: 'cancelEnumeration'; readonly error: E }
  /** The operation is over: cancel the enumeration's lookups and close it. */
  | { readonly kind: 'stopEnumeration' }
  /** Start attempt number `attempt` to `address`. */
  | { readonly kind: 'start'; readonly attempt: number; readonly address: A }
  /** Abandon an attempt: stop its connect, or destroy its connection if it has one. */
  | { readonly kind: 'abandon'; readonly attempt: number }
  /** Run the application layer (proxy, TLS) on the connection of this attempt. */
  | { readonly kind: 'application'; readonly attempt: number }
  | { readonly kind: 'arm'; readonly timer: TimerId; readonly ms: number }
  | { readonly kind: 'disarm'; readonly timer: TimerId }
  /** The operation is over: this attempt's connection is the result. */
  | { readonly kind: 'succeed'; readonly attempt: number }
  /** The operation is over: it fails with this error. */
  | { readonly kind: 'fail'; readonly error: E };

type Phase = 'connecting' | 'queued' | 'application';

interface CoreAttempt {
  readonly id: number;
  phase: Phase;
  delayArmed: boolean;
  readonly sameServer: boolean;
}

// Actions without a varying part are shared: an operation allocates only the others.
const STOP_ENUMERATION = Object.freeze({ kind: 'stopEnumeration' } as const);
const DISARM_RESOLVE = Object.freeze({ kind: 'disarm', timer: 'resolve' } as const);
const DISARM_CONNECT = Object.freeze({ kind: 'disarm', timer: 'connect' } as const);
const EMIT_RESOLVING = Object.freeze({
  kind: 'emit',
  event: SocketClientEvent.RESOLVING,
  attempt: null,
} as const);
const EMIT_RESOLVED = Object.freeze({
  kind: 'emit',
  event: SocketClientEvent.RESOLVED,
  attempt: null,
} as const);
const NO_ACTIONS: readonly never[] = Object.freeze([]);

/**
 * One operation's state. Inputs are methods; each returns the actions to carry out now, in
 * order. An input that comes after completion, or that answers a request no longer awaited,
 * returns no action.
 */
export class ConnectCore<A, E> {
  readonly #settings: CoreSettings;
  readonly #errors: CoreErrors<E>;
  /**
   * Every attempt not yet over, in start order: the first one started (usually the only one) in
   * a field, later ones in a Map made when a second attempt starts.
   */
  #firstAttempt: CoreAttempt | null = null;
  #laterAttempts: Map<number, CoreAttempt> | null = null;
  /** Connected attempts waiting for the application layer, oldest first. */
  #queue: number[] | null = null;
  #queueHead = 0;
  #inApplication: number | null = null;
  /** Attempts to a same-server proxy alternative not yet over (see layer 2 above). */
  #sameServerPending = 0;
  #nextAttempt = 0;
  #request = 0;
  #pulling = false;
  #resolvingEmitted = false;
  #enumerationOver = false;
  #enumerated = 0;
  #connectArmed = false;
  #resolveArmed = false;
  #completed = false;
  #bestError: E | null = null;
  #bestStage: FailureStage = SocketClientEvent.RESOLVING;
  /**
   * The actions of the input being handled: the first three in fields, any more in an array.
   * An input has one to three actions as a rule, and the list it returns is then made at its
   * exact size (a list grown by push() reserves room for 16).
   */
  #count = 0;
  #out0: CoreAction<A, E> | null = null;
  #out1: CoreAction<A, E> | null = null;
  #out2: CoreAction<A, E> | null = null;
  #outMore: CoreAction<A, E>[] | null = null;

  constructor(settings: CoreSettings, errors: CoreErrors<E>) {
    this.#settings = settings;
    this.#errors = errors;
  }

  /** Whether the operation is over (succeeded or failed). */
  get completed(): boolean {
    return this.#completed;
  }

  /** Whether `request` is the address request being awaited. */
  awaits(request: number): boolean {
    return this.#pulling && request === this.#request && !this.#completed;
  }

  /** The operation starts: the overall deadline, then the first address request. */
  start(): readonly CoreAction<A, E>[] {
    const { connectTimeoutMs } = this.#settings;
    if (connectTimeoutMs > 0) {
      this.#connectArmed = true;
      this.#push({ kind: 'arm', timer: 'connect', ms: connectTimeoutMs });
    }
    this.#pull();
    return this.#flush();
  }

  /**
   * The enumerator answered `request` with an address. `sameServer`: it is one of several proxy
   * URIs to one server. `last`: the enumerator knows no address follows (a hint; without it the
   * end is learnt from the next request).
   */
  addressArrived(request: number, address: A, sameServer = false, last = false): readonly CoreAction<A, E>[] {
    if (!this.#answered(request)) return this.#flush();
    if (last) this.#enumerationOver = true;
    if (this.#enumerated === 0) this.#push(EMIT_RESOLVED);
    this.#enumerated++;
    this.#startAttempt(address, sameServer);
    return this.#flush();
  }

  /** The enumerator answered `request` with its end: no more addresses, or this error. */
  enumerationEnded(request: number, error: E | null = null): readonly CoreAction<A, E>[] {
    if (this.#answered(request)) this.#enumerationEnd(error);
    return this.#flush();
  }

  /** The attempt's socket exists; its connect() starts now (GIO's CONNECTING moment). */
  attemptConnecting(attempt: number): readonly CoreAction<A, E>[] {
    if (!this.#completed && this.#attempt(attempt)?.phase === 'connecting') {
      this.#emit(SocketClientEvent.CONNECTING, attempt);
    }
    return this.#flush();
  }

  /** The attempt connected: CONNECTED, then the application layer in its turn. */
  attemptConnected(attempt: number): readonly CoreAction<A, E>[] {
    const state = this.#attempt(attempt);
    if (this.#completed || state?.phase !== 'connecting') return this.#flush();
    this.#disarmDelay(attempt, state);
    state.phase = 'queued';
    this.#emit(SocketClientEvent.CONNECTED, attempt);
    // Made at its size when first needed, dropped once drained: one connection is the rule.
    if (this.#queue === null) this.#queue = [attempt];
    else this.#queue.push(attempt);
    this.#tryNextOrFinish();
    return this.#flush();
  }

  /** The attempt failed before or at connect(); `stage` is CONNECTING for both (GIO's score). */
  attemptFailed(attempt: number, error: E): readonly CoreAction<A, E>[] {
    const state = this.#attempt(attempt);
    if (this.#completed || state?.phase !== 'connecting') return this.#flush();
    this.#disarmDelay(attempt, state);
    this.#forget(attempt, state);
    this.#consider(error, SocketClientEvent.CONNECTING);
    this.#tryNextOrFinish();
    return this.#flush();
  }

  /** The application layer is through: this attempt's connection wins. */
  applicationDone(attempt: number): readonly CoreAction<A, E>[] {
    if (this.#completed || this.#inApplication !== attempt) return this.#flush();
    this.#inApplication = null;
    this.#complete(attempt);
    return this.#flush();
  }

  /** The application layer failed at `stage` (PROXY_NEGOTIATING or TLS_HANDSHAKING). */
  applicationFailed(attempt: number, error: E, stage: FailureStage): readonly CoreAction<A, E>[] {
    if (this.#completed || this.#inApplication !== attempt) return this.#flush();
    this.#inApplication = null;
    this.#forget(attempt, this.#attempt(attempt)!);
    this.#consider(error, stage);
    this.#tryNextOrFinish();
    return this.#flush();
  }

  /** A timer armed by an `arm` action fired. */
  timerFired(timer: TimerId): readonly CoreAction<A, E>[] {
    if (this.#completed) return this.#flush();
    if (timer === 'connect') {
      this.#connectArmed = false;
      this.#fail(this.#errors.connectTimedOut());
    } else if (timer === 'resolve') {
      if (!this.#resolveArmed) return this.#flush();
      this.#resolveArmed = false;
      // The request ends with TIMED_OUT, then its lookups are cancelled (the late answer is
      // ignored: `request` is no longer awaited).
      const error = this.#errors.resolveTimedOut();
      this.#pulling = false;
      this.#enumerationEnd(error);
      if (!this.#completed) this.#push({ kind: 'cancelEnumeration', error });
    } else {
      const state = this.#attempt(timer);
      if (!state?.delayArmed) return this.#flush();
      state.delayArmed = false;
      // Still connecting after the attempt delay: start another one in parallel.
      if (state.phase === 'connecting') this.#pull();
    }
    return this.#flush();
  }

  /** The caller cancelled (or anything else ended the operation from outside) with `error`. */
  cancel(error: E): readonly CoreAction<A, E>[] {
    this.#fail(error);
    return this.#flush();
  }

  // ---- layer 1: addresses -------------------------------------------------------------------

  #pull(): void {
    if (this.#completed || this.#enumerationOver || this.#pulling) return;
    if (this.#sameServerPending > 0) return;
    this.#pulling = true;
    if (!this.#resolvingEmitted) {
      this.#resolvingEmitted = true;
      this.#push(EMIT_RESOLVING);
    }
    const request = ++this.#request;
    const { timeoutMs } = this.#settings;
    if (timeoutMs > 0) {
      this.#resolveArmed = true;
      this.#push({ kind: 'arm', timer: 'resolve', ms: timeoutMs });
    }
    this.#push({ kind: 'request', request });
  }

  #enumerationEnd(error: E | null): void {
    this.#enumerationOver = true;
    if (error !== null) this.#consider(error, SocketClientEvent.RESOLVING);
    this.#finishIfIdle();
  }

  /** Whether `request` is awaited; if so it is answered now (its deadline disarmed). */
  #answered(request: number): boolean {
    if (!this.awaits(request)) return false;
    this.#pulling = false;
    if (this.#resolveArmed) {
      this.#resolveArmed = false;
      this.#push(DISARM_RESOLVE);
    }
    return true;
  }

  // ---- layer 2: attempts --------------------------------------------------------------------

  #startAttempt(address: A, sameServer: boolean): void {
    const attempt = ++this.#nextAttempt;
    // Once the enumeration is over, a delay timer could only ask for nothing: none is armed.
    const delayArmed = !this.#enumerationOver;
    const state: CoreAttempt = { id: attempt, phase: 'connecting', delayArmed, sameServer };
    if (this.#firstAttempt === null && this.#laterAttempts === null) this.#firstAttempt = state;
    else (this.#laterAttempts ??= new Map()).set(attempt, state);
    if (sameServer) this.#sameServerPending++;
    this.#push({ kind: 'start', attempt, address });
    if (delayArmed) this.#push({ kind: 'arm', timer: attempt, ms: this.#settings.attemptDelayMs });
  }

  #disarmDelay(attempt: number, state: CoreAttempt): void {
    if (!state.delayArmed) return;
    state.delayArmed = false;
    this.#push({ kind: 'disarm', timer: attempt });
  }

  #attempt(attempt: number): CoreAttempt | undefined {
    const first = this.#firstAttempt;
    return first !== null && first.id === attempt ? first : this.#laterAttempts?.get(attempt);
  }

  /** The attempt is over without winning. */
  #forget(attempt: number, state: CoreAttempt): void {
    if (this.#firstAttempt === state) this.#firstAttempt = null;
    else this.#laterAttempts?.delete(attempt);
    if (state.sameServer) this.#sameServerPending--;
  }

  /**
   * GIO's "best error" rule (gsocketclient.c's consider_tmp_error): a new error replaces the kept
   * one when its stage is at least as deep. So a TLS failure on one address is not hidden by a
   * later "network unreachable" on another, and among equals the latest is reported.
   */
  #consider(error: E, stage: FailureStage): void {
    if (this.#bestError === null || stage >= this.#bestStage) {
      this.#bestError = error;
      this.#bestStage = stage;
    }
  }

  // ---- layer 3: the application layer, one connection at a time -----------------------------

  #tryNextOrFinish(): void {
    if (this.#completed || this.#inApplication !== null) return;
    const queue = this.#queue;
    if (queue !== null && this.#queueHead < queue.length) {
      const next = queue[this.#queueHead++];
      if (this.#queueHead === queue.length) {
        this.#queue = null;
        this.#queueHead = 0;
      }
      this.#inApplication = next;
      this.#attempt(next)!.phase = 'application';
      this.#push({ kind: 'application', attempt: next });
      return;
    }
    if (!this.#enumerationOver) {
      this.#pull();
      return;
    }
    this.#finishIfIdle();
  }

  /** Fails with the best error once the enumeration is over and nothing is pending. */
  #finishIfIdle(): void {
    if (this.#completed || !this.#enumerationOver) return;
    if (this.#firstAttempt !== null || (this.#laterAttempts?.size ?? 0) > 0) return;
    // An enumeration that ends with neither an address nor an error (an SRV answer of only ".",
    // an empty proxy list) is an error too: GIO asserts or returns NULL without one.
    this.#fail(this.#bestError ?? this.#errors.noAddresses());
  }

  // ---- completion ----------------------------------------------------------------------------

  #complete(winner: number): void {
    this.#end(winner);
    this.#push({ kind: 'succeed', attempt: winner });
  }

  #fail(error: E): void {
    if (this.#completed) return;
    this.#end(null);
    this.#push({ kind: 'fail', error });
  }

  /**
   * Abandons every loser — attempts still connecting, then queued connections, then the one in
   * the application layer — stops the enumeration and disarms every timer.
   */
  #end(winner: number | null): void {
    this.#completed = true;
    if (this.#firstAttempt !== null) this.#abandonIfConnecting(this.#firstAttempt);
    if (this.#laterAttempts !== null)
      for (const state of this.#laterAttempts.values()) this.#abandonIfConnecting(state);
    const queue = this.#queue;
    for (let i = this.#queueHead; queue !== null && i < queue.length; i++) {
      this.#push({ kind: 'abandon', attempt: queue[i] });
    }
    if (this.#inApplication !== null && this.#inApplication !== winner) {
      this.#push({ kind: 'abandon', attempt: this.#inApplication });
    }
    this.#firstAttempt = null;
    this.#laterAttempts = null;
    this.#queue = null;
    this.#queueHead = 0;
    this.#sameServerPending = 0;
    this.#inApplication = null;
    this.#pulling = false;
    this.#push(STOP_ENUMERATION);
    if (this.#resolveArmed) {
      this.#resolveArmed = false;
      this.#push(DISARM_RESOLVE);
    }
    if (this.#connectArmed) {
      this.#connectArmed = false;
      this.#push(DISARM_CONNECT);
    }
  }

  #abandonIfConnecting(state: CoreAttempt): void {
    if (state.phase !== 'connecting') return;
    this.#disarmDelay(state.id, state);
    this.#push({ kind: 'abandon', attempt: state.id });
  }

  #emit(event: SocketClientEvent, attempt: number | null): void {
    this.#push({ kind: 'emit', event, attempt });
  }

  #push(action: CoreAction<A, E>): void {
    const n = this.#count++;
    if (n === 0) this.#out0 = action;
    else if (n === 1) this.#out1 = action;
    else if (n === 2) this.#out2 = action;
    else (this.#outMore ??= []).push(action);
  }

  #flush(): readonly CoreAction<A, E>[] {
    const n = this.#count;
    if (n === 0) return NO_ACTIONS;
    const a0 = this.#out0!;
    const a1 = this.#out1!;
    const a2 = this.#out2!;
    this.#count = 0;
    this.#out0 = this.#out1 = this.#out2 = null;
    if (n === 1) return [a0];
    if (n === 2) return [a0, a1];
    const out = [a0, a1, a2];
    if (this.#outMore !== null) {
      out.push(...this.#outMore);
      this.#outMore = null;
    }
    return out;
  }
}

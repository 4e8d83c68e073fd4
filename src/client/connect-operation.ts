/**
 * One connect operation: the Node driver of connect-core.ts, which holds GIO's async
 * GSocketClient policy (g_socket_client_connect_async in gio/gsocketclient.c, with the fixes
 * listed in docs/differences.md). The core decides; this file carries its actions out with real
 * things — the address enumerator, SocketAttempts (socket-attempt.ts), the proxy and TLS steps,
 * timers on the operation's Clock — and feeds what happens back to the core as inputs. It also
 * keeps the attempt log (conn.timings, err.attempts) and words the errors (error-info.ts).
 *
 * Timeouts (docs/timeouts.md): `timeout` is a deadline for each stage — each request for an
 * address (the core's `resolve` timer), each TCP attempt (socket-attempt.ts), proxy negotiation,
 * the TLS handshake — and then GIO's inactivity timeout on the returned socket; `connectTimeout`
 * is one deadline for the whole operation (the core's `connect` timer).
 */
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  takeKnownAddress,
  type SocketConnectable,
  type SocketAddressEnumerator,
} from '../address/connectable.js';
import { ProxyAddress, type SocketAddress } from '../address/socket-address.js';
import { Cancellable, LinkedCancellable } from '../cancellable.js';
import type { ClockTimer } from '../clock.js';
import type { IOStream } from '../connection/io-stream.js';
import type { SocketConnection } from '../connection/socket-connection.js';
import type { ConnectAttempt } from '../connection/timings.js';
import { TcpConnection } from '../connection/tcp-connection.js';
import { TcpWrapperConnection } from '../connection/tcp-wrapper-connection.js';
import {
  IOErrorEnum,
  ResolverErrorEnum,
  SocketClientEvent,
  type TlsCertificateFlags,
} from '../errors/enums.js';
import { IOError, ResolverError, timedOutError, type GError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import { getProxyForProtocol } from '../proxy/proxy.js';
import { isSameServerAlternative } from '../proxy/proxy-address-enumerator.js';
import { TlsClientConnection } from '../tls/tls-client-connection.js';
import { AttemptLog, type AttemptRecord } from './attempt-log.js';
import { ConnectCore, type CoreAction, type CoreErrors, type TimerId } from './connect-core.js';
import { Deadline } from './deadline.js';
import { SmallMap } from './small-map.js';
import { ReportedError, connectTimeoutError } from './error-info.js';
import {
  SocketAttempt,
  type AttemptCallbacks,
  type AttemptFailure,
  type SocketSettings,
} from './socket-attempt.js';

/**
 * What the event signal carries as `connection` in the async API: a SocketConnection (CONNECTING,
 * CONNECTED, COMPLETE), the proxy's or TLS stream (PROXY_*, TLS_*). Per event: SocketClientEventArgs.
 */
export type EventConnection = SocketConnection | IOStream;

/** The client's settings, frozen when the operation starts. */
export interface OperationSettings extends SocketSettings {
  readonly enableProxy: boolean;
  readonly tls: boolean;
  readonly tlsValidationFlags: TlsCertificateFlags;
  readonly tlsOptions: ConnectionOptions | null;
  readonly attemptDelayMs: number;
  /** Deadline for the whole operation in ms; 0 = none (extension). */
  readonly connectTimeoutMs: number;
  readonly applicationProxies: ReadonlySet<string>;
}

/**
 * Where an operation's events go; `connectable` is the operation's, so one function can serve
 * every operation of a client. It returns `false` (as EventEmitter's emit does) when nobody
 * listened, so the connection was seen by no one; any other value counts as seen.
 */
export type EmitEvent = (
  event: SocketClientEvent,
  connection: EventConnection | null,
  connectable: SocketConnectable,
) => unknown;

/** Told when an attempt ends (failed or abandoned; the winner too, once the operation completes). */
export type AttemptListener = (attempt: ConnectAttempt) => void;

type Action = CoreAction<SocketAddress, ReportedError>;

/** What an Attempt reports to its operation. */
interface AttemptOwner {
  attemptConnecting(attempt: Attempt): void;
  attemptConnected(attempt: Attempt, connection: SocketConnection): void;
  attemptFailed(attempt: Attempt, failure: AttemptFailure): void;
}

/**
 * One callbacks object for every attempt of every operation: the attempt is its SocketAttempt's
 * tag and names its operation, so starting an attempt makes no closures.
 */
const ATTEMPT_CALLBACKS: AttemptCallbacks<Attempt> = {
  onConnecting(attempt, connection) {
    attempt.connection = connection;
    attempt.owner.attemptConnecting(attempt);
  },
  onConnected(attempt, connection) {
    attempt.owner.attemptConnected(attempt, connection);
  },
  onFailed(attempt, failure) {
    attempt.owner.attemptFailed(attempt, failure);
  },
};

/** What the driver holds for one of the core's attempts. */
class Attempt {
  readonly owner: AttemptOwner;
  /** The core's number for this attempt. */
  readonly id: number;
  readonly record: AttemptRecord;
  readonly socket: SocketAttempt<Attempt>;
  /** The socket's connection, from the CONNECTING moment on. */
  connection: SocketConnection | null = null;
  /** Whether an event listener was given the connection (then its socket is never reused). */
  shown = false;
  /** The connection through the application layer: the operation's result if this one wins. */
  result: SocketConnection | null = null;

  /** `spare`: a failed attempt's socket nobody saw, which this attempt may connect again. */
  constructor(
    owner: AttemptOwner,
    id: number,
    record: AttemptRecord,
    address: SocketAddress,
    settings: SocketSettings,
    spare: Socket | null,
  ) {
    this.owner = owner;
    this.id = id;
    this.record = record;
    // The callbacks come on a later tick or turn (SocketAttempt's contract), once `socket` is set.
    this.socket = new SocketAttempt(this, address, settings, ATTEMPT_CALLBACKS, spare);
  }
}

/**
 * Stands for the caller's cancellation when the caller gave neither a cancellable nor a signal:
 * nothing can cancel it, so nothing is linked to it (the application layer's stage deadlines
 * connect to it and keep nothing there). Shared by such operations, so cancel() does nothing:
 * one operation must never cancel another. Never handed out.
 */
class Uncancellable extends Cancellable {
  override cancel(): void {}

  /** The callback could never run: it is not kept (0, as for an already cancelled one). */
  override connect(): number {
    return 0;
  }
}
const UNCANCELLABLE: Cancellable = new Uncancellable();

const SETTLED: Promise<void> = Promise.resolve();

/** The errors the core itself reports, worded as GIO (and the `connectTimeout` extension) word them. */
class OperationErrors implements CoreErrors<ReportedError> {
  readonly #connectable: SocketConnectable;

  constructor(connectable: SocketConnectable) {
    this.#connectable = connectable;
  }

  resolveTimedOut(): ReportedError {
    return new ReportedError(timedOutError());
  }

  connectTimedOut(): ReportedError {
    return new ReportedError(connectTimeoutError(this.#connectable));
  }

  /** The enumeration ended empty (an SRV answer of only ".", an empty proxy list): NOT_FOUND. */
  noAddresses(): ReportedError {
    return new ReportedError(new ResolverError(ResolverErrorEnum.NOT_FOUND, 'No valid addresses were found'));
  }
}

export class ConnectOperation implements AttemptOwner {
  readonly #connectable: SocketConnectable;
  readonly #enumerator: SocketAddressEnumerator;
  readonly #settings: OperationSettings;
  readonly #events: EmitEvent;
  /**
   * The caller's cancellation; proxy and TLS steps use it directly (as GIO does). UNCANCELLABLE
   * when the caller gave nothing to cancel with (`#linked` is then null).
   */
  readonly #caller: Cancellable;
  readonly #linked: LinkedCancellable | null;
  /** Made on first use: an address known without I/O needs no cancellable. */
  #enumerationCancel: LinkedCancellable | null = null;
  readonly #core: ConnectCore<SocketAddress, ReportedError>;
  /** The attempts not yet over, by the core's number (usually just one). */
  readonly #attempts = new SmallMap<Attempt>();
  #connectTimer: ClockTimer | null = null;
  #resolveTimer: ClockTimer | null = null;
  /**
   * Attempt-delay timers by attempt number; made when the first is armed (none is when the only
   * address is known).
   */
  #delayTimers: SmallMap<ClockTimer> | null = null;
  readonly #log: AttemptLog;
  /**
   * Batches of actions that came while another batch was being carried out (see #run), oldest
   * first: the first in a field (one is usual: a skipped application layer), more in an array.
   */
  #nextBatch: readonly Action[] | null = null;
  #backlog: (readonly Action[])[] | null = null;
  #running = false;
  /** A failed attempt's socket nobody saw, for the next attempt (see attemptFailed). */
  #spare: Socket | null = null;
  #cancelHandler = 0;
  #resolve!: (c: SocketConnection) => void;
  #reject!: (e: GError) => void;

  /** `caller`: the caller's cancellable and signal linked, or null when it gave neither. */
  constructor(
    connectable: SocketConnectable,
    enumerator: SocketAddressEnumerator,
    settings: OperationSettings,
    caller: LinkedCancellable | null,
    emit: EmitEvent,
    onAttemptEnd: AttemptListener | null = null,
  ) {
    this.#log = new AttemptLog(onAttemptEnd, settings.clock);
    this.#connectable = connectable;
    this.#enumerator = enumerator;
    this.#settings = settings;
    this.#linked = caller;
    this.#caller = caller ?? UNCANCELLABLE;
    this.#events = emit;
    // The settings record has the core's three numbers: it is the core's settings as it is.
    this.#core = new ConnectCore(settings, new OperationErrors(connectable));
  }

  run(): Promise<SocketConnection> {
    const done = new Promise<SocketConnection>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Cancellation completes the operation on a later tick, never inside the caller's cancel()
    // (which may run inside one of our own event emissions).
    if (this.#linked !== null) {
      this.#cancelHandler = this.#linked.connect(() => {
        process.nextTick(() => this.#cancel());
      });
    }
    this.#run(this.#core.start());
    return done;
  }

  // ---- the attempts not yet over ------------------------------------------------------------

  #attempt(id: number): Attempt {
    return this.#attempts.get(id)!;
  }

  #enumerationCancellable(): LinkedCancellable {
    this.#enumerationCancel ??= new LinkedCancellable(this.#linked);
    return this.#enumerationCancel;
  }

  // ---- inputs: what happened, told to the core ------------------------------------------------

  #onAddress(request: number, address: SocketAddress | null): void {
    if (!this.#core.awaits(request)) return; // answered after its deadline
    if (this.#caller.isCancelled()) this.#cancel();
    else if (address === null) this.#run(this.#core.enumerationEnded(request));
    else {
      const last = this.#enumerator.exhausted === true;
      this.#run(this.#core.addressArrived(request, address, isSameServerAlternative(address), last));
    }
  }

  #onEnumerationError(request: number, err: unknown): void {
    if (!this.#core.awaits(request)) return;
    if (this.#caller.isCancelled()) this.#cancel();
    else this.#run(this.#core.enumerationEnded(request, new ReportedError(toGError(err))));
  }

  /** AttemptOwner: the attempt's socket exists; its connect() starts now. */
  attemptConnecting(attempt: Attempt): void {
    this.#run(this.#core.attemptConnecting(attempt.id));
  }

  /** AttemptOwner: the attempt connected. */
  attemptConnected(attempt: Attempt, connection: SocketConnection): void {
    attempt.record.connected = this.#log.now();
    if (this.#core.completed) {
      connection.destroy();
      return;
    }
    attempt.connection = connection;
    this.#run(this.#core.attemptConnected(attempt.id));
  }

  /** AttemptOwner: the attempt failed. */
  attemptFailed(attempt: Attempt, failure: AttemptFailure): void {
    if (this.#core.completed) return;
    const id = attempt.id;
    this.#attempts.delete(id);
    // Socket creation / bind errors: no event, no decoration (gsocketclient.c applies
    // clarify_connect_error to connect() failures only), next address at once.
    if (failure.stage === 'create') attempt.record.stage = 'socket';
    const wording = failure.stage === 'create' ? 'plain' : 'connect';
    const error = new ReportedError(failure.error, wording, this.#connectable, attempt.socket.address);
    this.#log.end(attempt.record, 'failed', error);
    // The next attempt may connect this socket again, as Node's own autoSelectFamily does,
    // unless a listener was given its connection. It comes at once or on a microtask; a later
    // one finds the socket closed and makes its own (SocketAttempt#claim).
    if (failure.stage === 'connect' && failure.reusable !== undefined && !attempt.shown)
      this.#spare = failure.reusable;
    this.#run(this.#core.attemptFailed(id, error));
  }

  /** The application layer is through (or was not needed): `result` is what the caller gets. */
  #onApplicationDone(id: number, attempt: Attempt, result: SocketConnection): void {
    // Cancelled after the last step but before we got here: even a finished connection is
    // discarded (GIO's complete() does the same).
    if (this.#core.completed || this.#caller.isCancelled()) {
      result.destroy();
      if (!this.#core.completed) this.#cancel();
      return;
    }
    attempt.result = result;
    this.#run(this.#core.applicationDone(id));
  }

  #onApplicationFailed(id: number, attempt: Attempt, err: unknown, stage: SocketClientEvent): void {
    attempt.connection?.destroy();
    if (this.#core.completed) return;
    if (this.#caller.isCancelled()) {
      this.#cancel();
      return;
    }
    this.#attempts.delete(id);
    const proxying = stage === SocketClientEvent.PROXY_NEGOTIATING;
    const error = new ReportedError(
      toGError(err),
      proxying ? 'proxy' : 'plain',
      null,
      attempt.socket.address,
    );
    this.#log.end(attempt.record, 'failed', error);
    const scored = proxying ? SocketClientEvent.PROXY_NEGOTIATING : SocketClientEvent.TLS_HANDSHAKING;
    this.#run(this.#core.applicationFailed(id, error, scored));
  }

  #cancel(): void {
    this.#run(this.#core.cancel(new ReportedError(this.#caller.error())));
  }

  // ---- outputs: the core's actions, carried out ---------------------------------------------

  /**
   * Carries out a batch of actions in order. An action can lead straight to another input (an
   * application layer that is skipped, a clock that fires at once); that input's actions wait
   * until this batch is done, so every batch runs in the order the core produced it.
   */
  #run(actions: readonly Action[]): void {
    if (actions.length === 0) return;
    if (this.#running) {
      if (this.#nextBatch === null) this.#nextBatch = actions;
      else (this.#backlog ??= []).push(actions);
      return;
    }
    this.#running = true;
    try {
      for (let batch: readonly Action[] | null = actions; batch !== null; batch = this.#takeBatch()) {
        for (let i = 0; i < batch.length; i++) this.#do(batch[i]);
      }
    } finally {
      this.#running = false;
    }
  }

  /** The oldest batch waiting (see #run), or null. */
  #takeBatch(): readonly Action[] | null {
    const batch = this.#nextBatch;
    this.#nextBatch = this.#backlog?.shift() ?? null;
    return batch;
  }

  #do(action: Action): void {
    switch (action.kind) {
      case 'emit':
        return this.#emitEvent(action.event, action.attempt);
      case 'request':
        return this.#request(action.request);
      case 'cancelEnumeration':
        // None made yet: nothing was asked that could be cut short.
        this.#enumerationCancel?.cancel(action.error.raw);
        return;
      case 'stopEnumeration':
        this.#enumerationCancel?.cancel();
        this.#enumerator.close?.();
        return;
      case 'start':
        return this.#startAttempt(action.attempt, action.address);
      case 'abandon':
        return this.#abandon(action.attempt);
      case 'application':
        return this.#startApplicationLayer(action.attempt);
      case 'arm':
        return this.#arm(action.timer, action.ms);
      case 'disarm':
        return this.#disarm(action.timer);
      case 'succeed':
        return this.#succeed(action.attempt);
      case 'fail':
        return this.#fail(action.error.error);
    }
  }

  #arm(id: TimerId, ms: number): void {
    const timer = this.#settings.clock.setTimeout(() => {
      this.#setTimer(id, null);
      this.#run(this.#core.timerFired(id));
    }, ms);
    this.#setTimer(id, timer);
  }

  #disarm(id: TimerId): void {
    const timer =
      id === 'connect'
        ? this.#connectTimer
        : id === 'resolve'
          ? this.#resolveTimer
          : this.#delayTimers?.get(id);
    if (timer !== undefined && timer !== null) this.#settings.clock.clearTimeout(timer);
    this.#setTimer(id, null);
  }

  #setTimer(id: TimerId, timer: ClockTimer | null): void {
    if (id === 'connect') this.#connectTimer = timer;
    else if (id === 'resolve') this.#resolveTimer = timer;
    else if (timer !== null) (this.#delayTimers ??= new SmallMap()).set(id, timer);
    else this.#delayTimers?.delete(id);
  }

  #emit(event: SocketClientEvent, connection: EventConnection | null): unknown {
    return this.#events(event, connection, this.#connectable);
  }

  #emitEvent(event: SocketClientEvent, id: number | null): void {
    // RESOLVED comes with the first usable address, not when resolution is complete (as in GIO).
    if (event === SocketClientEvent.RESOLVED) this.#log.resolved();
    if (id === null) {
      this.#emit(event, null);
      return;
    }
    const attempt = this.#attempt(id);
    if (this.#emit(event, attempt.connection) !== false) attempt.shown = true;
  }

  #request(request: number): void {
    // An address known without waiting (an IP literal, no proxy) skips the enumerator's Promise
    // chain. The first one still arrives on a later microtask, as a resolved next() would, so
    // nothing is emitted inside the caller's connect call. Later ones are asked for from a timer
    // or an attempt's failure and are handed in at once (their actions wait in #run's backlog),
    // so the next attempt starts in the same turn as the failure, as Node's autoSelectFamily does.
    const known = takeKnownAddress(this.#enumerator, this.#enumerationCancel);
    if (known !== undefined) {
      if (request > 1) this.#onKnownAddress(request, known);
      // A reaction to a settled promise is the same microtask as queueMicrotask() gives, without
      // the AsyncResource Node makes for each queueMicrotask() call.
      else void SETTLED.then(() => this.#onKnownAddress(request, known));
      return;
    }
    this.#enumerator.next(this.#enumerationCancellable()).then(
      (address) => this.#onAddress(request, address),
      (err: unknown) => this.#onEnumerationError(request, err),
    );
  }

  #onKnownAddress(request: number, known: SocketAddress | null): void {
    // Without a cancellable made, nothing has cancelled the enumeration (the caller's
    // cancellation is checked by #onAddress).
    const cancelled = this.#enumerationCancel;
    if (cancelled?.isCancelled() === true) this.#onEnumerationError(request, cancelled.error());
    else this.#onAddress(request, known);
  }

  #startAttempt(id: number, address: SocketAddress): void {
    const spare = this.#spare;
    this.#spare = null;
    const attempt = new Attempt(this, id, this.#log.begin(address), address, this.#settings, spare);
    this.#attempts.set(id, attempt);
  }

  /** A loser: its connect stops, or its connection (queued, or in the application layer) closes. */
  #abandon(id: number): void {
    const attempt = this.#attempt(id);
    this.#attempts.delete(id);
    attempt.socket.abort();
    this.#log.end(attempt.record, 'abandoned');
  }

  // ---- the application layer: proxy negotiation, then TLS -----------------------------------

  #startApplicationLayer(id: number): void {
    const attempt = this.#attempt(id);
    const connection = attempt.connection!;
    const address = attempt.socket.address;
    const proxied = address instanceof ProxyAddress && this.#settings.enableProxy;
    // Neither proxy nor TLS: nothing to run, no promise to wait for.
    if (!proxied && !this.#settings.tls) {
      this.#onApplicationDone(id, attempt, connection);
      return;
    }
    if (!proxied) {
      this.#startTls(id, attempt, connection, connection);
      return;
    }
    // The negotiation is chained on the proxy's own Promise (no async frame around it); what
    // fails before it starts is reported on a later microtask, as a rejection would be.
    const failed = (err: unknown): void =>
      this.#onApplicationFailed(id, attempt, err, SocketClientEvent.PROXY_NEGOTIATING);
    let negotiation: Promise<IOStream>;
    let deadline: Deadline | null = null;
    try {
      if (!(connection instanceof TcpConnection)) {
        throw new IOError(IOErrorEnum.NOT_SUPPORTED, 'Proxying over a non-TCP connection is not supported.');
      }
      const proxyAddress = address; // a ProxyAddress: `proxied` above
      // Application proxies are checked before the GProxy registry (GLib fix 6ce79e586f):
      // the caller negotiates itself, so no PROXY_* events and no TLS (g_socket_client_add_application_proxy).
      if (this.#settings.applicationProxies.has(proxyAddress.protocol.toLowerCase())) {
        queueMicrotask(() => this.#onApplicationDone(id, attempt, connection));
        return;
      }
      const proxy = getProxyForProtocol(proxyAddress.protocol);
      if (!proxy) {
        throw new IOError(
          IOErrorEnum.NOT_SUPPORTED,
          `Proxy protocol “${proxyAddress.protocol}” is not supported.`,
        );
      }
      attempt.record.stage = 'proxy';
      const shown = proxy.prepare?.(connection, proxyAddress) ?? connection;
      this.#emit(SocketClientEvent.PROXY_NEGOTIATING, shown);
      this.#throwIfOver();
      deadline = new Deadline(this.#caller, this.#settings.timeoutMs, this.#settings.clock);
      // Promise.resolve() hands a native Promise back as it is; an application's Proxy written
      // in JavaScript may return its stream without one, as `await` accepts.
      negotiation = Promise.resolve(
        proxy.connect(shown, proxyAddress, { cancellable: deadline.cancellable }),
      );
    } catch (err) {
      deadline?.dispose();
      queueMicrotask(() => failed(err));
      return;
    }
    const stage = deadline;
    negotiation.then(
      (stream) => {
        stage.dispose();
        try {
          attempt.record.proxy = this.#log.now();
          this.#throwIfOver();
          this.#emit(SocketClientEvent.PROXY_NEGOTIATED, stream);
          this.#throwIfOver();
        } catch (err) {
          failed(err);
          return;
        }
        if (this.#settings.tls) this.#startTls(id, attempt, connection, stream);
        else this.#onApplicationDone(id, attempt, this.#wrapped(connection, stream));
      },
      (err: unknown) => {
        stage.dispose();
        failed(err);
      },
    );
  }

  /** The TLS handshake over `stream` (the connection itself, or a proxy's stream over it). */
  #startTls(id: number, attempt: Attempt, connection: SocketConnection, stream: IOStream): void {
    const handshake = async (): Promise<SocketConnection> => {
      attempt.record.stage = 'tls';
      const tls = new TlsClientConnection(stream, this.#connectable, this.#settings.tlsOptions ?? undefined);
      tls.validationFlags = this.#settings.tlsValidationFlags;
      this.#emit(SocketClientEvent.TLS_HANDSHAKING, tls);
      this.#throwIfOver();
      const deadline = new Deadline(this.#caller, this.#settings.timeoutMs, this.#settings.clock);
      try {
        await tls.handshake(deadline.cancellable);
      } finally {
        deadline.dispose();
      }
      attempt.record.tls = this.#log.now();
      this.#throwIfOver();
      this.#emit(SocketClientEvent.TLS_HANDSHAKED, tls);
      this.#throwIfOver();
      return this.#wrapped(connection as TcpConnection, tls);
    };
    handshake().then(
      (result) => this.#onApplicationDone(id, attempt, result),
      (err: unknown) => this.#onApplicationFailed(id, attempt, err, SocketClientEvent.TLS_HANDSHAKING),
    );
  }

  /** What the caller gets: the connection itself, or a TcpWrapperConnection around the final stream. */
  #wrapped(connection: TcpConnection, stream: IOStream): SocketConnection {
    if (stream === connection) return connection;
    return new TcpWrapperConnection(
      stream,
      connection.socket,
      connection.getRemoteAddress(),
      connection.getLocalAddress(),
    );
  }

  /** Thrown inside the application layer when the operation ended meanwhile (e.g. cancelled). */
  #throwIfOver(): void {
    if (this.#core.completed) throw new IOError(IOErrorEnum.CANCELLED, 'Operation was cancelled');
    this.#caller.throwIfCancelled();
  }

  // ---- completion ----------------------------------------------------------------------------

  #succeed(id: number): void {
    const winner = this.#attempt(id);
    const result = winner.result!;
    this.#log.end(winner.record, 'succeeded');
    result.setTimings(this.#log.timingsOf(winner.record));
    this.#applyInactivityTimeout(result);
    this.#emit(SocketClientEvent.COMPLETE, result);
    this.#release();
    this.#resolve(result);
  }

  #fail(error: GError): void {
    this.#log.annotate(error);
    this.#emit(SocketClientEvent.COMPLETE, null);
    this.#release();
    this.#reject(error);
  }

  /**
   * GIO keeps the socket's timeout on the returned connection: after `timeout` seconds without
   * I/O the socket fails with TIMED_OUT "Socket I/O timed out" (g_socket_set_timeout). The
   * stages before have their own deadlines.
   */
  #applyInactivityTimeout(connection: SocketConnection): void {
    const ms = this.#settings.timeoutMs;
    const socket = connection.socket;
    if (ms <= 0 || !('setTimeout' in socket)) return;
    socket.setTimeout(ms, () => socket.destroy(timedOutError()));
  }

  /** Unlinks from the caller's cancellable so a reused one accumulates nothing (GLib 56d371942e). */
  #release(): void {
    this.#attempts.clear();
    this.#enumerationCancel?.dispose();
    if (this.#linked !== null) {
      this.#linked.disconnect(this.#cancelHandler);
      this.#linked.dispose();
    }
  }
}

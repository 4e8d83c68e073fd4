/**
 * One connect operation: GIO's async GSocketClient algorithm (g_socket_client_connect_async in
 * gio/gsocketclient.c) with the fixes listed in docs/differences.md.
 *
 * Three layers, as in gio/gsocketclient.c:
 *  1. Address enumeration, pulled lazily, one address per request (never two requests at once).
 *  2. TCP attempts in parallel: each attempt that is still pending after `attemptDelay` (RFC
 *     8305 section 5 "Connection Attempt Delay", 250 ms) pulls one more address, so attempts
 *     start at 0, 250, 500 ms… A failed attempt pulls the next address at once.
 *  3. The application layer — proxy negotiation, then TLS — strictly one connection at a time;
 *     connected sockets wait in a FIFO. A proxy/TLS failure moves on to the next one.
 * The first connection through all layers wins; every other attempt is destroyed at once.
 * Unlike GIO 2.74 (docs/differences.md), a failure does not end the operation while attempts are
 * still in flight: the operation fails only when enumeration is over and nothing is pending
 * (RFC 8305).
 *
 * Timeouts (docs/timeouts.md): `timeout` is a deadline for each stage — each request for an
 * address (name resolution), each TCP attempt (socket-attempt.ts), proxy negotiation, the TLS
 * handshake — and then GIO's inactivity timeout on the returned socket; `connectTimeout` is one
 * deadline for the whole operation.
 */
import type { ConnectionOptions } from 'node:tls';
import type { ClockTimer } from '../clock.js';
import type { SocketConnectable, SocketAddressEnumerator } from '../address/connectable.js';
import { ProxyAddress, type SocketAddress } from '../address/socket-address.js';
import { LinkedCancellable } from '../cancellable.js';
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
import { isSameServerAlternative, noteProxyFailure } from '../proxy/proxy-address-enumerator.js';
import { TlsClientConnection } from '../tls/tls-client-connection.js';
import { AttemptLog, type AttemptRecord } from './attempt-log.js';
import { Deadline } from './deadline.js';
import { ErrorInfo, clarifyConnectError, connectTimeoutError } from './error-info.js';
import { SocketAttempt, type AttemptFailure, type SocketSettings } from './socket-attempt.js';

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

export type EmitEvent = (event: SocketClientEvent, connection: EventConnection | null) => void;

/** Told when an attempt ends (failed or abandoned; the winner too, once the operation completes). */
export type AttemptListener = (attempt: ConnectAttempt) => void;

interface Attempt {
  readonly socket: SocketAttempt;
  readonly record: AttemptRecord;
  delayTimer: ClockTimer | null;
  connection: SocketConnection | null;
}

export class ConnectOperation {
  readonly #connectable: SocketConnectable;
  readonly #enumerator: SocketAddressEnumerator;
  readonly #settings: OperationSettings;
  readonly #emit: EmitEvent;
  /** The caller's cancellation; proxy and TLS steps use it directly (as GIO does). */
  readonly #caller: LinkedCancellable;
  readonly #enumerationCancel: LinkedCancellable;
  readonly #attempts = new Set<Attempt>();
  readonly #successful: Attempt[] = [];
  readonly #errors = new ErrorInfo();
  readonly #log: AttemptLog;
  #inProgress: Attempt | null = null;
  #resolvingEmitted = false;
  #pulling = false;
  #enumerationCompleted = false;
  #enumerated = 0;
  #completed = false;
  #cancelHandler = 0;
  /** The request for an address in flight (to ignore an answer that comes after its deadline). */
  #request = 0;
  #resolveTimer: ClockTimer | null = null;
  #connectTimer: ClockTimer | null = null;
  #resolve!: (c: SocketConnection) => void;
  #reject!: (e: GError) => void;

  constructor(
    connectable: SocketConnectable,
    enumerator: SocketAddressEnumerator,
    settings: OperationSettings,
    caller: LinkedCancellable,
    emit: EmitEvent,
    onAttemptEnd: AttemptListener | null = null,
  ) {
    this.#log = new AttemptLog(onAttemptEnd, settings.clock);
    this.#connectable = connectable;
    this.#enumerator = enumerator;
    this.#settings = settings;
    this.#caller = caller;
    this.#emit = emit;
    this.#enumerationCancel = new LinkedCancellable(caller);
  }

  run(): Promise<SocketConnection> {
    const done = new Promise<SocketConnection>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Cancellation completes the operation on a later tick, never inside the caller's cancel()
    // (which may run inside one of our own event emissions).
    this.#cancelHandler = this.#caller.connect(() => {
      process.nextTick(() => this.#completeWithError(this.#caller.error()));
    });
    const { connectTimeoutMs } = this.#settings;
    if (connectTimeoutMs > 0) {
      this.#connectTimer = this.#settings.clock.setTimeout(() => {
        this.#connectTimer = null;
        this.#completeWithError(connectTimeoutError(this.#connectable));
      }, connectTimeoutMs);
    }
    this.#pull();
    return done;
  }

  // ---- layer 1: enumeration ---------------------------------------------------------------

  #pull(): void {
    if (this.#completed || this.#enumerationCompleted || this.#pulling) return;
    // socks5, socks4a, socks4 of one server are one server: the next is tried only once the
    // previous has failed, so socks4 resolves the destination locally only when it is used.
    if (this.#sameServerPending()) return;
    this.#pulling = true;
    // RESOLVING is emitted once, before the first request (as GIO does since 2.67).
    if (!this.#resolvingEmitted) {
      this.#resolvingEmitted = true;
      this.#emit(SocketClientEvent.RESOLVING, null);
      if (this.#completed) return;
    }
    const request = ++this.#request;
    const { timeoutMs } = this.#settings;
    if (timeoutMs > 0) {
      // Name resolution is a stage too: an address must come within `timeout` of asking. On
      // expiry the enumeration ends (its lookups are cancelled) with TIMED_OUT; attempts already
      // in flight go on.
      this.#resolveTimer = this.#settings.clock.setTimeout(() => {
        this.#resolveTimer = null;
        this.#onAddress(request, null, timedOutError());
        this.#enumerationCancel.cancel(timedOutError());
      }, timeoutMs);
    }
    this.#enumerator.next(this.#enumerationCancel).then(
      (address) => this.#onAddress(request, address, null),
      (err: unknown) => this.#onAddress(request, null, toGError(err)),
    );
  }

  /** Whether an address of a same-server proxy group is being tried (see #pull). */
  #sameServerPending(): boolean {
    const pending = [...this.#attempts, ...this.#successful];
    if (this.#inProgress) pending.push(this.#inProgress);
    return pending.some((attempt) => isSameServerAlternative(attempt.socket.address));
  }

  #onAddress(request: number, address: SocketAddress | null, error: GError | null): void {
    if (request !== this.#request || !this.#pulling) return; // answered after its deadline
    if (this.#resolveTimer) this.#settings.clock.clearTimeout(this.#resolveTimer);
    this.#resolveTimer = null;
    this.#pulling = false;
    if (this.#completed) return;
    if (this.#caller.isCancelled()) {
      this.#completeWithError(this.#caller.error());
      return;
    }
    if (address === null) {
      this.#enumerationCompleted = true;
      if (error) this.#errors.consider(error, SocketClientEvent.RESOLVING);
      this.#finishIfIdle();
      return;
    }
    // RESOLVED comes with the first usable address, not when resolution is complete (as in GIO).
    if (this.#enumerated === 0) {
      this.#log.resolved();
      this.#emit(SocketClientEvent.RESOLVED, null);
      if (this.#completed) return;
    }
    this.#enumerated++;
    this.#startAttempt(address);
  }

  // ---- layer 2: parallel TCP attempts ------------------------------------------------------

  #startAttempt(address: SocketAddress): void {
    // The callbacks run on a later tick (SocketAttempt starts on nextTick), when `attempt` exists.
    const attempt: Attempt = {
      record: this.#log.begin(address),
      socket: new SocketAttempt(address, this.#settings, {
        onConnecting: (connection) => {
          attempt.connection = connection;
          this.#emit(SocketClientEvent.CONNECTING, connection);
        },
        onConnected: (connection) => this.#onConnected(attempt, connection),
        onFailed: (failure) => this.#onFailed(attempt, failure),
      }),
      delayTimer: null,
      connection: null,
    };
    this.#attempts.add(attempt);
    attempt.delayTimer = this.#settings.clock.setTimeout(() => {
      attempt.delayTimer = null;
      // Still pending after the attempt delay: start another one in parallel.
      if (this.#attempts.has(attempt)) this.#pull();
    }, this.#settings.attemptDelayMs);
  }

  #onFailed(attempt: Attempt, failure: AttemptFailure): void {
    this.#dropAttempt(attempt);
    if (this.#completed) return;
    // Socket creation / bind errors: no event, no decoration (gsocketclient.c applies
    // clarify_connect_error to connect() failures only), next address at once.
    const error =
      failure.stage === 'create'
        ? failure.error
        : clarifyConnectError(failure.error, this.#connectable, attempt.socket.address);
    if (failure.stage === 'create') attempt.record.stage = 'socket';
    else noteProxyFailure(error, attempt.socket.address);
    this.#log.end(attempt.record, 'failed', error);
    this.#errors.consider(error, SocketClientEvent.CONNECTING);
    this.#tryNextOrFinish();
  }

  #onConnected(attempt: Attempt, connection: SocketConnection): void {
    if (attempt.delayTimer) this.#settings.clock.clearTimeout(attempt.delayTimer);
    attempt.delayTimer = null;
    this.#attempts.delete(attempt);
    attempt.record.connected = this.#log.now();
    if (this.#completed) {
      connection.destroy();
      return;
    }
    attempt.connection = connection;
    this.#emit(SocketClientEvent.CONNECTED, connection);
    if (this.#completed) {
      connection.destroy();
      this.#log.end(attempt.record, 'abandoned');
      return;
    }
    this.#successful.push(attempt);
    this.#tryNextOrFinish();
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

  #tryNextOrFinish(): void {
    if (this.#completed || this.#inProgress) return;
    const next = this.#successful.shift();
    if (next) {
      this.#runApplicationLayer(next);
      return;
    }
    if (!this.#enumerationCompleted) {
      this.#pull();
      return;
    }
    this.#finishIfIdle();
  }

  /** Ends with the best error once enumeration is over and nothing is pending (docs/differences.md). */
  #finishIfIdle(): void {
    if (this.#completed || !this.#enumerationCompleted) return;
    if (this.#attempts.size > 0 || this.#inProgress || this.#successful.length > 0) return;
    // An enumeration that ends with neither an address nor an error (an SRV answer of only ".",
    // an empty proxy list) is an error too: GIO asserts or returns NULL without one.
    const error =
      this.#errors.error ?? new ResolverError(ResolverErrorEnum.NOT_FOUND, 'No valid addresses were found');
    this.#completeWithError(error);
  }

  // ---- layer 3: proxy negotiation and TLS, one at a time -----------------------------------

  #runApplicationLayer(attempt: Attempt): void {
    this.#inProgress = attempt;
    let stage = SocketClientEvent.PROXY_NEGOTIATING;
    const step = async (): Promise<SocketConnection | null> => {
      const connection = attempt.connection!;
      let stream: IOStream = connection;
      const address = attempt.socket.address;
      if (address instanceof ProxyAddress && this.#settings.enableProxy) {
        if (!(connection instanceof TcpConnection)) {
          throw new IOError(
            IOErrorEnum.NOT_SUPPORTED,
            'Proxying over a non-TCP connection is not supported.',
          );
        }
        // Application proxies are checked before the GProxy registry (GLib fix 6ce79e586f):
        // the caller negotiates itself, so no PROXY_* events and no TLS (g_socket_client_add_application_proxy).
        if (this.#settings.applicationProxies.has(address.protocol.toLowerCase())) return connection;
        const proxy = getProxyForProtocol(address.protocol);
        if (!proxy) {
          throw new IOError(
            IOErrorEnum.NOT_SUPPORTED,
            `Proxy protocol “${address.protocol}” is not supported.`,
          );
        }
        attempt.record.stage = 'proxy';
        const shown = proxy.prepare?.(connection, address) ?? connection;
        this.#emit(SocketClientEvent.PROXY_NEGOTIATING, shown);
        this.#throwIfOver();
        const deadline = new Deadline(this.#caller, this.#settings.timeoutMs, this.#settings.clock);
        try {
          stream = await proxy.connect(shown, address, { cancellable: deadline.cancellable });
        } finally {
          deadline.dispose();
        }
        attempt.record.proxy = this.#log.now();
        this.#throwIfOver();
        this.#emit(SocketClientEvent.PROXY_NEGOTIATED, stream);
        this.#throwIfOver();
      }
      if (this.#settings.tls) {
        stage = SocketClientEvent.TLS_HANDSHAKING;
        attempt.record.stage = 'tls';
        const tls = new TlsClientConnection(
          stream,
          this.#connectable,
          this.#settings.tlsOptions ?? undefined,
        );
        tls.validationFlags = this.#settings.tlsValidationFlags;
        stream = tls;
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
      }
      if (stream === connection) return connection;
      const socket = (connection as TcpConnection).socket;
      return new TcpWrapperConnection(
        stream,
        socket,
        connection.getRemoteAddress(),
        connection.getLocalAddress(),
      );
    };
    step().then(
      (result) => {
        this.#inProgress = null;
        if (result) this.#complete(result, attempt);
      },
      (err: unknown) => {
        this.#inProgress = null;
        attempt.connection?.destroy();
        if (this.#completed) return;
        if (this.#caller.isCancelled()) {
          this.#completeWithError(this.#caller.error());
          return;
        }
        const error = toGError(err);
        if (stage === SocketClientEvent.PROXY_NEGOTIATING) noteProxyFailure(error, attempt.socket.address);
        this.#log.end(attempt.record, 'failed', error);
        this.#errors.consider(error, stage);
        this.#tryNextOrFinish();
      },
    );
  }

  /** Thrown inside the application layer when the operation ended meanwhile (e.g. cancelled). */
  #throwIfOver(): void {
    if (this.#completed) throw new IOError(IOErrorEnum.CANCELLED, 'Operation was cancelled');
    this.#caller.throwIfCancelled();
  }

  // ---- completion ----------------------------------------------------------------------------

  #complete(result: SocketConnection, winner: Attempt): void {
    if (this.#completed) {
      result.destroy();
      return;
    }
    // Cancelled after the last step but before we got here: even a finished connection is
    // discarded (GIO's complete() does the same).
    if (this.#caller.isCancelled()) {
      result.destroy();
      this.#completeWithError(this.#caller.error());
      return;
    }
    this.#completed = true;
    this.#cancelAll(winner);
    this.#log.end(winner.record, 'succeeded');
    result.setTimings(this.#log.timings(winner.record));
    this.#applyInactivityTimeout(result);
    this.#emit(SocketClientEvent.COMPLETE, result);
    this.#release();
    this.#resolve(result);
  }

  #completeWithError(error: GError): void {
    if (this.#completed) return;
    this.#completed = true;
    this.#cancelAll(null);
    this.#log.annotate(error);
    this.#emit(SocketClientEvent.COMPLETE, null);
    this.#release();
    this.#reject(error);
  }

  /** Destroys every loser: attempts in flight, queued connections, the enumeration. */
  #cancelAll(winner: Attempt | null): void {
    for (const attempt of [...this.#attempts]) {
      this.#dropAttempt(attempt);
      attempt.socket.abort();
      this.#log.end(attempt.record, 'abandoned');
    }
    for (const attempt of this.#successful.splice(0)) {
      attempt.connection?.destroy();
      this.#log.end(attempt.record, 'abandoned');
    }
    if (this.#inProgress && this.#inProgress !== winner) {
      this.#inProgress.connection?.destroy();
      this.#log.end(this.#inProgress.record, 'abandoned');
    }
    this.#enumerationCancel.cancel();
    this.#enumerator.close?.();
  }

  #dropAttempt(attempt: Attempt): void {
    if (attempt.delayTimer) this.#settings.clock.clearTimeout(attempt.delayTimer);
    attempt.delayTimer = null;
    this.#attempts.delete(attempt);
  }

  /** Unlinks from the caller's cancellable so a reused one accumulates nothing (GLib 56d371942e). */
  #release(): void {
    if (this.#connectTimer) this.#settings.clock.clearTimeout(this.#connectTimer);
    if (this.#resolveTimer) this.#settings.clock.clearTimeout(this.#resolveTimer);
    this.#connectTimer = this.#resolveTimer = null;
    this.#caller.disconnect(this.#cancelHandler);
    this.#enumerationCancel.dispose();
    this.#caller.dispose();
  }
}

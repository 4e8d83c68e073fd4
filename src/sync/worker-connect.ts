/**
 * Worker side of one …Sync connect: the ordinary async engine (a SocketClient built from the
 * caller's settings), with three bridges back to the blocked caller:
 *  - every 'event' is posted to the caller, whose listeners see it in order;
 *  - proxy lookups are asked of the caller's proxy resolver (its synchronous lookupSync), so the
 *    resolver the caller configured is the one used, whatever its class;
 *  - TLS handshakes wait for the caller's TLS_HANDSHAKING (or PROXY_NEGOTIATING, for an HTTPS
 *    proxy) listeners to finish: their option changes are applied before the handshake starts,
 *    and accept-certificate is asked of the caller's handlers.
 * The engine itself does not wait for listeners otherwise (it cannot: its emit is synchronous),
 * so a cancel() made inside a listener reaches the worker a moment later (docs/sync.md).
 */
import type { ConnectionOptions } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { SocketConnectable } from '../address/connectable.js';
import { Cancellable, raceCancellable, type CancelOptions } from '../cancellable.js';
import type { EventConnection } from '../client/connect-operation.js';
import { SocketClient } from '../client/socket-client.js';
import { SocketConnection } from '../connection/socket-connection.js';
import { SocketClientEvent, type TlsCertificateFlags } from '../errors/enums.js';
import { GError } from '../errors/gerror.js';
import type { ProxyResolver } from '../proxy/proxy-resolver.js';
import { DnsResolver } from '../resolver/dns-resolver.js';
import { PinnedResolver } from '../resolver/pinned-resolver.js';
import type { Resolver } from '../resolver/resolver.js';
import { SystemResolver } from '../resolver/system-resolver.js';
import { TlsClientConnection } from '../tls/tls-client-connection.js';
import { describeError, rebuildAddress, rebuildConnectable, rebuildError } from './codec.js';
import type { ConnectRequest, ErrorDesc, ResolverDesc, TlsChanges, WorkerMessage } from './protocol.js';
import { watchSharedWord } from './shared-cancellable.js';
import { resolverFromRecipe } from './worker-proxy.js';
import { describeAttempts, describeTimings } from './timings-codec.js';
import { restoreBuffers } from './tls-options.js';
import { describeBases, describeConnection, describeTls, idOf } from './worker-describe.js';

export interface ConnectHost {
  post(message: WorkerMessage): void;
  /** Takes over the connection the operation returns (it becomes readable by id). */
  adopt(connection: SocketConnection, call: number): void;
}

interface PendingLookup {
  readonly resolve: (proxies: string[]) => void;
  readonly reject: (error: Error) => void;
}

export class WorkerConnect {
  readonly #call: number;
  readonly #request: ConnectRequest;
  readonly #host: ConnectHost;
  readonly #cancellable = new Cancellable();
  readonly #gates = new Map<number, (changes: TlsChanges | null) => void>();
  readonly #lookups = new Map<number, PendingLookup>();
  readonly #accepts = new Map<number, (accept: boolean) => void>();
  #nextRequest = 1;

  constructor(call: number, request: ConnectRequest, host: ConnectHost) {
    this.#call = call;
    this.#request = request;
    this.#host = host;
  }

  async run(): Promise<void> {
    const request = this.#request;
    if (request.cancelled) this.cancel(request.cancelled);
    const unwatch = request.cancel ? watchSharedWord(request.cancel, () => this.cancel(null)) : null;
    try {
      const target = rebuildConnectable(request.connectable);
      const client = this.#client();
      // This client runs the async engine, so its events carry the async classes, never stand-ins.
      client.on('event', (event, _connectable, connection) =>
        this.#onEvent(event, connection as EventConnection | null, target),
      );
      const connection = await client.connect(target, { cancellable: this.#cancellable });
      this.#host.post({
        kind: 'connected',
        call: this.#call,
        connection: describeConnection(connection, target),
        bases: request.listening ? [] : describeBases(connection, target),
        timings: connection.timings ? describeTimings(connection.timings) : null,
      });
    } catch (err) {
      const attempts = err instanceof GError ? err.attempts : undefined;
      this.#host.post({
        kind: 'error',
        call: this.#call,
        error: describeError(err),
        ...(attempts ? { attempts: describeAttempts(attempts) } : {}),
      });
    } finally {
      unwatch?.();
      this.#settlePending();
    }
  }

  /** Cancels with the caller's error (e.g. TIMED_OUT for an AbortSignal.timeout), else CANCELLED. */
  cancel(reason: ErrorDesc | null): void {
    this.#cancellable.cancel(reason ? rebuildError(reason) : undefined);
  }

  answerGate(gate: number, changes: TlsChanges | null): void {
    const resolve = this.#gates.get(gate);
    this.#gates.delete(gate);
    resolve?.(changes);
  }

  answerLookup(request: number, proxies: readonly string[] | null, error: ErrorDesc | null): void {
    const pending = this.#lookups.get(request);
    this.#lookups.delete(request);
    if (!pending) return;
    if (error) pending.reject(rebuildError(error));
    else pending.resolve([...(proxies ?? [])]);
  }

  answerAccept(request: number, accept: boolean): void {
    const resolve = this.#accepts.get(request);
    this.#accepts.delete(request);
    resolve?.(accept);
  }

  #client(): SocketClient {
    const s = this.#request.settings;
    const client = new SocketClient({
      family: s.family,
      type: s.type,
      protocol: s.protocol,
      localAddress: s.localAddress ? rebuildAddress(s.localAddress) : null,
      timeout: s.timeoutMs / 1000,
      connectTimeout: s.connectTimeoutMs / 1000,
      enableProxy: s.enableProxy,
      tls: s.tls,
      tlsValidationFlags: s.tlsValidationFlags,
      tlsOptions: s.tlsOptions ? restoreBuffers(s.tlsOptions as ConnectionOptions) : null,
      attemptDelay: s.attemptDelayMs,
      resolver: cachedResolver(this.#request.resolver),
      proxyResolver: this.#proxyPlan(),
    });
    for (const protocol of s.applicationProxies) client.addApplicationProxy(protocol);
    return client;
  }

  #onEvent(event: SocketClientEvent, connection: EventConnection | null, target: SocketConnectable): void {
    // The returned connection is adopted before the caller hears of it, so a COMPLETE listener
    // may already read or write.
    if (event === SocketClientEvent.COMPLETE && connection instanceof SocketConnection) {
      this.#host.adopt(connection, this.#call);
    }
    // Nobody listens on the calling thread: describing and posting the event would be wasted.
    if (!this.#request.listening) return;
    let gate: number | null = null;
    if (
      connection instanceof TlsClientConnection &&
      (event === SocketClientEvent.TLS_HANDSHAKING || event === SocketClientEvent.PROXY_NEGOTIATING)
    ) {
      gate = this.#nextRequest++;
      this.#gateHandshake(connection, gate, target);
    }
    this.#host.post({
      kind: 'event',
      call: this.#call,
      event,
      connection: connection ? describeConnection(connection, target) : null,
      gate,
    });
  }

  /**
   * The handshake starts right after the event is emitted; it is made to wait for the caller's
   * answer first. Only this object's handshake is wrapped, and only for this operation.
   */
  #gateHandshake(tls: TlsClientConnection, gate: number, target: SocketConnectable): void {
    const answered = new Promise<TlsChanges | null>((resolve) => this.#gates.set(gate, resolve));
    const handshake = tls.handshake.bind(tls);
    tls.handshake = (cancellable?: Cancellable | null): Promise<void> =>
      raceCancellable(answered, cancellable).then((changes) => {
        this.#apply(tls, changes, target);
        return handshake(cancellable);
      });
  }

  #apply(tls: TlsClientConnection, changes: TlsChanges | null, target: SocketConnectable): void {
    if (!changes) return;
    if (changes.validationFlags !== null) tls.validationFlags = changes.validationFlags;
    if (Object.keys(changes.options).length > 0) {
      tls.setOptions(restoreBuffers(changes.options));
    }
    if (changes.acceptHandlers) {
      tls.onAcceptCertificate((certificate, errors) => this.#askAccept(tls, certificate, errors, target));
    }
  }

  #askAccept(
    tls: TlsClientConnection,
    certificate: X509Certificate,
    errors: TlsCertificateFlags,
    target: SocketConnectable,
  ): Promise<boolean> {
    const request = this.#nextRequest++;
    const desc = describeTls(tls, target);
    const shown =
      desc.peerCertificates.length > 0 ? desc : { ...desc, peerCertificates: [certificate.toString()] };
    return new Promise<boolean>((resolve) => {
      this.#accepts.set(request, resolve);
      this.#host.post({
        kind: 'accept-certificate',
        call: this.#call,
        request,
        tlsId: idOf(tls),
        tls: shown,
        errors,
      });
    });
  }

  #proxyPlan(): ProxyResolver | null {
    const plan = this.#request.proxies;
    if (plan.kind === 'engine') return resolverFromRecipe(plan.recipe);
    return plan.kind === 'caller' ? this.#proxyResolver() : null;
  }

  /** Proxy lookups answered by the caller's resolver (it is blocked, so only lookupSync works). */
  #proxyResolver(): ProxyResolver {
    return {
      isSupported: () => true,
      lookup: (uri: string, opts?: CancelOptions): Promise<string[]> => {
        const request = this.#nextRequest++;
        const answer = new Promise<string[]>((resolve, reject) =>
          this.#lookups.set(request, { resolve, reject }),
        );
        this.#host.post({ kind: 'proxy-lookup', call: this.#call, request, uri });
        return raceCancellable(answer, opts?.cancellable);
      },
    };
  }

  /** Questions still open when the operation ended get a harmless answer. */
  #settlePending(): void {
    for (const resolve of this.#gates.values()) resolve(null);
    for (const resolve of this.#accepts.values()) resolve(false);
    for (const pending of this.#lookups.values()) pending.resolve([]);
    this.#gates.clear();
    this.#accepts.clear();
    this.#lookups.clear();
  }
}

/** Distinct resolver settings kept; a program normally uses one or two. */
const RESOLVERS_KEPT = 16;
const resolvers = new Map<string, Resolver>();

/**
 * The same settings give the same resolver object from one call to the next, as the caller's
 * client keeps one: whatever a resolver keeps between lookups (its check of /etc/hosts and
 * resolv.conf, a DnsResolver's channel) is not rebuilt per connect.
 */
function cachedResolver(desc: ResolverDesc): Resolver {
  const key = JSON.stringify(desc);
  let resolver = resolvers.get(key);
  if (resolver === undefined) {
    resolver = rebuildResolver(desc);
    if (resolvers.size >= RESOLVERS_KEPT) resolvers.delete(resolvers.keys().next().value as string);
    resolvers.set(key, resolver);
  }
  return resolver;
}

function rebuildResolver(desc: ResolverDesc): Resolver {
  if (desc.kind === 'pinned') return new PinnedResolver(desc.pins, rebuildResolver(desc.fallback));
  if (desc.kind === 'dns') {
    return new DnsResolver({
      servers: desc.servers,
      ...(desc.timeout !== undefined ? { timeout: desc.timeout } : {}),
      ...(desc.tries !== undefined ? { tries: desc.tries } : {}),
    });
  }
  return new SystemResolver({ timeout: desc.timeout });
}

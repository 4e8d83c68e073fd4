import { refuseConflictingOptions } from '../tls/validation-options.js';
import { EventEmitter } from 'node:events';
import type { ConnectionOptions } from 'node:tls';
import type { SocketConnectable, SocketAddressEnumerator } from '../address/connectable.js';
import { NetworkAddress } from '../address/network-address.js';
import { InetSocketAddress, type SocketAddress } from '../address/socket-address.js';
import { Cancellable, LinkedCancellable, type CancelOptions } from '../cancellable.js';
import type { SocketConnection } from '../connection/socket-connection.js';
import type { ConnectAttempt } from '../connection/timings.js';
import {
  SocketClientEvent,
  SocketFamily,
  SocketProtocol,
  SocketType,
  TlsCertificateFlags,
} from '../errors/enums.js';
import { invalidArgument } from '../errors/gerror.js';
import { timeoutSecondsToMs } from '../timeout-value.js';
import { toGError } from '../errors/errno.js';
import { getDefaultProxyResolver } from '../proxy/proxy-resolver.js';
import type { ProxyResolver } from '../proxy/proxy-resolver.js';
import { explainClientProxy } from '../proxy/proxy-resolver.js';
import type { ProxyExplanation } from '../proxy/proxy-explanation.js';
import { Resolver } from '../resolver/resolver.js';
import { NetworkService } from '../resolver/network-service.js';
import { AsyncResult, type AsyncReadyCallback } from './async-result.js';
import { ConnectOperation, type EventConnection, type OperationSettings } from './connect-operation.js';
import type { SyncEventConnection } from '../sync/sync-connect.js';
import * as blocking from '../sync/sync-connect.js';
import type { SyncSocketConnection } from '../sync/sync-socket-connection.js';

export { AsyncResult, type AsyncReadyCallback } from './async-result.js';
export type { EventConnection } from './connect-operation.js';

/** GIO's HAPPY_EYEBALLS_CONNECTION_ATTEMPT_DELAY_MS (RFC 8305 §5 recommends 250 ms). */
export const DEFAULT_ATTEMPT_DELAY_MS = 250;

export interface SocketClientOptions {
  /** Family of the sockets created; INVALID (default) = the address's own (§10). */
  readonly family?: SocketFamily;
  /** Address to bind before connecting (port 0 = any). */
  readonly localAddress?: SocketAddress | null;
  readonly protocol?: SocketProtocol;
  readonly type?: SocketType;
  /**
   * Seconds; 0 = none. Bounds each stage of a connect (name resolution, each TCP attempt, proxy
   * negotiation, the TLS handshake), then is an inactivity timeout on the result, as in GIO.
   */
  readonly timeout?: number;
  /** Extension: seconds; 0 = none. Bounds the whole connect, resolution through TLS, nothing after. */
  readonly connectTimeout?: number;
  readonly enableProxy?: boolean;
  readonly tls?: boolean;
  /** Errors that make a certificate unacceptable (GIO deprecated this in 2.72; still honoured). */
  readonly tlsValidationFlags?: TlsCertificateFlags;
  /** null = the default proxy resolver (getter returns it). */
  readonly proxyResolver?: ProxyResolver | null;
  /** Extension: the resolver for this client's lookups; null = Resolver.getDefault(). */
  readonly resolver?: Resolver | null;
  /** Extension: ms between Happy Eyeballs attempts (default 250). */
  readonly attemptDelay?: number;
  /** Extension: Node tls options (ca, cert, key, ALPNProtocols, …) for the TLS step. */
  readonly tlsOptions?: ConnectionOptions | null;
}

/**
 * Per-operation options: cancellation, plus overrides of the client's TLS settings for this one
 * connect (what an adapter needs to speak TLS to `https:` origins only, with the origin's ALPN).
 */
export interface ConnectOptions extends CancelOptions {
  /** Overrides the client's `tls` property for this operation. */
  readonly tls?: boolean;
  /** Merged over the client's `tlsOptions` (this operation's keys win). */
  readonly tlsOptions?: ConnectionOptions | null;
  /**
   * Extension: called as each attempt ends — failed (with its own error), abandoned, or the
   * winner when the operation completes — e.g. to log `[::1]:80 failed: Connection refused`
   * while the other attempts go on (docs/timings.md). Async API only.
   */
  readonly onAttemptEnd?: ((attempt: ConnectAttempt) => void) | null;
}

/** The typed signal: `client.on('event', (event, connectable, connection) => …)`. */
export interface SocketClientEvents {
  /** `connection` is a SyncSocketConnection / SyncTlsClientConnection stand-in for the blocking API. */
  event: [
    event: SocketClientEvent,
    connectable: SocketConnectable,
    connection: EventConnection | SyncEventConnection | null,
  ];
}

/**
 * GSocketClient: connects to a host, URI, service or address the way GIO does — resolution,
 * Happy Eyeballs, proxies, TLS — emitting `'event'` at each stage. Reusable; operations may run
 * concurrently, each with its own state. Settings are read when an operation starts.
 */
export class SocketClient extends EventEmitter<SocketClientEvents> {
  #family = SocketFamily.INVALID;
  #localAddress: SocketAddress | null = null;
  #protocol = SocketProtocol.DEFAULT;
  #type = SocketType.STREAM;
  #timeout = 0;
  #connectTimeout = 0;
  #enableProxy = true;
  #tls = false;
  #tlsValidationFlags: TlsCertificateFlags = TlsCertificateFlags.VALIDATE_ALL;
  #proxyResolver: ProxyResolver | null = null;
  #resolver: Resolver | null = null;
  #attemptDelay = DEFAULT_ATTEMPT_DELAY_MS;
  #tlsOptions: ConnectionOptions | null = null;
  readonly #applicationProxies = new Set<string>();

  constructor(options: SocketClientOptions = {}) {
    super();
    if (options === null || typeof options !== 'object')
      throw invalidArgument('SocketClient options must be an object');
    if (options.family !== undefined) this.family = options.family;
    if (options.localAddress !== undefined) this.localAddress = options.localAddress;
    if (options.protocol !== undefined) this.protocol = options.protocol;
    if (options.type !== undefined) this.type = options.type;
    if (options.timeout !== undefined) this.timeout = options.timeout;
    if (options.connectTimeout !== undefined) this.connectTimeout = options.connectTimeout;
    if (options.enableProxy !== undefined) this.enableProxy = options.enableProxy;
    if (options.tls !== undefined) this.tls = options.tls;
    if (options.tlsValidationFlags !== undefined) this.tlsValidationFlags = options.tlsValidationFlags;
    if (options.proxyResolver !== undefined) this.proxyResolver = options.proxyResolver;
    if (options.resolver !== undefined) this.resolver = options.resolver;
    if (options.attemptDelay !== undefined) this.attemptDelay = options.attemptDelay;
    if (options.tlsOptions !== undefined) this.tlsOptions = options.tlsOptions;
  }

  // ---- properties (accessor + getX/setX, as GIO names them) ---------------------------------

  get family(): SocketFamily {
    return this.#family;
  }
  set family(value: SocketFamily) {
    if (![SocketFamily.INVALID, SocketFamily.UNIX, SocketFamily.IPV4, SocketFamily.IPV6].includes(value)) {
      throw invalidArgument(`Invalid family ${String(value)}: expected a SocketFamily value`);
    }
    this.#family = value;
  }
  getFamily(): SocketFamily {
    return this.family;
  }
  setFamily(value: SocketFamily): void {
    this.family = value;
  }

  get localAddress(): SocketAddress | null {
    return this.#localAddress;
  }
  set localAddress(value: SocketAddress | null) {
    if (value !== null && !(value instanceof InetSocketAddress)) {
      throw invalidArgument('localAddress must be an InetSocketAddress or null');
    }
    this.#localAddress = value;
  }
  getLocalAddress(): SocketAddress | null {
    return this.localAddress;
  }
  setLocalAddress(value: SocketAddress | null): void {
    this.localAddress = value;
  }

  get protocol(): SocketProtocol {
    return this.#protocol;
  }
  set protocol(value: SocketProtocol) {
    if (!Object.values(SocketProtocol).includes(value)) {
      throw invalidArgument(`Invalid protocol ${String(value)}: expected a SocketProtocol value`);
    }
    this.#protocol = value;
  }
  getProtocol(): SocketProtocol {
    return this.protocol;
  }
  setProtocol(value: SocketProtocol): void {
    this.protocol = value;
  }

  get type(): SocketType {
    return this.#type;
  }
  set type(value: SocketType) {
    if (![SocketType.STREAM, SocketType.DATAGRAM, SocketType.SEQPACKET].includes(value)) {
      throw invalidArgument(`Invalid socket type ${String(value)}: expected STREAM, DATAGRAM or SEQPACKET`);
    }
    this.#type = value;
  }
  getSocketType(): SocketType {
    return this.type;
  }
  setSocketType(value: SocketType): void {
    this.type = value;
  }

  /**
   * Seconds (fractions allowed); 0 = no timeout. Each connect stage must finish within it, and the
   * returned socket fails with TIMED_OUT after this long without I/O. At most 2,147,483.647.
   */
  get timeout(): number {
    return this.#timeout;
  }
  set timeout(value: number) {
    timeoutSecondsToMs('timeout', value);
    this.#timeout = value;
  }
  getTimeout(): number {
    return this.timeout;
  }
  setTimeout(value: number): void {
    this.timeout = value;
  }

  /** Extension: seconds the whole connect may take (resolution through TLS); 0 = no limit. */
  get connectTimeout(): number {
    return this.#connectTimeout;
  }
  set connectTimeout(value: number) {
    timeoutSecondsToMs('connectTimeout', value);
    this.#connectTimeout = value;
  }
  getConnectTimeout(): number {
    return this.connectTimeout;
  }
  setConnectTimeout(value: number): void {
    this.connectTimeout = value;
  }

  get enableProxy(): boolean {
    return this.#enableProxy;
  }
  set enableProxy(value: boolean) {
    this.#enableProxy = checkBoolean('enableProxy', value);
  }
  getEnableProxy(): boolean {
    return this.enableProxy;
  }
  setEnableProxy(value: boolean): void {
    this.enableProxy = value;
  }

  get tls(): boolean {
    return this.#tls;
  }
  set tls(value: boolean) {
    this.#tls = checkBoolean('tls', value);
  }
  getTls(): boolean {
    return this.tls;
  }
  setTls(value: boolean): void {
    this.tls = value;
  }

  get tlsValidationFlags(): TlsCertificateFlags {
    return this.#tlsValidationFlags;
  }
  set tlsValidationFlags(value: TlsCertificateFlags) {
    if (!Number.isInteger(value) || value < 0 || (value & ~TlsCertificateFlags.VALIDATE_ALL) !== 0) {
      throw invalidArgument(
        `Invalid tlsValidationFlags ${String(value)}: expected TlsCertificateFlags bits (0..0x7f)`,
      );
    }
    this.#tlsValidationFlags = value;
  }
  getTlsValidationFlags(): TlsCertificateFlags {
    return this.tlsValidationFlags;
  }
  setTlsValidationFlags(value: TlsCertificateFlags): void {
    this.tlsValidationFlags = value;
  }

  /** Never null: with none set, the default proxy resolver (GIO's getter does the same). */
  get proxyResolver(): ProxyResolver {
    return this.#proxyResolver ?? getDefaultProxyResolver();
  }
  set proxyResolver(value: ProxyResolver | null) {
    if (value !== null && (typeof value !== 'object' || typeof value.lookup !== 'function')) {
      throw invalidArgument('proxyResolver must implement ProxyResolver (lookup) or be null');
    }
    this.#proxyResolver = value;
  }
  getProxyResolver(): ProxyResolver {
    return this.proxyResolver;
  }
  setProxyResolver(value: ProxyResolver | null): void {
    this.proxyResolver = value;
  }

  /**
   * Extension: which proxies a connect to `uri` (`scheme://host:port`; `none://host:port` for
   * connectToHost) would try and why — from the proxy resolver and `enableProxy` — with
   * credentials redacted. Connects nothing.
   *
   * @example
   * const why = await client.explainProxy('https://example.com:443');
   * console.log(why.source, why.matchedIgnoreHost, why.proxies); // 'https_proxy' null ['http://***@proxy:3128']
   */
  explainProxy(uri: string, opts?: CancelOptions): Promise<ProxyExplanation> {
    return explainClientProxy(this.proxyResolver, this.#enableProxy, uri, opts);
  }

  get resolver(): Resolver {
    return this.#resolver ?? Resolver.getDefault();
  }
  set resolver(value: Resolver | null) {
    if (value !== null && !(value instanceof Resolver))
      throw invalidArgument('resolver must be a Resolver or null');
    this.#resolver = value;
  }
  getResolver(): Resolver {
    return this.resolver;
  }
  setResolver(value: Resolver | null): void {
    this.resolver = value;
  }

  /** Milliseconds between starting parallel connection attempts (RFC 8305: 100 ms minimum advised). */
  get attemptDelay(): number {
    return this.#attemptDelay;
  }
  set attemptDelay(value: number) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 60_000) {
      throw invalidArgument(`Invalid attemptDelay ${String(value)}: expected milliseconds from 1 to 60000`);
    }
    this.#attemptDelay = value;
  }
  getAttemptDelay(): number {
    return this.attemptDelay;
  }
  setAttemptDelay(value: number): void {
    this.attemptDelay = value;
  }

  get tlsOptions(): ConnectionOptions | null {
    return this.#tlsOptions;
  }
  set tlsOptions(value: ConnectionOptions | null) {
    if (value !== null && typeof value !== 'object')
      throw invalidArgument('tlsOptions must be an object or null');
    this.#tlsOptions = value === null ? null : refuseConflictingOptions(value);
  }
  getTlsOptions(): ConnectionOptions | null {
    return this.tlsOptions;
  }
  setTlsOptions(value: ConnectionOptions | null): void {
    this.tlsOptions = value;
  }

  /**
   * Proxy protocols the application negotiates itself: connections through them stop right after
   * TCP connect (no PROXY_* events, no TLS); check getRemoteAddress() for a ProxyAddress.
   */
  addApplicationProxy(protocol: string): void {
    if (typeof protocol !== 'string' || protocol === '')
      throw invalidArgument('protocol must be a non-empty string');
    this.#applicationProxies.add(protocol.toLowerCase());
  }

  // ---- Promise API ---------------------------------------------------------------------------

  /** g_socket_client_connect_async as a Promise. */
  connect(connectable: SocketConnectable, opts?: ConnectOptions): Promise<SocketConnection> {
    try {
      checkConnectable(connectable);
      return this.#run(connectable, opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  /** `host`, `host:port`, `[v6]:port` or `host:service`; parse errors reject before any event. */
  connectToHost(hostAndPort: string, defaultPort: number, opts?: ConnectOptions): Promise<SocketConnection> {
    try {
      return this.#run(NetworkAddress.parse(hostAndPort, defaultPort), opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  /** Strict URI (scheme://host[:port]/…); the scheme is not used to pick TLS or a port. */
  connectToUri(uri: string, defaultPort: number, opts?: ConnectOptions): Promise<SocketConnection> {
    try {
      return this.#run(NetworkAddress.parseUri(uri, defaultPort), opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  /**
   * g_socket_client_connect_to_service: the SRV targets of `_service._tcp.domain` in RFC 2782
   * order (or `domain:<port of service>` when there is no SRV record), §5. Errors name the domain.
   */
  connectToService(domain: string, service: string, opts?: ConnectOptions): Promise<SocketConnection> {
    try {
      return this.#run(new NetworkService(service, 'tcp', domain), opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  // ---- GIO callback API (…Async + …Finish); callbacks always run on a later tick ------------

  connectAsync(
    connectable: SocketConnectable,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketConnection>,
  ): void {
    this.#deliver(this.connect(connectable, { cancellable }), callback);
  }
  connectFinish(result: AsyncResult<SocketConnection>): SocketConnection {
    return result.propagate(this);
  }

  connectToHostAsync(
    hostAndPort: string,
    defaultPort: number,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketConnection>,
  ): void {
    this.#deliver(this.connectToHost(hostAndPort, defaultPort, { cancellable }), callback);
  }
  connectToHostFinish(result: AsyncResult<SocketConnection>): SocketConnection {
    return result.propagate(this);
  }

  connectToUriAsync(
    uri: string,
    defaultPort: number,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketConnection>,
  ): void {
    this.#deliver(this.connectToUri(uri, defaultPort, { cancellable }), callback);
  }
  connectToUriFinish(result: AsyncResult<SocketConnection>): SocketConnection {
    return result.propagate(this);
  }

  connectToServiceAsync(
    domain: string,
    service: string,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketConnection>,
  ): void {
    this.#deliver(this.connectToService(domain, service, { cancellable }), callback);
  }
  connectToServiceFinish(result: AsyncResult<SocketConnection>): SocketConnection {
    return result.propagate(this);
  }

  // ---- Blocking API (g_socket_client_connect…): the same engine on the sync engine thread ----
  // The calling thread blocks; its 'event' listeners are called on it, in order. See docs/sync.md.

  /** g_socket_client_connect: blocks until connected; built-in connectables and resolvers only. */
  connectSync(connectable: SocketConnectable, cancellable?: Cancellable | null): SyncSocketConnection {
    return blocking.connectSync(this, connectable, cancellable);
  }

  /** g_socket_client_connect_to_host, blocking; parse errors are thrown before any event. */
  connectToHostSync(
    hostAndPort: string,
    defaultPort: number,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection {
    return blocking.connectToHostSync(this, hostAndPort, defaultPort, cancellable);
  }

  /** g_socket_client_connect_to_uri, blocking. */
  connectToUriSync(uri: string, defaultPort: number, cancellable?: Cancellable | null): SyncSocketConnection {
    return blocking.connectToUriSync(this, uri, defaultPort, cancellable);
  }

  /** g_socket_client_connect_to_service, blocking. */
  connectToServiceSync(
    domain: string,
    service: string,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection {
    return blocking.connectToServiceSync(this, domain, service, cancellable);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** @internal the settings an operation starting now uses. */
  snapshotSettings(): OperationSettings {
    return {
      family: this.#family,
      type: this.#type,
      protocol: this.#protocol,
      localAddress: this.#localAddress,
      timeoutMs: Math.round(this.#timeout * 1000),
      connectTimeoutMs: Math.round(this.#connectTimeout * 1000),
      enableProxy: this.#enableProxy,
      tls: this.#tls,
      tlsValidationFlags: this.#tlsValidationFlags,
      tlsOptions: this.#tlsOptions,
      attemptDelayMs: this.#attemptDelay,
      applicationProxies: new Set(this.#applicationProxies),
    };
  }

  /** §3.1: proxies only when enabled and for STREAM sockets; the client's resolvers go along. */
  #enumerate(connectable: SocketConnectable): SocketAddressEnumerator {
    const opts = { resolver: this.#resolver, proxyResolver: this.#proxyResolver };
    const useProxy = this.#enableProxy && this.#type === SocketType.STREAM;
    return useProxy ? connectable.proxyEnumerate(opts) : connectable.enumerate(opts);
  }

  #run(connectable: SocketConnectable, opts?: ConnectOptions): Promise<SocketConnection> {
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
      throw invalidArgument('connect options must be an object');
    }
    const settings = withOverrides(this.snapshotSettings(), opts);
    const caller = new LinkedCancellable(opts?.cancellable, opts?.signal);
    const operation = new ConnectOperation(
      connectable,
      this.#enumerate(connectable),
      settings,
      caller,
      (event, connection) => this.#emitEvent(event, connectable, connection),
      checkListener(opts?.onAttemptEnd),
    );
    return operation.run();
  }

  /**
   * Listener exceptions must not corrupt an operation half-way: they are rethrown on a later tick
   * (as an uncaught exception, like a throwing 'data' listener), and the operation goes on.
   */
  #emitEvent(
    event: SocketClientEvent,
    connectable: SocketConnectable,
    connection: EventConnection | null,
  ): void {
    try {
      this.emit('event', event, connectable, connection);
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  }

  #deliver(promise: Promise<SocketConnection>, callback: AsyncReadyCallback<SocketConnection>): void {
    if (typeof callback !== 'function') throw invalidArgument('callback must be a function');
    promise.then(
      (value) => setImmediate(() => callback(this, new AsyncResult(this, { ok: true, value }))),
      (error: unknown) =>
        setImmediate(() => callback(this, new AsyncResult(this, { ok: false, error: toGError(error) }))),
    );
  }
}

/** The client's settings with one operation's overrides (ConnectOptions) applied. */
function withOverrides(settings: OperationSettings, opts: ConnectOptions | undefined): OperationSettings {
  if (opts === undefined || (opts.tls === undefined && opts.tlsOptions === undefined)) return settings;
  const tls = opts.tls === undefined ? settings.tls : checkBoolean('tls', opts.tls);
  let tlsOptions = settings.tlsOptions;
  if (opts.tlsOptions !== undefined && opts.tlsOptions !== null) {
    if (typeof opts.tlsOptions !== 'object') throw invalidArgument('tlsOptions must be an object or null');
    tlsOptions = refuseConflictingOptions({ ...settings.tlsOptions, ...opts.tlsOptions });
  }
  return { ...settings, tls, tlsOptions };
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidArgument(`${name} must be a boolean`);
  return value;
}

function checkListener(
  listener: ((attempt: ConnectAttempt) => void) | null | undefined,
): ((attempt: ConnectAttempt) => void) | null {
  if (listener === undefined || listener === null) return null;
  if (typeof listener !== 'function') throw invalidArgument('onAttemptEnd must be a function');
  return listener;
}

function checkConnectable(connectable: unknown): asserts connectable is SocketConnectable {
  const c = connectable as Partial<SocketConnectable> | null;
  if (
    !c ||
    typeof c !== 'object' ||
    typeof c.enumerate !== 'function' ||
    typeof c.proxyEnumerate !== 'function'
  ) {
    throw invalidArgument('connectable must implement SocketConnectable (enumerate/proxyEnumerate)');
  }
}

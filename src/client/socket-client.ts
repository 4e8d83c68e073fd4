import { refuseConflictingOptions } from '../tls/validation-options.js';
import { EventEmitter } from 'node:events';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { EnumerateOptions, SocketConnectable, SocketAddressEnumerator } from '../address/connectable.js';
import { NetworkAddress } from '../address/network-address.js';
import { InetSocketAddress, type SocketAddress } from '../address/socket-address.js';
import { Cancellable, LinkedCancellable, type CancelOptions } from '../cancellable.js';
import type { IOStream } from '../connection/io-stream.js';
import type { SocketConnection } from '../connection/socket-connection.js';
import type { TcpConnection } from '../connection/tcp-connection.js';
import type { TcpWrapperConnection } from '../connection/tcp-wrapper-connection.js';
import type { UnixConnection } from '../connection/unix-connection.js';
import type { DatagramConnection } from '../connection/datagram-connection.js';
import type { ConnectAttempt } from '../connection/timings.js';
import {
  IOErrorEnum,
  SocketClientEvent,
  SocketFamily,
  SocketProtocol,
  SocketType,
  TlsCertificateFlags,
} from '../errors/enums.js';
import { IOError, invalidArgument } from '../errors/gerror.js';
import { timeoutSecondsToMs } from '../timeout-value.js';
import { toGError } from '../errors/errno.js';
import { getDefaultProxyResolver } from '../proxy/proxy-resolver.js';
import type { ProxyResolver } from '../proxy/proxy-resolver.js';
import { explainClientProxy } from '../proxy/proxy-resolver.js';
// Loaded for its effect: it installs the proxy enumerator behind every proxyEnumerate() (src/address/proxy-enumeration.ts).
import '../proxy/proxy-address-enumerator.js';
import type { ProxyExplanation } from '../proxy/proxy-explanation.js';
import { Resolver } from '../resolver/resolver.js';
import { NetworkService } from '../resolver/network-service.js';
import { AsyncResult, type AsyncReadyCallback } from './async-result.js';
import type { BlockingEntryPoints } from './blocking-hook.js';
import { systemClock } from '../clock.js';
import { nodeTransport } from '../connection/transport.js';
import type { ClientNetwork } from './client-network.js';
import {
  ConnectOperation,
  type EmitEvent,
  type EventConnection,
  type OperationSettings,
} from './connect-operation.js';
import type { SyncSocketConnection } from '../sync/sync-socket-connection.js';
import type { SyncTlsClientConnection } from '../sync/sync-tls-connection.js';
import type { TlsClientConnection } from '../tls/tls-client-connection.js';

export { AsyncResult, type AsyncReadyCallback } from './async-result.js';
export type { EventConnection } from './connect-operation.js';

/**
 * The default {@link SocketClient.attemptDelay}: GIO's HAPPY_EYEBALLS_CONNECTION_ATTEMPT_DELAY_MS
 * (RFC 8305 section 5 recommends 250 ms).
 */
export const DEFAULT_ATTEMPT_DELAY_MS = 250;

/**
 * What a client's connect operations resolve to, by the socket type and `tls` it was made with
 * (or the operation's own `tls`): with TLS a `TcpWrapperConnection` whose base is the
 * TlsClientConnection and whose `stream` is the tls.TLSSocket; else `TcpConnection |
 * UnixConnection` for STREAM (through an HTTPS proxy the TcpWrapperConnection subclass),
 * `DatagramConnection` for DATAGRAM; SEQPACKET connects always fail (NOT_SUPPORTED), so a plain
 * SocketConnection. With `tls` unknown (`boolean`), either.
 *
 * @typeParam T - the socket type
 * @typeParam L - whether TLS is used
 */
export type SocketClientConnection<
  T extends SocketType = SocketType,
  L extends boolean = boolean,
> = L extends true
  ? TcpWrapperConnection<TlsClientConnection, TLSSocket>
  : T extends SocketType.STREAM
    ? TcpConnection | UnixConnection
    : T extends SocketType.DATAGRAM
      ? DatagramConnection
      : SocketConnection;

/**
 * Whether an operation uses TLS, statically: its options' `tls` when they set it, else the
 * client's (`L`); unknown (`boolean`) when the options are typed with `tls` optional.
 */
export type OperationTls<L extends boolean, O> = O extends {
  /** Not set: the client's. */
  readonly tls?: undefined;
}
  ? L
  : O extends {
        /** Set: the operation's. */
        readonly tls: infer B extends boolean;
      }
    ? B
    : boolean;

/** The options type of an operation that does not set `tls` (the client's `tls` applies). */
export interface NoTlsOverride extends ConnectOptions {
  /** Not set: the client's `tls` applies. */
  readonly tls?: undefined;
}

/**
 * The constructor options of {@link SocketClient}: each one sets the property of that name.
 *
 * @typeParam T - the socket type; it decides the static type of the connections returned.
 * @example
 * const client = new SocketClient({ timeout: 5, tls: true, tlsOptions: { ca: myCaPem } });
 */
export interface SocketClientOptions<T extends SocketType = SocketType, L extends boolean = boolean> {
  /** Family of the sockets created; INVALID (default) = the address's own (g_socket_client_set_family). */
  readonly family?: SocketFamily;
  /** Address to bind before connecting (port 0 = any). */
  readonly localAddress?: SocketAddress | null;
  /** The socket protocol: DEFAULT, TCP for STREAM, UDP for DATAGRAM (g_socket_client_set_protocol). */
  readonly protocol?: SocketProtocol;
  /**
   * STREAM (default), DATAGRAM (connected UDP) or SEQPACKET (g_socket_client_set_socket_type).
   * The client's type parameter is inferred from it, so `type: SocketType.DATAGRAM` makes every
   * connect resolve to a `DatagramConnection` statically too.
   */
  readonly type?: T;
  /**
   * Seconds; 0 = none. Bounds each stage of a connect (name resolution, each TCP attempt, proxy
   * negotiation, the TLS handshake), then is an inactivity timeout on the result, as in GIO.
   */
  readonly timeout?: number;
  /** Extension: seconds; 0 = none. Bounds the whole connect, resolution through TLS, nothing after. */
  readonly connectTimeout?: number;
  /** Whether proxies are used (default true; g_socket_client_set_enable_proxy). */
  readonly enableProxy?: boolean;
  /**
   * Whether a TLS handshake follows the connect (default false; g_socket_client_set_tls).
   * `tls: true` types the results as TcpWrapperConnections over a TlsClientConnection.
   */
  readonly tls?: L;
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

/**
 * The arguments of one `'event'` emission, as a union of tuples: comparing `event` narrows
 * `connection` (TypeScript's narrowing of dependent parameters), so a TLS_HANDSHAKING listener
 * can call `connection.onAcceptCertificate()` without a cast. The blocking API (…Sync) emits the
 * same events with stand-ins: a SyncSocketConnection where the async API has a SocketConnection,
 * a SyncTlsClientConnection for a TlsClientConnection, and null for any other stream (a custom
 * proxy's), hence the unions.
 *
 * @example
 * client.on('event', (event, connectable, connection) => {
 *   if (event === SocketClientEvent.TLS_HANDSHAKING) connection.onAcceptCertificate(() => false);
 *   if (event === SocketClientEvent.COMPLETE && connection === null) console.log('failed');
 * });
 */
export type SocketClientEventArgs =
  | [
      event: SocketClientEvent.RESOLVING | SocketClientEvent.RESOLVED,
      connectable: SocketConnectable,
      connection: null,
    ]
  | [
      event: SocketClientEvent.CONNECTING | SocketClientEvent.CONNECTED,
      connectable: SocketConnectable,
      connection: SocketConnection | SyncSocketConnection,
    ]
  | [
      event: SocketClientEvent.PROXY_NEGOTIATING | SocketClientEvent.PROXY_NEGOTIATED,
      connectable: SocketConnectable,
      connection: IOStream | SyncSocketConnection | SyncTlsClientConnection | null,
    ]
  | [
      event: SocketClientEvent.TLS_HANDSHAKING | SocketClientEvent.TLS_HANDSHAKED,
      connectable: SocketConnectable,
      connection: TlsClientConnection | SyncTlsClientConnection,
    ]
  | [
      event: SocketClientEvent.COMPLETE,
      connectable: SocketConnectable,
      connection: SocketConnection | SyncSocketConnection | null,
    ];

/** The typed signal: `client.on('event', (event, connectable, connection) => …)`. */
export interface SocketClientEvents {
  /** GSocketClient::event; see {@link SocketClientEventArgs} for what `connection` is per event. */
  event: SocketClientEventArgs;
}

/**
 * An `'event'` listener that takes the arguments unnarrowed (or fewer of them, or returns a
 * value): TypeScript checks such a function against a union of tuples only parameter by
 * parameter when it is offered as a plain signature, so the listener methods accept this form too.
 */
export type SocketClientEventListener = (
  event: SocketClientEvent,
  connectable: SocketConnectable,
  connection: EventConnection | SyncSocketConnection | SyncTlsClientConnection | null,
) => void;

/** A listener whose `connection` is narrowed by `event` (see {@link SocketClientEventArgs}). */
export type SocketClientNarrowingListener = (...args: SocketClientEventArgs) => void;

// The listener methods get two signatures each: the narrowing one first, so a listener with all
// three parameters is checked against it; then the plain one for `(event) => events.push(event)`
// style listeners, which TypeScript cannot match against a union of tuples.
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- merges with the class: same type parameters
export interface SocketClient<T extends SocketType = SocketType.STREAM, L extends boolean = boolean> {
  /**
   * Listens to GSocketClient::event; `connection` is narrowed by `event`.
   *
   * @example
   * client.on('event', (event, connectable, connection) => {
   *   if (event === SocketClientEvent.TLS_HANDSHAKING) connection.onAcceptCertificate(() => false);
   * });
   */
  on(eventName: 'event', listener: SocketClientNarrowingListener): this;
  /** Listens to GSocketClient::event with the arguments unnarrowed. */
  on(eventName: 'event', listener: SocketClientEventListener): this;
  /** Like {@link SocketClient.on}, for the next event only. */
  once(eventName: 'event', listener: SocketClientNarrowingListener): this;
  /** Like {@link SocketClient.on}, for the next event only, unnarrowed. */
  once(eventName: 'event', listener: SocketClientEventListener): this;
  /** Same as {@link SocketClient.on}. */
  addListener(eventName: 'event', listener: SocketClientNarrowingListener): this;
  /** Same as {@link SocketClient.on}, unnarrowed. */
  addListener(eventName: 'event', listener: SocketClientEventListener): this;
  /** Like {@link SocketClient.on}, called before the listeners already added. */
  prependListener(eventName: 'event', listener: SocketClientNarrowingListener): this;
  /** Like {@link SocketClient.on}, called before the listeners already added, unnarrowed. */
  prependListener(eventName: 'event', listener: SocketClientEventListener): this;
  /** Like {@link SocketClient.once}, called before the listeners already added. */
  prependOnceListener(eventName: 'event', listener: SocketClientNarrowingListener): this;
  /** Like {@link SocketClient.once}, called before the listeners already added, unnarrowed. */
  prependOnceListener(eventName: 'event', listener: SocketClientEventListener): this;
  /** Removes a listener added with {@link SocketClient.on}. */
  off(eventName: 'event', listener: SocketClientNarrowingListener): this;
  /** Removes a listener added with {@link SocketClient.on}, unnarrowed. */
  off(eventName: 'event', listener: SocketClientEventListener): this;
  /** Same as {@link SocketClient.off}. */
  removeListener(eventName: 'event', listener: SocketClientNarrowingListener): this;
  /** Same as {@link SocketClient.off}, unnarrowed. */
  removeListener(eventName: 'event', listener: SocketClientEventListener): this;
}

let blockingEngine: BlockingEntryPoints<SocketClient<SocketType>> | null = null;

/** @internal Called once by src/sync/sync-connect.ts when it is loaded (src/client/blocking-hook.ts). */
export function installBlockingEntryPoints(entryPoints: BlockingEntryPoints<SocketClient<SocketType>>): void {
  blockingEngine = entryPoints;
}

/**
 * The blocking engine's entry points. Missing only when a program deep-imports this module
 * without the package entry point; that is reported rather than guessed.
 */
function blocking(): BlockingEntryPoints<SocketClient<SocketType>> {
  if (blockingEngine === null) {
    throw new IOError(
      IOErrorEnum.NOT_SUPPORTED,
      'The blocking API needs its engine: import gsocketclient (or its sync-connect module) first',
    );
  }
  return blockingEngine;
}

/**
 * GSocketClient: connects to a host, URI, service or address the way GIO does — resolution,
 * Happy Eyeballs, proxies, TLS — emitting `'event'` at each stage. Reusable; operations may run
 * concurrently, each with its own state. Settings are read when an operation starts.
 *
 * The type parameter is the socket type, inferred from the constructor's `type` option (STREAM
 * when absent): a STREAM client's connects resolve to `TcpConnection | UnixConnection` (whose
 * `socket` and `stream` are net.Sockets), a DATAGRAM client's to `DatagramConnection`. Since the
 * static type follows the constructor option, the `type` property only accepts that type again
 * (a `SocketClient<SocketType>` accepts any).
 *
 * Likewise `tls: true` at construction types the results as TcpWrapperConnections whose
 * `getBaseIOStream()` is the TlsClientConnection and whose `stream` is the tls.TLSSocket (an
 * operation's own `tls` option wins), `tls: false` as the plain classes; without the option the
 * `tls` property may still be switched on, so a result may be either (for STREAM both are
 * TcpConnections with net.Socket streams; a DATAGRAM client wants `tls: false` too).
 *
 * @typeParam T - the socket type given at construction
 * @typeParam L - the `tls` given at construction (`boolean` when not given)
 * @example
 * const client = new SocketClient({ timeout: 5 });
 * const conn = await client.connectToHost('localhost:8080', 80); // TcpConnection | UnixConnection
 * conn.socket.setTimeout(0);
 * const udp = await new SocketClient({ type: SocketType.DATAGRAM, tls: false }).connectToHost('127.0.0.1:53', 53);
 * udp.stream.write(Buffer.from('ping')); // a DatagramStream
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class SocketClient<
  T extends SocketType = SocketType.STREAM,
  L extends boolean = boolean,
> extends EventEmitter<SocketClientEvents> {
  #family = SocketFamily.INVALID;
  #localAddress: SocketAddress | null = null;
  #protocol = SocketProtocol.DEFAULT;
  #type: SocketType = SocketType.STREAM;
  #timeout = 0;
  #connectTimeout = 0;
  #enableProxy = true;
  #tls = false;
  #tlsValidationFlags: TlsCertificateFlags = TlsCertificateFlags.VALIDATE_ALL;
  #proxyResolver: ProxyResolver | null = null;
  #resolver: Resolver | null = null;
  #network: ClientNetwork | null = null;
  #attemptDelay = DEFAULT_ATTEMPT_DELAY_MS;
  #tlsOptions: ConnectionOptions | null = null;
  /** Replaced, never changed, on each addApplicationProxy(): operations share it without a copy. */
  #applicationProxies: ReadonlySet<string> = new Set<string>();
  /** What every enumeration of this client is given; dropped when one of its parts changes. */
  #enumerateOptions: EnumerateOptions | null = null;
  /** Where every operation of this client sends its events (one function, not one per connect). */
  #operationEvents: EmitEvent | null = null;
  /** The settings record operations share; dropped by every setter, rebuilt on the next connect. */
  #settings: OperationSettings | null = null;

  /**
   * g_socket_client_new, with the properties set from `options`; invalid values throw
   * INVALID_ARGUMENT naming the option.
   */
  constructor(options: SocketClientOptions<T, L> = {}) {
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

  /** The socket family of the sockets created; INVALID (default) = the address's own. */
  get family(): SocketFamily {
    return this.#family;
  }
  /** g_socket_client_set_family; invalid values throw INVALID_ARGUMENT. */
  set family(value: SocketFamily) {
    if (![SocketFamily.INVALID, SocketFamily.UNIX, SocketFamily.IPV4, SocketFamily.IPV6].includes(value)) {
      throw invalidArgument(`Invalid family ${String(value)}: expected a SocketFamily value`);
    }
    this.#family = value;
    this.#settings = null;
  }
  /** g_socket_client_get_family. */
  getFamily(): SocketFamily {
    return this.family;
  }
  /** g_socket_client_set_family. */
  setFamily(value: SocketFamily): void {
    this.family = value;
  }

  /** Address bound before connecting (an InetSocketAddress, port 0 = any), or null. */
  get localAddress(): SocketAddress | null {
    return this.#localAddress;
  }
  /** g_socket_client_set_local_address; invalid values throw INVALID_ARGUMENT. */
  set localAddress(value: SocketAddress | null) {
    if (value !== null && !(value instanceof InetSocketAddress)) {
      throw invalidArgument('localAddress must be an InetSocketAddress or null');
    }
    this.#localAddress = value;
    this.#settings = null;
  }
  /** g_socket_client_get_local_address. */
  getLocalAddress(): SocketAddress | null {
    return this.localAddress;
  }
  /** g_socket_client_set_local_address. */
  setLocalAddress(value: SocketAddress | null): void {
    this.localAddress = value;
  }

  /** The socket protocol: DEFAULT, or TCP for STREAM / UDP for DATAGRAM. */
  get protocol(): SocketProtocol {
    return this.#protocol;
  }
  /** g_socket_client_set_protocol; invalid values throw INVALID_ARGUMENT. */
  set protocol(value: SocketProtocol) {
    if (!Object.values(SocketProtocol).includes(value)) {
      throw invalidArgument(`Invalid protocol ${String(value)}: expected a SocketProtocol value`);
    }
    this.#protocol = value;
    this.#settings = null;
  }
  /** g_socket_client_get_protocol. */
  getProtocol(): SocketProtocol {
    return this.protocol;
  }
  /** g_socket_client_set_protocol. */
  setProtocol(value: SocketProtocol): void {
    this.protocol = value;
  }

  /**
   * STREAM, DATAGRAM or SEQPACKET (g_socket_client_get_socket_type); typed as given at
   * construction, since it decides the connection classes returned.
   */
  get type(): T {
    return this.#type as T;
  }
  /** g_socket_client_set_socket_type. */
  set type(value: T) {
    if (![SocketType.STREAM, SocketType.DATAGRAM, SocketType.SEQPACKET].includes(value)) {
      throw invalidArgument(`Invalid socket type ${String(value)}: expected STREAM, DATAGRAM or SEQPACKET`);
    }
    this.#type = value;
    this.#settings = null;
  }
  /** g_socket_client_get_socket_type. */
  getSocketType(): T {
    return this.type;
  }
  /** g_socket_client_set_socket_type. */
  setSocketType(value: T): void {
    this.type = value;
  }

  /**
   * Seconds (fractions allowed); 0 = no timeout. Each connect stage must finish within it, and the
   * returned socket fails with TIMED_OUT after this long without I/O. At most 2,147,483.647.
   */
  get timeout(): number {
    return this.#timeout;
  }
  /** g_socket_client_set_timeout; invalid values throw INVALID_ARGUMENT. */
  set timeout(value: number) {
    timeoutSecondsToMs('timeout', value);
    this.#timeout = value;
    this.#settings = null;
  }
  /** g_socket_client_get_timeout. */
  getTimeout(): number {
    return this.timeout;
  }
  /** g_socket_client_set_timeout. */
  setTimeout(value: number): void {
    this.timeout = value;
  }

  /** Extension: seconds the whole connect may take (resolution through TLS); 0 = no limit. */
  get connectTimeout(): number {
    return this.#connectTimeout;
  }
  /** Extension: sets {@link SocketClient.connectTimeout}; invalid values throw INVALID_ARGUMENT. */
  set connectTimeout(value: number) {
    timeoutSecondsToMs('connectTimeout', value);
    this.#connectTimeout = value;
    this.#settings = null;
  }
  /** Extension: the getter of {@link SocketClient.connectTimeout}. */
  getConnectTimeout(): number {
    return this.connectTimeout;
  }
  /** Extension: the setter of {@link SocketClient.connectTimeout}. */
  setConnectTimeout(value: number): void {
    this.connectTimeout = value;
  }

  /** Whether proxies are used (default true); only STREAM sockets are proxied. */
  get enableProxy(): boolean {
    return this.#enableProxy;
  }
  /** g_socket_client_set_enable_proxy; invalid values throw INVALID_ARGUMENT. */
  set enableProxy(value: boolean) {
    this.#enableProxy = checkBoolean('enableProxy', value);
    this.#settings = null;
  }
  /** g_socket_client_get_enable_proxy. */
  getEnableProxy(): boolean {
    return this.enableProxy;
  }
  /** g_socket_client_set_enable_proxy. */
  setEnableProxy(value: boolean): void {
    this.enableProxy = value;
  }

  /**
   * Whether a TLS handshake follows the connect (g_socket_client_get_tls); typed as given at
   * construction, since it decides the connection class returned.
   */
  get tls(): L {
    return this.#tls as L;
  }
  /** g_socket_client_set_tls. */
  set tls(value: L) {
    this.#tls = checkBoolean('tls', value);
    this.#settings = null;
  }
  /** g_socket_client_get_tls. */
  getTls(): L {
    return this.tls;
  }
  /** g_socket_client_set_tls. */
  setTls(value: L): void {
    this.tls = value;
  }

  /** The certificate errors that make a certificate unacceptable (default VALIDATE_ALL; GIO deprecated it in 2.72, still honoured). */
  get tlsValidationFlags(): TlsCertificateFlags {
    return this.#tlsValidationFlags;
  }
  /** g_socket_client_set_tls_validation_flags; invalid values throw INVALID_ARGUMENT. */
  set tlsValidationFlags(value: TlsCertificateFlags) {
    if (!Number.isInteger(value) || value < 0 || (value & ~TlsCertificateFlags.VALIDATE_ALL) !== 0) {
      throw invalidArgument(
        `Invalid tlsValidationFlags ${String(value)}: expected TlsCertificateFlags bits (0..0x7f)`,
      );
    }
    this.#tlsValidationFlags = value;
    this.#settings = null;
  }
  /** g_socket_client_get_tls_validation_flags. */
  getTlsValidationFlags(): TlsCertificateFlags {
    return this.tlsValidationFlags;
  }
  /** g_socket_client_set_tls_validation_flags. */
  setTlsValidationFlags(value: TlsCertificateFlags): void {
    this.tlsValidationFlags = value;
  }

  /** Never null: with none set, the default proxy resolver (GIO's getter does the same). */
  get proxyResolver(): ProxyResolver {
    return this.#proxyResolver ?? getDefaultProxyResolver();
  }
  /** g_socket_client_set_proxy_resolver; invalid values throw INVALID_ARGUMENT. */
  set proxyResolver(value: ProxyResolver | null) {
    if (value !== null && (typeof value !== 'object' || typeof value.lookup !== 'function')) {
      throw invalidArgument('proxyResolver must implement ProxyResolver (lookup) or be null');
    }
    this.#proxyResolver = value;
    this.#enumerateOptions = null;
  }
  /** g_socket_client_get_proxy_resolver. */
  getProxyResolver(): ProxyResolver {
    return this.proxyResolver;
  }
  /** g_socket_client_set_proxy_resolver. */
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

  /**
   * @internal `gsocketclient/testing` puts a virtual network under the client: its operations
   * then take time from its clock and TCP sockets from its transport. The blocking API refuses it.
   */
  attachNetwork(network: ClientNetwork | null): void {
    this.#network = network;
    this.#settings = null;
    this.#enumerateOptions = null;
  }

  /** Extension: the resolver for this client's lookups; Resolver.getDefault() when none is set. */
  get resolver(): Resolver {
    return this.#resolver ?? Resolver.getDefault();
  }
  /** Sets it; invalid values throw INVALID_ARGUMENT. */
  set resolver(value: Resolver | null) {
    if (value !== null && !(value instanceof Resolver))
      throw invalidArgument('resolver must be a Resolver or null');
    this.#resolver = value;
    this.#enumerateOptions = null;
  }
  /** Extension: the getter of {@link SocketClient.resolver}. */
  getResolver(): Resolver {
    return this.resolver;
  }
  /** Extension: the setter of {@link SocketClient.resolver}. */
  setResolver(value: Resolver | null): void {
    this.resolver = value;
  }

  /** Milliseconds between starting parallel connection attempts (RFC 8305: 100 ms minimum advised). */
  get attemptDelay(): number {
    return this.#attemptDelay;
  }
  /** Sets it; invalid values throw INVALID_ARGUMENT. */
  set attemptDelay(value: number) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 60_000) {
      throw invalidArgument(`Invalid attemptDelay ${String(value)}: expected milliseconds from 1 to 60000`);
    }
    this.#attemptDelay = value;
    this.#settings = null;
  }
  /** Extension: the getter of {@link SocketClient.attemptDelay}. */
  getAttemptDelay(): number {
    return this.attemptDelay;
  }
  /** Extension: the setter of {@link SocketClient.attemptDelay}. */
  setAttemptDelay(value: number): void {
    this.attemptDelay = value;
  }

  /** Extension: Node tls options (ca, cert, key, ALPNProtocols, …) for the TLS handshake; conflicting ones (rejectUnauthorized: false, checkServerIdentity) are refused. */
  get tlsOptions(): ConnectionOptions | null {
    return this.#tlsOptions;
  }
  /** Sets it; invalid values throw INVALID_ARGUMENT. */
  set tlsOptions(value: ConnectionOptions | null) {
    if (value !== null && typeof value !== 'object')
      throw invalidArgument('tlsOptions must be an object or null');
    this.#tlsOptions = value === null ? null : refuseConflictingOptions(value);
    this.#settings = null;
  }
  /** Extension: the getter of {@link SocketClient.tlsOptions}. */
  getTlsOptions(): ConnectionOptions | null {
    return this.tlsOptions;
  }
  /** Extension: the setter of {@link SocketClient.tlsOptions}. */
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
    this.#applicationProxies = new Set([...this.#applicationProxies, protocol.toLowerCase()]);
    this.#settings = null;
  }

  // ---- Promise API ---------------------------------------------------------------------------

  /**
   * g_socket_client_connect_async as a Promise: connects to any SocketConnectable (a
   * NetworkAddress, NetworkService, InetSocketAddress, UnixSocketAddress, …).
   *
   * @example
   * const conn = await client.connect(new InetSocketAddress(InetAddress.newLoopback(SocketFamily.IPV6), 8080));
   */
  connect<const O extends ConnectOptions = NoTlsOverride>(
    connectable: SocketConnectable,
    opts?: O,
  ): Promise<SocketClientConnection<T, OperationTls<L, O>>> {
    try {
      checkConnectable(connectable);
      return this.#run(connectable, opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  /**
   * g_socket_client_connect_to_host_async as a Promise: `host`, `host:port`, `[v6]:port` or
   * `host:service`; parse errors reject before any event.
   *
   * @example
   * const conn = await client.connectToHost('localhost:8080', 80, { signal: AbortSignal.timeout(5000) });
   */
  connectToHost<const O extends ConnectOptions = NoTlsOverride>(
    hostAndPort: string,
    defaultPort: number,
    opts?: O,
  ): Promise<SocketClientConnection<T, OperationTls<L, O>>> {
    try {
      return this.#run(NetworkAddress.parse(hostAndPort, defaultPort), opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  /**
   * g_socket_client_connect_to_uri_async as a Promise: a strict URI (scheme://host[:port]/…);
   * the scheme is not used to pick TLS or a port, but proxies see it.
   */
  connectToUri<const O extends ConnectOptions = NoTlsOverride>(
    uri: string,
    defaultPort: number,
    opts?: O,
  ): Promise<SocketClientConnection<T, OperationTls<L, O>>> {
    try {
      return this.#run(NetworkAddress.parseUri(uri, defaultPort), opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  /**
   * g_socket_client_connect_to_service: the SRV targets of `_service._tcp.domain` in RFC 2782
   * order (or `domain:<port of service>` when there is no SRV record, GIO's fallback), as a
   * Promise. Errors name the domain.
   */
  connectToService<const O extends ConnectOptions = NoTlsOverride>(
    domain: string,
    service: string,
    opts?: O,
  ): Promise<SocketClientConnection<T, OperationTls<L, O>>> {
    try {
      return this.#run(new NetworkService(service, 'tcp', domain), opts);
    } catch (err) {
      return Promise.reject(toGError(err));
    }
  }

  // ---- GIO callback API (…Async + …Finish); callbacks always run on a later tick ------------

  /** g_socket_client_connect_async: `callback` runs on a later tick; pass its result to the …Finish method. */
  connectAsync(
    connectable: SocketConnectable,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketClientConnection<T, L>>,
  ): void {
    this.#deliver(this.connect<NoTlsOverride>(connectable, { cancellable }), callback);
  }
  /** g_socket_client_connect_finish: the connection, or throws the operation's GError. */
  connectFinish(result: AsyncResult<SocketClientConnection<T, L>>): SocketClientConnection<T, L> {
    return result.propagate(this);
  }

  /** g_socket_client_connect_to_host_async: `callback` runs on a later tick; pass its result to the …Finish method. */
  connectToHostAsync(
    hostAndPort: string,
    defaultPort: number,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketClientConnection<T, L>>,
  ): void {
    this.#deliver(this.connectToHost<NoTlsOverride>(hostAndPort, defaultPort, { cancellable }), callback);
  }
  /** g_socket_client_connect_to_host_finish: the connection, or throws the operation's GError. */
  connectToHostFinish(result: AsyncResult<SocketClientConnection<T, L>>): SocketClientConnection<T, L> {
    return result.propagate(this);
  }

  /** g_socket_client_connect_to_uri_async: `callback` runs on a later tick; pass its result to the …Finish method. */
  connectToUriAsync(
    uri: string,
    defaultPort: number,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketClientConnection<T, L>>,
  ): void {
    this.#deliver(this.connectToUri<NoTlsOverride>(uri, defaultPort, { cancellable }), callback);
  }
  /** g_socket_client_connect_to_uri_finish: the connection, or throws the operation's GError. */
  connectToUriFinish(result: AsyncResult<SocketClientConnection<T, L>>): SocketClientConnection<T, L> {
    return result.propagate(this);
  }

  /** g_socket_client_connect_to_service_async: `callback` runs on a later tick; pass its result to the …Finish method. */
  connectToServiceAsync(
    domain: string,
    service: string,
    cancellable: Cancellable | null,
    callback: AsyncReadyCallback<SocketClientConnection<T, L>>,
  ): void {
    this.#deliver(this.connectToService<NoTlsOverride>(domain, service, { cancellable }), callback);
  }
  /** g_socket_client_connect_to_service_finish: the connection, or throws the operation's GError. */
  connectToServiceFinish(result: AsyncResult<SocketClientConnection<T, L>>): SocketClientConnection<T, L> {
    return result.propagate(this);
  }

  // ---- Blocking API (g_socket_client_connect…): the same engine on the sync engine thread ----
  // The calling thread blocks; its 'event' listeners are called on it, in order. See docs/sync.md.

  /** g_socket_client_connect: blocks until connected; built-in connectables and resolvers only. */
  connectSync(connectable: SocketConnectable, cancellable?: Cancellable | null): SyncSocketConnection {
    return this.#blocking().connectSync(this, connectable, cancellable);
  }

  /** g_socket_client_connect_to_host, blocking; parse errors are thrown before any event. */
  connectToHostSync(
    hostAndPort: string,
    defaultPort: number,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection {
    return this.#blocking().connectToHostSync(this, hostAndPort, defaultPort, cancellable);
  }

  /** g_socket_client_connect_to_uri, blocking. */
  connectToUriSync(uri: string, defaultPort: number, cancellable?: Cancellable | null): SyncSocketConnection {
    return this.#blocking().connectToUriSync(this, uri, defaultPort, cancellable);
  }

  /** g_socket_client_connect_to_service, blocking. */
  connectToServiceSync(
    domain: string,
    service: string,
    cancellable?: Cancellable | null,
  ): SyncSocketConnection {
    return this.#blocking().connectToServiceSync(this, domain, service, cancellable);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** The blocking engine runs on its own thread, where a virtual network's sockets do not exist. */
  #blocking(): BlockingEntryPoints<SocketClient<SocketType>> {
    if (this.#network !== null) {
      throw new IOError(IOErrorEnum.NOT_SUPPORTED, 'The blocking API cannot run on a virtual network');
    }
    return blocking();
  }

  /**
   * @internal the settings an operation starting now uses. Frozen and shared by every operation
   * until a property changes: a connect builds no record of its own.
   */
  snapshotSettings(): OperationSettings {
    this.#settings ??= Object.freeze({
      family: this.#family,
      type: this.#type,
      protocol: this.#protocol,
      localAddress: this.#localAddress,
      timeoutMs: Math.round(this.#timeout * 1000),
      clock: this.#network?.clock ?? systemClock,
      transport: this.#network?.transport ?? nodeTransport,
      connectTimeoutMs: Math.round(this.#connectTimeout * 1000),
      enableProxy: this.#enableProxy,
      tls: this.#tls,
      tlsValidationFlags: this.#tlsValidationFlags,
      tlsOptions: this.#tlsOptions,
      attemptDelayMs: this.#attemptDelay,
      applicationProxies: this.#applicationProxies,
    });
    return this.#settings;
  }

  /**
   * Proxies only when enabled and for STREAM sockets (g_socket_client_connect_async does the
   * same); the client's resolvers go along.
   */
  #enumerate(connectable: SocketConnectable): SocketAddressEnumerator {
    const opts = (this.#enumerateOptions ??= Object.freeze({
      resolver: this.#resolver,
      proxyResolver: this.#proxyResolver,
      clock: this.#network?.clock ?? null,
    }));
    const useProxy = this.#enableProxy && this.#type === SocketType.STREAM;
    return useProxy ? connectable.proxyEnumerate(opts) : connectable.enumerate(opts);
  }

  #run<R extends SocketConnection>(connectable: SocketConnectable, opts?: ConnectOptions): Promise<R> {
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) {
      throw invalidArgument('connect options must be an object');
    }
    const settings = withOverrides(this.snapshotSettings(), opts);
    // Nothing to link when the caller gave neither a cancellable nor a signal.
    const caller =
      opts?.cancellable || opts?.signal ? new LinkedCancellable(opts.cancellable, opts.signal) : null;
    const operation = new ConnectOperation(
      connectable,
      this.#enumerate(connectable),
      settings,
      caller,
      (this.#operationEvents ??= (event, connection, target) => this.#emitEvent(event, target, connection)),
      checkListener(opts?.onAttemptEnd),
    );
    // The socket type decides the class each attempt makes (socket-attempt.ts) and TLS wraps it
    // (connect-operation.ts); `type` and `tls` only take T and L, so the callers' R is right.
    return operation.run() as Promise<R>;
  }

  /**
   * Listener exceptions must not corrupt an operation half-way: they are rethrown on a later tick
   * (as an uncaught exception, like a throwing 'data' listener), and the operation goes on.
   */
  #emitEvent(
    event: SocketClientEvent,
    connectable: SocketConnectable,
    connection: EventConnection | null,
  ): boolean {
    // Nobody listening: nothing to build the arguments for (most connects).
    if (this.listenerCount('event') === 0) return false;
    try {
      // The operation passes each event its own kind of connection (see SocketClientEventArgs).
      return this.emit('event', ...([event, connectable, connection] as SocketClientEventArgs));
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
      return true;
    }
  }

  #deliver(
    promise: Promise<SocketClientConnection<T, L>>,
    callback: AsyncReadyCallback<SocketClientConnection<T, L>>,
  ): void {
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

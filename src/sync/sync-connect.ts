/**
 * The blocking connect (g_socket_client_connect and friends). Where GIO's sync path is a
 * sequential loop of its own (docs/differences.md, docs/sync.md), ours runs the async engine —
 * Happy Eyeballs included — on the sync engine thread, so results and event sequences are those
 * of the async API. The calling thread blocks and meanwhile delivers the events to its own
 * 'event' listeners, in order.
 *
 * Everything the worker needs is checked and serialised here, before the first event, so a
 * connectable, resolver or option that cannot cross threads fails at once with NOT_SUPPORTED.
 */
import type { SocketConnectable } from '../address/connectable.js';
import { NetworkAddress } from '../address/network-address.js';
import { Cancellable, type CancelOptions } from '../cancellable.js';
import {
  installBlockingEntryPoints,
  type SocketClient,
  type SocketClientEventArgs,
} from '../client/socket-client.js';
import { IOErrorEnum, SocketClientEvent, SocketType } from '../errors/enums.js';
import { IOError, invalidArgument } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import type { ProxyResolver } from '../proxy/proxy-resolver.js';
import { recipeOf } from '../proxy/proxy-recipe.js';
import { DnsResolver } from '../resolver/dns-resolver.js';
import { PinnedResolver } from '../resolver/pinned-resolver.js';
import { NetworkService } from '../resolver/network-service.js';
import type { Resolver } from '../resolver/resolver.js';
import { SystemResolver } from '../resolver/system-resolver.js';
import { engine, type EngineChannel } from './channel.js';
import {
  describeAddress,
  describeConnectable,
  describeError,
  rebuildConnectable,
  rebuildError,
} from './codec.js';
import type {
  ConnectRequest,
  ConnectionDesc,
  ResolverDesc,
  SettingsDesc,
  WorkerMessage,
} from './protocol.js';
import { SharedCancellable } from './shared-cancellable.js';
import { SyncSocketConnection } from './sync-socket-connection.js';
import { attachAttempts, rebuildTimings } from './timings-codec.js';
import { SyncTlsClientConnection } from './sync-tls-connection.js';
import { cloneableTlsOptions } from './tls-options.js';

/** What 'event' listeners receive as `connection` during a blocking connect. */
export type SyncEventConnection = SyncSocketConnection | SyncTlsClientConnection;

type LookupSync = (uri: string) => string[];

/** g_socket_client_connect. */
export function connectSync(
  client: SocketClient<SocketType>,
  connectable: SocketConnectable,
  cancellable?: Cancellable | null,
): SyncSocketConnection {
  try {
    checkCancellable(cancellable);
    const { request, lookup } = buildRequest(client, connectable, cancellable ?? null);
    return run(client, connectable, request, lookup, cancellable ?? null);
  } catch (err) {
    throw toGError(err);
  }
}

/** g_socket_client_connect_to_host: parse errors are thrown before any event. */
export function connectToHostSync(
  client: SocketClient<SocketType>,
  hostAndPort: string,
  defaultPort: number,
  cancellable?: Cancellable | null,
): SyncSocketConnection {
  let address: NetworkAddress;
  try {
    address = NetworkAddress.parse(hostAndPort, defaultPort);
  } catch (err) {
    throw toGError(err);
  }
  return connectSync(client, address, cancellable);
}

/** g_socket_client_connect_to_uri. */
export function connectToUriSync(
  client: SocketClient<SocketType>,
  uri: string,
  defaultPort: number,
  cancellable?: Cancellable | null,
): SyncSocketConnection {
  let address: NetworkAddress;
  try {
    address = NetworkAddress.parseUri(uri, defaultPort);
  } catch (err) {
    throw toGError(err);
  }
  return connectSync(client, address, cancellable);
}

/** g_socket_client_connect_to_service: `_service._tcp.domain` (g_network_service_new, RFC 2782). */
export function connectToServiceSync(
  client: SocketClient<SocketType>,
  domain: string,
  service: string,
  cancellable?: Cancellable | null,
): SyncSocketConnection {
  let target: NetworkService;
  try {
    target = new NetworkService(service, 'tcp', domain);
  } catch (err) {
    throw toGError(err);
  }
  return connectSync(client, target, cancellable);
}

// SocketClient's …Sync methods call these (src/client/blocking-hook.ts).
installBlockingEntryPoints({ connectSync, connectToHostSync, connectToUriSync, connectToServiceSync });

// ---- the request -----------------------------------------------------------------------------

function buildRequest(
  client: SocketClient<SocketType>,
  connectable: SocketConnectable,
  cancellable: Cancellable | null,
): { request: ConnectRequest; lookup: LookupSync | null } {
  if (connectable === null || typeof connectable !== 'object') {
    throw invalidArgument('connectable must implement SocketConnectable (enumerate/proxyEnumerate)');
  }
  const target = describeConnectable(connectable);
  if (!target) {
    throw notSupported(
      `The blocking API cannot use the connectable ${className(connectable)}: its enumerate() would ` +
        'have to run on the sync engine thread, and only NetworkAddress, NetworkService, ' +
        'InetSocketAddress, ProxyAddress and UnixSocketAddress can be sent there. Use the async API.',
    );
  }
  const snapshot = client.snapshotSettings();
  const useProxy = snapshot.enableProxy && snapshot.type === SocketType.STREAM;
  // A concrete address other than an InetSocketAddress is enumerated plainly (no proxy lookup,
  // no resolver); an InetSocketAddress asks the proxy resolver, and resolves proxy host names.
  const plainAddress = target.kind === 'address' && (target.address.kind !== 'inet' || !useProxy);
  const proxyResolver = useProxy && !plainAddress ? client.proxyResolver : null;
  const recipe = proxyResolver ? recipeOf(proxyResolver) : null;
  // A built-in resolver that only reads data decides on the engine thread: no round trip.
  const lookup = proxyResolver && !recipe ? proxyLookup(proxyResolver) : null;
  const settings: SettingsDesc = {
    family: snapshot.family,
    type: snapshot.type,
    protocol: snapshot.protocol,
    localAddress: snapshot.localAddress ? describeAddress(snapshot.localAddress) : null,
    timeoutMs: snapshot.timeoutMs,
    connectTimeoutMs: snapshot.connectTimeoutMs,
    enableProxy: snapshot.enableProxy,
    tls: snapshot.tls,
    tlsValidationFlags: snapshot.tlsValidationFlags,
    tlsOptions:
      snapshot.tls && snapshot.tlsOptions ? cloneableTlsOptions(snapshot.tlsOptions, 'tlsOptions') : null,
    attemptDelayMs: snapshot.attemptDelayMs,
    applicationProxies: [...snapshot.applicationProxies],
  };
  const request: ConnectRequest = {
    connectable: target,
    settings,
    resolver: plainAddress ? { kind: 'system', timeout: 0 } : describeResolver(client.resolver),
    proxies: recipe ? { kind: 'engine', recipe } : lookup ? { kind: 'caller' } : { kind: 'none' },
    // Checked once, here: only a listener can run on this thread during the call, and with none
    // there is nobody to add one (docs/sync.md "Events").
    listening: client.listenerCount('event') > 0,
    cancel: cancellable instanceof SharedCancellable ? cancellable.buffer : null,
    cancelled: cancellable?.isCancelled() ? describeError(cancellable.error()) : null,
  };
  return { request, lookup };
}

/** The built-in resolvers, as data; a user-defined one cannot run on the engine thread. */
function describeResolver(resolver: Resolver): ResolverDesc {
  const proto: unknown = Object.getPrototypeOf(resolver);
  if (proto === SystemResolver.prototype) {
    return { kind: 'system', timeout: (resolver as SystemResolver).timeout };
  }
  if (proto === PinnedResolver.prototype) {
    const pinned = resolver as PinnedResolver;
    return { kind: 'pinned', pins: pinned.pins, fallback: describeResolver(pinned.fallback) };
  }
  if (proto === DnsResolver.prototype) {
    const dns = resolver as DnsResolver;
    return { kind: 'dns', servers: [...dns.servers], timeout: dns.timeout, tries: dns.tries };
  }
  throw notSupported(
    `The blocking API cannot use the resolver ${className(resolver)}: name lookups run on the sync ` +
      'engine thread, where only a SystemResolver, a DnsResolver or a PinnedResolver over them can be rebuilt. Use one of those, ' +
      'or the async API.',
  );
}

/**
 * Proxy lookups are answered on the calling thread while it blocks, so the resolver must be
 * able to answer synchronously (SimpleProxyResolver and EnvironmentProxyResolver can).
 */
function proxyLookup(resolver: ProxyResolver): LookupSync {
  const sync = (resolver as ProxyResolver & { lookupSync?: unknown }).lookupSync;
  if (typeof sync !== 'function') {
    throw notSupported(
      `The blocking API cannot use the proxy resolver ${className(resolver)}: the calling thread is ` +
        'blocked, so it must answer synchronously with lookupSync(uri). Use a SimpleProxyResolver, ' +
        'set enableProxy to false, or use the async API.',
    );
  }
  return (uri) => {
    const proxies: unknown = (sync as (uri: string, opts?: CancelOptions) => unknown).call(resolver, uri);
    return Array.isArray(proxies) ? proxies.filter((p): p is string => typeof p === 'string') : [];
  };
}

// ---- the blocking loop ------------------------------------------------------------------------

function run(
  client: SocketClient<SocketType>,
  connectable: SocketConnectable,
  request: ConnectRequest,
  lookup: LookupSync | null,
  cancellable: Cancellable | null,
): SyncSocketConnection {
  const channel = engine();
  const call = channel.open();
  const shown = new StandIns(channel, connectable, request.settings.timeoutMs);
  let finished = false;
  let cancelHandler = 0;
  try {
    channel.post({ op: 'connect', call, request });
    // A plain Cancellable can only be cancelled on this thread, i.e. from a listener: forward it.
    if (cancellable && !(cancellable instanceof SharedCancellable) && request.cancelled === null) {
      cancelHandler = cancellable.connect((c) =>
        channel.post({ op: 'cancel', call, reason: describeError(c.error()) }),
      );
    }
    // One message per pass; the operation ends with 'connected' or 'error'.
    for (;;) {
      const message = channel.receive(call);
      if (message.kind === 'error') {
        finished = true;
        throw attachAttempts(rebuildError(message.error), message.attempts);
      }
      const result = handle(message);
      if (result) {
        finished = true;
        return result;
      }
    }
  } finally {
    if (cancelHandler !== 0) cancellable?.disconnect(cancelHandler);
    if (!finished) {
      // This thread gave up (an internal failure): the worker must not keep anything for it.
      try {
        channel.post({ op: 'cancel', call, reason: null });
      } catch {
        // the worker is gone already
      }
    }
    channel.close(call);
  }

  function handle(message: WorkerMessage): SyncSocketConnection | null {
    switch (message.kind) {
      case 'event': {
        const connection = message.connection ? shown.show(message.connection) : null;
        const tls =
          connection instanceof SyncTlsClientConnection && message.gate !== null ? connection : null;
        tls?.openSettings();
        // The worker adopted the returned connection before COMPLETE: listeners may use it.
        if (message.event === SocketClientEvent.COMPLETE && connection instanceof SyncSocketConnection) {
          connection.markOpen();
        }
        emitEvent(client, message.event, connectable, connection);
        if (message.gate !== null) {
          channel.post({
            op: 'tls-changes',
            call,
            gate: message.gate,
            changes: tls ? tls.takeChanges() : null,
          });
        }
        return null;
      }
      case 'proxy-lookup': {
        let proxies: string[] | null = null;
        let error = null;
        try {
          proxies = lookup ? lookup(message.uri) : ['direct://'];
        } catch (err) {
          error = describeError(err);
        }
        channel.post({ op: 'proxy-lookup-reply', call, request: message.request, proxies, error });
        return null;
      }
      case 'accept-certificate': {
        const tls = shown.showTls(message.tlsId, message.tls);
        channel.post({
          op: 'accept-reply',
          call,
          request: message.request,
          accept: tls.decide(message.errors),
        });
        return null;
      }
      case 'connected': {
        for (const base of message.bases) shown.show(base);
        const connection = shown.show(message.connection);
        if (!(connection instanceof SyncSocketConnection)) {
          throw new IOError(
            IOErrorEnum.FAILED,
            'Internal error: the sync engine returned no socket connection',
          );
        }
        connection.markOpen();
        if (message.timings) connection.setTimings(rebuildTimings(message.timings));
        return connection;
      }
      default:
        throw new IOError(IOErrorEnum.FAILED, `Internal error: unexpected ${message.kind} message`);
    }
  }
}

/**
 * Listener exceptions must not break the blocking call half-way; as in the async API they are
 * rethrown on a later tick of this thread (SocketClient#emitEvent).
 */
function emitEvent(
  client: SocketClient<SocketType>,
  event: SocketClientEvent,
  connectable: SocketConnectable,
  connection: SyncEventConnection | null,
): void {
  try {
    // The worker sends each event with its own kind of connection (see SocketClientEventArgs).
    client.emit('event', ...([event, connectable, connection] as SocketClientEventArgs));
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
  }
}

/** The caller-side objects for the worker's connections, one per id for the whole call. */
class StandIns {
  readonly #channel: EngineChannel;
  readonly #target: SocketConnectable;
  readonly #timeoutMs: number;
  readonly #objects = new Map<number, SyncEventConnection>();

  constructor(channel: EngineChannel, target: SocketConnectable, timeoutMs: number) {
    this.#channel = channel;
    this.#target = target;
    this.#timeoutMs = timeoutMs;
  }

  show(desc: ConnectionDesc): SyncEventConnection | null {
    switch (desc.kind) {
      case 'tls':
        return this.showTls(desc.id, desc.tls);
      case 'socket': {
        let object = this.#objects.get(desc.id);
        if (!(object instanceof SyncSocketConnection)) {
          object = new SyncSocketConnection(this.#channel, desc, this.#timeoutMs);
          this.#objects.set(desc.id, object);
        }
        const base = desc.baseId !== null ? this.#objects.get(desc.baseId) : undefined;
        object.update(desc, base instanceof SyncTlsClientConnection ? base : null);
        return object;
      }
      case 'stream':
        return null;
    }
  }

  showTls(id: number, desc: Extract<ConnectionDesc, { kind: 'tls' }>['tls']): SyncTlsClientConnection {
    const identity = desc.identityIsTarget
      ? this.#target
      : desc.serverIdentity
        ? rebuildConnectable(desc.serverIdentity)
        : null;
    let object = this.#objects.get(id);
    if (!(object instanceof SyncTlsClientConnection)) {
      object = new SyncTlsClientConnection(desc, identity);
      this.#objects.set(id, object);
    }
    object.update(desc, identity, desc.baseId !== null ? (this.#objects.get(desc.baseId) ?? null) : null);
    return object;
  }
}

function checkCancellable(cancellable: unknown): void {
  if (cancellable !== undefined && cancellable !== null && !(cancellable instanceof Cancellable)) {
    throw invalidArgument('cancellable must be a Cancellable or null');
  }
}

function notSupported(message: string): IOError {
  return new IOError(IOErrorEnum.NOT_SUPPORTED, message);
}

function className(object: object): string {
  const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
  if (name === 'Object' || Object.getPrototypeOf(object) === null) return '(a plain object)';
  return typeof name === 'string' && name !== '' ? name : '(an object)';
}

import { LinkedCancellable, raceCancellable, type Cancellable } from '../cancellable.js';
import { ResolverNameLookupFlags, SocketFamily } from '../errors/enums.js';
import { invalidArgument, type GError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import { Resolver } from '../resolver/resolver.js';
import { systemClock, type Clock, type ClockTimer } from '../clock.js';
import {
  BaseAddressEnumerator,
  type EnumerateOptions,
  type SocketAddressEnumerator,
  type SocketConnectable,
} from './connectable.js';
import { checkHostname } from './hostname-check.js';
import { parseHostAndPort } from './host-and-port.js';
import { InetAddress } from './inet-address.js';
import { DestinationUri, isPlainDestination, proxyEnumeratorFor } from './proxy-enumeration.js';
import { InetSocketAddress, type SocketAddress } from './socket-address.js';
import { splitNetworkUri } from './uri.js';

/** RFC 8305 section 3 "Resolution Delay": how long an IPv4 answer waits for a pending IPv6 one. */
export const RESOLUTION_DELAY_MS = 50;

interface CacheEntry {
  readonly serial: number;
  readonly addresses: readonly InetAddress[];
}

interface SharedEntry extends CacheEntry {
  /** performance.now() when stored. */
  readonly at: number;
}

/** Names kept per resolver in the shared cache; the oldest is dropped first. */
const SHARED_CACHE_SIZE = 256;

/**
 * Answers reused across NetworkAddress objects (each connectToHost() makes a new one), per
 * resolver, for `resolver.cacheTtl` ms and while its serial is unchanged.
 */
const sharedCache = new WeakMap<Resolver, Map<string, SharedEntry>>();

/** IP literals kept parsed; the oldest is dropped first. */
const LITERAL_CACHE_SIZE = 256;

/**
 * IP literals already parsed, as the one-address list a literal enumerates to. InetAddress is
 * immutable, so connections to the same literal share one: connecting again parses nothing, and
 * an idle connection keeps no address text of its own.
 */
const literalCache = new Map<string, readonly InetAddress[]>();

function literalAddresses(hostname: string): readonly InetAddress[] | null {
  const cached = literalCache.get(hostname);
  if (cached !== undefined) return cached;
  const literal = InetAddress.newFromString(hostname);
  if (literal === null) return null;
  if (literalCache.size >= LITERAL_CACHE_SIZE) literalCache.delete(literalCache.keys().next().value!);
  const addresses = Object.freeze([literal]);
  literalCache.set(hostname, addresses);
  return addresses;
}

/**
 * GNetworkAddress: a host name (or IP literal) and port, resolved when enumerated. Addresses are
 * cached on the object per resolver, as GIO caches them, until the resolver's serial changes.
 *
 * @example
 * const address = NetworkAddress.parse('example.com:https', 443);
 * const conn = await new SocketClient().connect(address);
 */
export class NetworkAddress implements SocketConnectable {
  /** g_network_address_get_hostname: as given (not IDNA-converted; an IPv6 literal without brackets). */
  readonly hostname: string;
  /** g_network_address_get_port: 0 to 65535. */
  readonly port: number;
  /** g_network_address_get_scheme: the URI scheme it was parsed from, or null. */
  readonly scheme: string | null;
  /** Made when an answer is first stored: an IP literal never needs it. */
  #cache: WeakMap<Resolver, CacheEntry> | null = null;
  /** new_loopback(): a fixed list no resolver is asked about. */
  #fixed: readonly InetAddress[] | null = null;

  /**
   * g_network_address_new: no parsing, `hostname` is taken as is. Throws INVALID_ARGUMENT for a
   * port outside 0..65535 or a name with control characters.
   */
  constructor(hostname: string, port: number, scheme?: string | null) {
    if (typeof hostname !== 'string') throw invalidArgument('NetworkAddress hostname must be a string');
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw invalidArgument(`Invalid port ${String(port)}: must be an integer from 0 to 65535`);
    }
    // Not in GIO, which passes the name on as is: a CR or LF would reach a proxy's request line.
    checkHostname(hostname);
    this.hostname = hostname;
    this.port = port;
    this.scheme = scheme ?? null;
  }

  /** g_network_address_parse: `host`, `host:port`, `[v6]:port`, `host:service`. */
  static parse(hostAndPort: string, defaultPort: number): NetworkAddress {
    checkDefaultPort(defaultPort);
    if (typeof hostAndPort !== 'string') throw invalidArgument('host_and_port must be a string');
    const { host, port } = parseHostAndPort(hostAndPort, defaultPort);
    return new NetworkAddress(host, port);
  }

  /** g_network_address_parse_uri: strict URI, keeps the (lower-cased) scheme. */
  static parseUri(uri: string, defaultPort: number): NetworkAddress {
    checkDefaultPort(defaultPort);
    if (typeof uri !== 'string') throw invalidArgument('uri must be a string');
    const parts = splitNetworkUri(uri);
    return new NetworkAddress(parts.host, parts.port <= 0 ? defaultPort : parts.port, parts.scheme);
  }

  /** g_network_address_new_loopback: `localhost` that enumerates [::1, 127.0.0.1] without DNS. */
  static loopback(port: number): NetworkAddress {
    const na = new NetworkAddress('localhost', port);
    na.#fixed = [InetAddress.newLoopback(SocketFamily.IPV6), InetAddress.newLoopback(SocketFamily.IPV4)];
    return na;
  }

  /** g_network_address_get_hostname. */
  getHostname(): string {
    return this.hostname;
  }
  /** g_network_address_get_port. */
  getPort(): number {
    return this.port;
  }
  /** g_network_address_get_scheme. */
  getScheme(): string | null {
    return this.scheme;
  }

  /** `[scheme:]hostname[:port]`; IPv6 is not bracketed, port 0 is left out (GIO's to_string). */
  toString(): string {
    return `${this.scheme !== null ? `${this.scheme}:` : ''}${this.hostname}${this.port !== 0 ? `:${this.port}` : ''}`;
  }

  /**
   * g_socket_connectable_enumerate: resolves the name (unless an IP literal) and yields the
   * addresses in Happy Eyeballs order (RFC 8305: IPv6 and IPv4 interleaved).
   */
  enumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    return new NetworkAddressEnumerator(
      this,
      opts?.resolver ?? Resolver.getDefault(),
      opts?.clock ?? systemClock,
    );
  }

  /**
   * The destination URI given to the proxy resolver: `<scheme or none>://host:port` (what
   * g_network_address_get_scheme and g_proxy_resolver_lookup see).
   */
  proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    const scheme = this.scheme ?? 'none';
    // The URI is joinNetworkUri(scheme, hostname, port), which DestinationUri builds itself.
    const destination = new DestinationUri(
      scheme,
      this.hostname,
      this.port,
      null,
      isPlainDestination(scheme, this.hostname),
    );
    return proxyEnumeratorFor(this, destination, opts);
  }

  /** @internal */
  knownAddresses(resolver: Resolver): readonly InetAddress[] | null {
    if (this.#fixed) return this.#fixed;
    const literal = literalAddresses(this.hostname);
    if (literal) return literal;
    const serial = resolver.serial;
    const entry = this.#cache?.get(resolver);
    if (entry && entry.serial === serial) return entry.addresses;
    const ttl = resolver.cacheTtl;
    if (ttl <= 0) return null;
    const shared = sharedCache.get(resolver)?.get(this.hostname);
    if (!shared || shared.serial !== serial || performance.now() - shared.at >= ttl) return null;
    return shared.addresses;
  }

  /** @internal written once both families have answered. */
  storeAddresses(resolver: Resolver, addresses: readonly InetAddress[]): void {
    const serial = resolver.serial;
    (this.#cache ??= new WeakMap()).set(resolver, { serial, addresses });
    if (resolver.cacheTtl <= 0) return;
    let names = sharedCache.get(resolver);
    if (!names) sharedCache.set(resolver, (names = new Map<string, SharedEntry>()));
    names.delete(this.hostname);
    if (names.size >= SHARED_CACHE_SIZE) names.delete(names.keys().next().value!);
    names.set(this.hostname, { serial, addresses, at: performance.now() });
  }
}

function checkDefaultPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalidArgument(`Invalid default port ${String(port)}: must be an integer from 0 to 65535`);
  }
}

type FamilyState =
  | { readonly kind: 'pending' }
  | { readonly kind: 'done'; readonly addresses: readonly InetAddress[] }
  | { readonly kind: 'failed'; readonly error: GError; readonly at: number };

const PENDING: FamilyState = Object.freeze({ kind: 'pending' });

/**
 * The Happy Eyeballs address enumerator (GNetworkAddressAddressEnumerator in gio/gnetworkaddress.c, with the
 * fixes listed in docs/differences.md): AAAA and A lookups run in parallel (one lookup split by family when
 * the resolver answers both at once, as getaddrinfo with AF_UNSPEC does); an IPv4 answer waits up to
 * RESOLUTION_DELAY_MS for IPv6 (RFC 8305 section 3); addresses are handed out interleaved by family, starting
 * with IPv6 and then alternating from the family last handed out. Unlike GIO 2.74, a negative IPv4 answer
 * never ends the lookup while IPv6 is still pending, and IPv6 arriving inside the delay goes first.
 */
export class NetworkAddressEnumerator extends BaseAddressEnumerator {
  readonly #address: NetworkAddress;
  readonly #resolver: Resolver;
  /** A list known without a lookup (an IP literal, cached addresses), handed out from #fixedNext. */
  #fixed: readonly InetAddress[] | null = null;
  #fixedNext = 0;
  #started = false;
  #v6: FamilyState = PENDING;
  #v4: FamilyState = PENDING;
  /** Addresses resolved but not yet handed out, already in hand-out order. */
  #queue: InetAddress[] = [];
  /** Every address the lookups answered (made with the first answer). */
  #all: InetAddress[] | null = null;
  #handedOut = 0;
  #lastFamily: SocketFamily | null = null;
  #delayExpired = false;
  #delayTimer: ClockTimer | null = null;
  readonly #clock: Clock;
  #wake: (() => void) | null = null;
  #lookupCancel: LinkedCancellable | null = null;
  #failureCounter = 0;
  /** Set by a cancelled request or close(): the lookups were cut short, so nothing is cached. */
  #stopped = false;

  constructor(address: NetworkAddress, resolver: Resolver, clock: Clock = systemClock) {
    super();
    this.#clock = clock;
    this.#address = address;
    this.#resolver = resolver;
  }

  /** Whether a fixed list (an IP literal, cached addresses) has been handed out entirely. */
  get exhausted(): boolean {
    return this.#fixed !== null && this.#fixedNext >= this.#fixed.length;
  }

  /** A fixed list (IP literal, cached addresses) answers without waiting; a lookup does not. */
  protected override knownAddress(): SocketAddress | null | undefined {
    if (this.#fixed === null && !this.#started) this.#fixed = this.#address.knownAddresses(this.#resolver);
    if (this.#fixed === null) return undefined;
    return this.#takeFixed(this.#fixed);
  }

  /** The next address of the fixed list (never changed: it may be the shared cache's). */
  #takeFixed(fixed: readonly InetAddress[]): SocketAddress | null {
    if (this.#fixedNext >= fixed.length) return null;
    return new InetSocketAddress(fixed[this.#fixedNext++], this.#address.port);
  }

  protected async nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    cancellable?.throwIfCancelled();
    if (this.#fixed === null && !this.#started) this.#fixed = this.#address.knownAddresses(this.#resolver);
    if (this.#fixed) return this.#takeFixed(this.#fixed);
    if (!this.#started) this.#start();
    for (;;) {
      const ready = this.#take();
      if (ready !== undefined) {
        if (ready instanceof InetAddress) return new InetSocketAddress(ready, this.#address.port);
        if (ready === null) return null;
        throw ready;
      }
      await raceCancellable(new Promise<void>((resolve) => (this.#wake = resolve)), cancellable, () =>
        this.#stop(),
      );
    }
  }

  /** What the current request gets now: an address, null (end), an error, or undefined (wait). */
  #take(): InetAddress | GError | null | undefined {
    const v6 = this.#v6;
    const v4 = this.#v4;
    const bothSettled = v6.kind !== 'pending' && v4.kind !== 'pending';
    if (this.#queue.length > 0) {
      // The first address waits for IPv6 while the resolution delay runs (RFC 8305 section 3).
      const mayHandOut = this.#handedOut > 0 || v6.kind !== 'pending' || this.#delayExpired;
      if (!mayHandOut) return undefined;
      const next = this.#queue.shift()!;
      this.#handedOut++;
      this.#lastFamily = next.family;
      return next;
    }
    if (!bothSettled) return undefined;
    if (this.#handedOut > 0) return null;
    // Both failed: report the one that failed last (GIO's rule).
    if (v6.kind === 'failed' && v4.kind === 'failed') return v6.at > v4.at ? v6.error : v4.error;
    if (v6.kind === 'failed') return v6.error;
    if (v4.kind === 'failed') return v4.error;
    return null;
  }

  #start(): void {
    this.#started = true;
    this.#lookupCancel = new LinkedCancellable();
    const host = this.#address.hostname;
    if (this.#resolver.answersBothFamiliesAtOnce) {
      this.#lookupBoth(host);
      return;
    }
    const run = (family: SocketFamily.IPV4 | SocketFamily.IPV6): void => {
      const settle = (state: FamilyState): void => {
        if (family === SocketFamily.IPV6) this.#v6 = state;
        else this.#v4 = state;
      };
      const flags =
        family === SocketFamily.IPV6 ? ResolverNameLookupFlags.IPV6_ONLY : ResolverNameLookupFlags.IPV4_ONLY;
      this.#resolver.lookupByNameWithFlags(host, flags, { cancellable: this.#lookupCancel }).then(
        (addresses) => {
          // A resolver may ignore the family filter for literals; keep what belongs to this family.
          const mine = addresses.filter((a) => a.family === family);
          settle({ kind: 'done', addresses: mine });
          this.#merge(mine);
          if (family === SocketFamily.IPV4 && this.#v6.kind === 'pending' && this.#handedOut === 0) {
            this.#armResolutionDelay();
          }
          this.#settled();
        },
        (err: unknown) => {
          settle({ kind: 'failed', error: toGError(err), at: ++this.#failureCounter });
          this.#settled();
        },
      );
    };
    run(SocketFamily.IPV6);
    run(SocketFamily.IPV4);
  }

  /**
   * One DEFAULT lookup (getaddrinfo with AF_UNSPEC) split by family: both families settle at once,
   * so no resolution delay is needed; a failure is both families' failure, as two per-family
   * lookups of a name that does not exist would give the same error twice.
   */
  #lookupBoth(host: string): void {
    this.#resolver
      .lookupByNameWithFlags(host, ResolverNameLookupFlags.DEFAULT, { cancellable: this.#lookupCancel })
      .then(
        (addresses) => {
          const v6 = addresses.filter((a) => a.family === SocketFamily.IPV6);
          const v4 = addresses.filter((a) => a.family === SocketFamily.IPV4);
          this.#v6 = { kind: 'done', addresses: v6 };
          this.#v4 = { kind: 'done', addresses: v4 };
          this.#merge([...v6, ...v4]);
          this.#settled();
        },
        (err: unknown) => {
          const error = toGError(err);
          this.#v6 = { kind: 'failed', error, at: ++this.#failureCounter };
          this.#v4 = { kind: 'failed', error, at: ++this.#failureCounter };
          this.#settled();
        },
      );
  }

  #armResolutionDelay(): void {
    if (this.#delayTimer || this.#delayExpired) return;
    this.#delayTimer = this.#clock.setTimeout(() => {
      this.#delayTimer = null;
      this.#delayExpired = true;
      this.#notify();
    }, RESOLUTION_DELAY_MS);
  }

  /** Re-interleaves what is left plus the new answers, starting opposite the last family handed out. */
  #merge(fresh: readonly InetAddress[]): void {
    (this.#all ??= []).push(...fresh);
    const pool = [...this.#queue, ...fresh];
    const v6 = pool.filter((a) => a.family === SocketFamily.IPV6);
    const v4 = pool.filter((a) => a.family === SocketFamily.IPV4);
    const firstV6 = this.#lastFamily !== SocketFamily.IPV6;
    const [a, b] = firstV6 ? [v6, v4] : [v4, v6];
    const out: InetAddress[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i < a.length) out.push(a[i]);
      if (i < b.length) out.push(b[i]);
    }
    this.#queue = out;
  }

  #settled(): void {
    const v6 = this.#v6;
    const v4 = this.#v4;
    if (v6.kind !== 'pending' && v4.kind !== 'pending') {
      this.#clearTimer();
      this.#lookupCancel?.dispose();
      // A lookup cancelled by us is not an answer: caching the other family alone would hide
      // this family from every later enumeration until the resolver's serial changes.
      if (this.#all !== null && this.#all.length > 0 && !this.#stopped) {
        this.#address.storeAddresses(this.#resolver, interleave(this.#all));
      }
    }
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #clearTimer(): void {
    if (this.#delayTimer) this.#clock.clearTimeout(this.#delayTimer);
    this.#delayTimer = null;
  }

  override close(): void {
    this.#stop();
  }

  /** Cancelled request: stop lookups and timers so nothing of ours outlives the enumeration. */
  #stop(): void {
    this.#stopped = true;
    this.#clearTimer();
    this.#lookupCancel?.cancel();
    this.#lookupCancel?.dispose();
  }
}

function interleave(addresses: readonly InetAddress[]): InetAddress[] {
  const v6 = addresses.filter((a) => a.family === SocketFamily.IPV6);
  const v4 = addresses.filter((a) => a.family === SocketFamily.IPV4);
  const out: InetAddress[] = [];
  for (let i = 0; i < Math.max(v6.length, v4.length); i++) {
    if (i < v6.length) out.push(v6[i]);
    if (i < v4.length) out.push(v4[i]);
  }
  return out;
}

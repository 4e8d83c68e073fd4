import { Cancellable, LinkedCancellable, raceCancellable, isCancelledError } from '../cancellable.js';
import {
  BaseAddressEnumerator,
  takeKnownAddress,
  type EnumerateOptions,
  type SocketAddressEnumerator,
  type SocketConnectable,
} from '../address/connectable.js';
import { InetAddress } from '../address/inet-address.js';
import { NetworkAddress } from '../address/network-address.js';
import { InetSocketAddress, ProxyAddress, type SocketAddress } from '../address/socket-address.js';
import { installProxyEnumerator, type DestinationUri } from '../address/proxy-enumeration.js';
import { redactUri, splitUriWithUser } from '../address/uri.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError, type GError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import { Resolver } from '../resolver/resolver.js';
import { getProxyForProtocol } from './proxy.js';
import { checkLookup, proxyWarning, redactForLog } from './lookup-checks.js';
import { getDefaultProxyResolver, type ProxyResolver } from './proxy-resolver.js';
import {
  annotateProxyFailure,
  decideProxy,
  decideQuickly,
  isQuickResolver,
  type DecidingResolver,
  type ProxyDecision,
  type ProxyFailureInfo,
} from './proxy-explanation.js';

/** Where the connection finally goes, from the destination URI. */
interface Destination {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number;
}

/** `direct://`: the connectable's own addresses, handed out unchanged. */
interface DirectSource {
  readonly kind: 'direct';
  readonly addresses: SocketAddressEnumerator;
}

/** One proxy URI: the proxy server's addresses, each wrapped in a ProxyAddress. */
interface ProxySource {
  readonly kind: 'proxy';
  readonly addresses: SocketAddressEnumerator;
  readonly protocol: string;
  readonly uri: string;
  readonly username: string | null;
  readonly password: string | null;
  readonly supportsHostname: boolean;
  /** The proxy (redacted) and where the resolver got it, for errors (`err.proxy`). */
  readonly origin: ProxyFailureInfo;
  /** Another proxy URI of this lookup names the same server (isSameServerAlternative). */
  readonly sameServer: boolean;
  /** SOCKS4 only: the destination resolved locally, and the proxy address being paired with it. */
  destinationIps: readonly InetAddress[] | null;
  proxyAddress: InetSocketAddress | null;
  nextIp: number;
}

type Source = DirectSource | ProxySource;

/**
 * Proxy addresses whose server is also named by another proxy URI of the same lookup, with
 * another scheme: `socks://h` expands to socks5, socks4a and socks4 of one server. Trying them in
 * parallel gains nothing and would make socks4 resolve the destination locally while socks5 is
 * still being asked (a DNS leak), so the engine tries them one at a time.
 */
const sameServerAlternatives = new WeakSet<SocketAddress>();

/** The proxy and source of each ProxyAddress handed out, so a failure through it can name them. */
const proxyOrigins = new WeakMap<SocketAddress, ProxyFailureInfo>();

/**
 * Puts on `error` (a connect to, or negotiation with, the proxy at `address`) which proxy it was
 * and where it came from, as `err.proxy`; nothing for a direct address.
 */
export function noteProxyFailure(error: GError, address: SocketAddress): void {
  if (!(address instanceof ProxyAddress)) return;
  const uri =
    address.uri ?? `${address.protocol}://${new InetSocketAddress(address.address, address.port).toString()}`;
  annotateProxyFailure(error, proxyOrigins.get(address) ?? { uri: redactUri(uri), source: 'ProxyAddress' });
}

/** Whether `address` is one of several proxy URIs to the same server (see above). */
export function isSameServerAlternative(address: SocketAddress): boolean {
  return sameServerAlternatives.has(address);
}

/**
 * GProxyAddressEnumerator (gio/gproxyaddressenumerator.c): asks the proxy resolver once which proxies to use
 * for `destUri`, then yields, proxy URI by proxy URI, either the connectable's own addresses
 * (`direct://`) or the proxy server's addresses as ProxyAddresses that say where to go next.
 *
 * Differences from GIO 2.74 (docs/differences.md): proxy schemes are lower-cased (`DIRECT://` is direct,
 * `SOCKS5://` is socks5); a proxy URI without a port gets its scheme's default port (GLib 2.77+).
 * Errors follow GLib's fix for #2597: only the first `next()` can fail — with the first error seen,
 * or FAILED "Unspecified proxy lookup failure" when the resolver gave nothing usable — and after a
 * first result only cancellation is reported; other errors just end the enumeration.
 */
export class ProxyAddressEnumerator extends BaseAddressEnumerator {
  readonly #connectable: SocketConnectable;
  /** The destination URI, built on first use when the connectable gave its parts. */
  #destUri: string | DestinationUri;
  readonly #opts: EnumerateOptions;
  /** Parsed from the destination URI when the first proxy URI needs it (undefined: not yet). */
  #destination: Destination | null | undefined = undefined;
  #destinationError: GError | null = null;
  #proxies: readonly string[] | null = null;
  #resolver: ProxyResolver | null = null;
  /** This package's resolvers' own account of the lookup, asked once a proxy is used. */
  #decision: ProxyDecision | null = null;
  #nextProxy = 0;
  #source: Source | null = null;
  #everEnumerated = false;
  #firstError: GError | null = null;
  #finished = false;
  /** Cancelled by close(), stopping the work of a call in progress. */
  #closer: Cancellable | null = null;

  /**
   * g_proxy_address_enumerator (its `connectable`, `uri` and `default-port` properties): the
   * enumerator a connectable's `proxyEnumerate()` returns; `destUri` is `scheme://host:port`.
   */
  constructor(connectable: SocketConnectable, destUri: string, opts?: EnumerateOptions) {
    super();
    this.#connectable = connectable;
    this.#destUri = destUri;
    this.#opts = opts ?? {};
  }

  static {
    // The address layer's proxyEnumerate() methods delegate here (src/address/proxy-enumeration.ts);
    // they may give the destination as a DestinationUri, built only if a lookup needs it.
    installProxyEnumerator((connectable, destination, opts) => {
      const enumerator = new ProxyAddressEnumerator(connectable, '', opts);
      enumerator.#destUri = destination;
      return enumerator;
    });
  }

  /** The destination URI given to the proxy resolver. */
  get uri(): string {
    return typeof this.#destUri === 'string' ? this.#destUri : this.#destUri.uri;
  }

  /** Where a proxy must take the connection, parsed from the URI once; null if it cannot be. */
  #target(): Destination | null {
    if (this.#destination !== undefined) return this.#destination;
    const given = this.#destUri;
    const defaultPort = this.#opts.defaultPort ?? 0;
    if (typeof given !== 'string' && given.plain && isPort(defaultPort)) {
      // A plain URI parses back to the parts it was made of: no need to parse it.
      this.#destination = {
        protocol: given.scheme.toLowerCase(),
        hostname: given.host,
        port: given.port > 0 ? given.port : defaultPort,
      };
      return this.#destination;
    }
    try {
      const dest = NetworkAddress.parseUri(this.uri, defaultPort);
      this.#destination = {
        protocol: (dest.scheme ?? '').toLowerCase(),
        hostname: dest.hostname,
        port: dest.port,
      };
    } catch (err) {
      // GIO only warns here; the resolver lookup rejects invalid URIs anyway, and a proxy
      // cannot be told where to go without a host, so such proxies are skipped with this error.
      this.#destination = null;
      this.#destinationError = toGError(err);
    }
    return this.#destination;
  }

  /**
   * The synchronous path of a proxy decision made without I/O: for `direct://` the connectable's own
   * address when its enumerator knows it (an IP literal), for a proxy URI the ProxyAddress when the
   * proxy server's address is known. Anything else (a lookup, an end of the list, an error to
   * report) is left to nextAddress(), which picks up from the state left here.
   */
  protected override knownAddress(cancellable: Cancellable | null): SocketAddress | null | undefined {
    if (this.#finished) return undefined;
    if (this.#proxies === null && !this.#decideNow()) return undefined;
    const proxies = this.#proxies!;
    // Bounded: each turn either returns or moves on to the next proxy URI.
    for (;;) {
      const source = this.#source;
      if (source === null) {
        if (this.#nextProxy >= proxies.length) return undefined;
        this.#source = this.#open(proxies[this.#nextProxy++]);
        continue;
      }
      const address =
        source.kind === 'proxy'
          ? this.#knownProxyAddress(source, cancellable)
          : takeKnownAddress(source.addresses, cancellable);
      if (address === undefined) return undefined;
      if (address !== null) {
        this.#everEnumerated = true;
        return address;
      }
      this.#closeSource();
    }
  }

  /**
   * The proxy list, decided without I/O as #lookupProxies would decide it, for a plain destination
   * URI (whose checks cannot fail) and a resolver of this package; false when only lookup() can tell.
   */
  #decideNow(): boolean {
    const resolver = this.#opts.proxyResolver ?? getDefaultProxyResolver();
    if (!isQuickResolver(resolver) || typeof this.#destUri === 'string' || !this.#destUri.plain) return false;
    const everywhere = resolver[decideQuickly](null);
    if (everywhere !== null) {
      this.#resolver = resolver;
      // Also the decision for this URI: a failing proxy's source is named without building it.
      this.#decision = everywhere;
      this.#proxies = everywhere.proxies;
      return true;
    }
    const decision = resolver[decideQuickly](this.uri);
    if (decision === null) return false;
    this.#resolver = resolver;
    this.#decision = decision;
    this.#proxies = decision.proxies;
    return true;
  }

  /**
   * A proxy server given as an IP literal (or with cached addresses) paired with a destination
   * the proxy resolves itself: the ProxyAddress #nextFrom would build, without its Promises, or null
   * when the proxy server's addresses are used up. SOCKS4 (which needs the destination resolved
   * here) and a lookup go to nextAddress().
   */
  #knownProxyAddress(source: ProxySource, cancellable: Cancellable | null): SocketAddress | null | undefined {
    if (!source.supportsHostname) return undefined;
    for (;;) {
      const address = takeKnownAddress(source.addresses, cancellable);
      if (address === undefined || address === null) return address;
      // Anything that is not an IP socket address is skipped, as in #nextProxyAddress.
      if (!(address instanceof InetSocketAddress)) continue;
      this.#everEnumerated = true;
      return this.#wrap(source, address, this.#target()!.hostname);
    }
  }

  /** The next direct address or ProxyAddress, asking the proxy resolver on the first call. */
  protected async nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    cancellable?.throwIfCancelled();
    if (this.#finished) return null;
    // Everything this call starts stops on the caller's cancellation or on close().
    // Made on the first call that can wait: an address taken synchronously needs none.
    this.#closer ??= new Cancellable();
    const op = new LinkedCancellable(cancellable, this.#closer);
    let result: SocketAddress | null;
    try {
      result = await this.#advance(op);
    } catch (err) {
      const error = toGError(err);
      // close() while this call waited: the inner work was stopped on purpose, not cancelled.
      if (this.#finished && !cancellable?.isCancelled()) return null;
      if (isCancellation(error, op)) throw error;
      // Only the resolver lookup throws anything else; it can only happen on the first call.
      this.#finish();
      if (this.#everEnumerated) return null;
      this.#everEnumerated = true;
      throw error;
    } finally {
      op.dispose();
    }
    if (result !== null) {
      this.#everEnumerated = true;
      return result;
    }
    this.#finish();
    if (this.#everEnumerated) return null;
    this.#everEnumerated = true;
    throw this.#firstError ?? new IOError(IOErrorEnum.FAILED, 'Unspecified proxy lookup failure');
  }

  /**
   * True when the last proxy URI's addresses are all handed out: `direct://` with the
   * connectable's own enumerator exhausted (an IP literal), or a proxy that takes host names whose
   * server's addresses are (a proxy given as an IP literal). The client then arms no
   * attempt-delay timer. SOCKS4 does not say: it pairs one proxy address with several
   * destination addresses.
   */
  get exhausted(): boolean {
    const source = this.#source;
    return (
      source !== null &&
      (source.kind === 'direct' || source.supportsHostname) &&
      this.#proxies !== null &&
      this.#nextProxy >= this.#proxies.length &&
      source.addresses.exhausted === true
    );
  }

  /** Stops the enumeration of the current proxy (its DNS lookups); later calls return null. */
  override close(): void {
    this.#finish();
  }

  #finish(): void {
    this.#finished = true;
    this.#closeSource();
    this.#closer?.cancel();
  }

  #closeSource(): void {
    this.#source?.addresses.close?.();
    this.#source = null;
  }

  /**
   * The next address, or null when every proxy URI is used up. Throws only on cancellation or a failed
   * resolver lookup.
   */
  async #advance(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    if (this.#proxies === null) this.#proxies = await this.#lookupProxies(cancellable);
    // Bounded: each turn either returns or moves on to the next proxy URI.
    for (;;) {
      if (this.#finished) return null; // close() was called while we waited
      if (this.#source === null) {
        if (this.#nextProxy >= this.#proxies.length) return null;
        this.#source = this.#open(this.#proxies[this.#nextProxy++]);
        continue;
      }
      const address = await this.#nextFrom(this.#source, cancellable);
      if (address !== null) return address;
      this.#closeSource();
    }
  }

  async #lookupProxies(cancellable: Cancellable | null): Promise<readonly string[]> {
    const resolver = this.#opts.proxyResolver ?? getDefaultProxyResolver();
    this.#resolver = resolver;
    const quick = isQuickResolver(resolver);
    // No proxy configured and a destination URI that is certainly valid: the answer is
    // `direct://` whatever the URI says, so it is neither built nor checked.
    if (quick && typeof this.#destUri !== 'string' && this.#destUri.plain) {
      const everywhere = resolver[decideQuickly](null);
      if (everywhere !== null) {
        cancellable?.throwIfCancelled();
        this.#decision = everywhere;
        return everywhere.proxies;
      }
    }
    // The checks of GIO's lookup wrapper, so a custom resolver gets them too (a plain URI is
    // known to be valid: only cancellation is left to check).
    const uri = this.uri;
    if (typeof this.#destUri !== 'string' && this.#destUri.plain) cancellable?.throwIfCancelled();
    else checkLookup(uri, { cancellable });
    if (quick) {
      // This package's resolvers decide without I/O most of the time: no Promise to race.
      const decision = resolver[decideQuickly](uri);
      if (decision !== null) {
        this.#decision = decision;
        return decision.proxies;
      }
    }
    const proxies: unknown = await raceCancellable(resolver.lookup(uri, { cancellable }), cancellable);
    if (!Array.isArray(proxies)) return [];
    return proxies.filter((p): p is string => typeof p === 'string');
  }

  /** A source for one proxy URI, or null to skip it (no scheme, or an unparseable URI). */
  #open(proxyUri: string): Source | null {
    // What every connect without a proxy opens: no scheme to parse out of it.
    if (proxyUri === 'direct://')
      return { kind: 'direct', addresses: this.#connectable.enumerate(this.#opts) };
    const scheme = parseScheme(proxyUri);
    if (scheme === null) return null; // `""`, `"😼"`: skipped silently, as GIO does
    const protocol = scheme.toLowerCase();
    if (protocol === 'direct') return { kind: 'direct', addresses: this.#connectable.enumerate(this.#opts) };

    if (this.#target() === null) {
      this.#keepError(this.#destinationError);
      return null;
    }
    let parsed: ParsedProxy;
    try {
      parsed = parseProxyUri(proxyUri, protocol);
    } catch (err) {
      proxyWarning(
        `Invalid proxy URI '${redactForLog(proxyUri)}': ${scrubUserinfo(toGError(err).message, proxyUri)}`,
      );
      return null;
    }
    const { parts, port, literal } = parsed;
    return {
      kind: 'proxy',
      // A server given as an IP literal is one known address: no name enumerator is needed. A
      // name gets a NetworkAddress of its own, as in GIO, so no lookup outlives the resolver's cacheTtl.
      addresses:
        literal !== null
          ? new OneAddressEnumerator(new InetSocketAddress(literal, port))
          : new NetworkAddress(parts.host, port).enumerate(this.#opts),
      protocol,
      uri: proxyUri,
      username: parts.username,
      password: parts.password,
      // Unknown protocols are assumed to take host names (GIO).
      supportsHostname: getProxyForProtocol(protocol)?.supportsHostname() ?? true,
      origin: { uri: parsed.redacted, source: this.#sourceOf(proxyUri) },
      sameServer: this.#proxies!.some((other) => other !== proxyUri && sameAuthority(other, proxyUri)),
      destinationIps: null,
      proxyAddress: null,
      nextIp: 0,
    };
  }

  /** Where the resolver got `proxyUri` (`https_proxy`, `default proxy`, …); `proxy resolver` if unknown. */
  #sourceOf(proxyUri: string): string {
    const resolver = this.#resolver;
    if (resolver !== null && isDeciding(resolver)) {
      this.#decision ??= resolver[decideProxy](this.uri);
      if (this.#decision.proxies.includes(proxyUri)) return this.#decision.source;
    }
    return 'proxy resolver';
  }

  /** The source's next address, or null when it is exhausted or failed (its error is kept). */
  async #nextFrom(source: Source, cancellable: Cancellable | null): Promise<SocketAddress | null> {
    if (source.kind === 'direct') return this.#guard(source.addresses.next(cancellable), cancellable);

    const destination = this.#target()!;
    if (source.supportsHostname) {
      const proxyAddress = await this.#nextProxyAddress(source, cancellable);
      return proxyAddress && this.#wrap(source, proxyAddress, destination.hostname);
    }

    // No host names (SOCKS4): resolve the destination here, once per proxy URI, and pair every
    // proxy address with every destination IP, proxy-major (P1→D1, P1→D2, P2→D1, …).
    if (source.proxyAddress === null || source.nextIp >= (source.destinationIps?.length ?? 0)) {
      source.proxyAddress = await this.#nextProxyAddress(source, cancellable);
      source.nextIp = 0;
      if (source.proxyAddress === null) return null;
    }
    if (source.destinationIps === null) {
      const resolver = this.#opts.resolver ?? Resolver.getDefault();
      const ips = await this.#guard(
        resolver.lookupByName(destination.hostname, { cancellable }),
        cancellable,
      );
      if (ips === null || ips.length === 0) return null; // this proxy cannot be used
      source.destinationIps = ips;
    }
    const ip = source.destinationIps[source.nextIp++];
    return this.#wrap(source, source.proxyAddress, ip.toString());
  }

  async #nextProxyAddress(
    source: ProxySource,
    cancellable: Cancellable | null,
  ): Promise<InetSocketAddress | null> {
    // Bounded by the inner enumeration; anything that is not an IP socket address is skipped.
    for (;;) {
      const address = await this.#guard(source.addresses.next(cancellable), cancellable);
      if (address === null || address instanceof InetSocketAddress) return address;
    }
  }

  #wrap(source: ProxySource, proxyAddress: InetSocketAddress, destinationHostname: string): ProxyAddress {
    const destination = this.#target()!;
    const wrapped = new ProxyAddress(proxyAddress.address, proxyAddress.port, {
      protocol: source.protocol,
      destinationProtocol: destination.protocol,
      destinationHostname,
      destinationPort: destination.port,
      username: source.username,
      password: source.password,
      uri: source.uri,
    });
    if (source.sameServer) sameServerAlternatives.add(wrapped);
    proxyOrigins.set(wrapped, source.origin);
    return wrapped;
  }

  /** Awaits inner work: cancellation propagates; any other error is kept and reads as "nothing". */
  async #guard<T>(work: Promise<T>, cancellable: Cancellable | null): Promise<T | null> {
    try {
      return await raceCancellable(work, cancellable);
    } catch (err) {
      const error = toGError(err);
      // close() while this call waited: the inner work was stopped on purpose, not cancelled.
      if (this.#finished && !cancellable?.isCancelled()) return null;
      if (isCancellation(error, cancellable)) throw error;
      this.#keepError(error);
      return null;
    }
  }

  #keepError(error: GError | null): void {
    this.#firstError ??= error;
  }
}

function isDeciding(resolver: ProxyResolver): resolver is ProxyResolver & DecidingResolver {
  return typeof (resolver as Partial<DecidingResolver>)[decideProxy] === 'function';
}

function isCancellation(error: GError, cancellable: Cancellable | null): boolean {
  return cancellable?.isCancelled() === true || isCancelledError(error);
}

/** Whether two URIs name the same authority (userinfo, host and port), whatever their schemes. */
function sameAuthority(a: string, b: string): boolean {
  const authority = (uri: string): string | null =>
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)?.[1]?.toLowerCase() ?? null;
  const x = authority(a);
  return x !== null && x === authority(b);
}

const isPort = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;

/** A proxy URI taken apart: what every connect through it needs, worked out once. */
interface ParsedProxy {
  readonly parts: ReturnType<typeof splitUriWithUser>;
  /** The proxy server's port: its scheme's default when the URI gives none. */
  readonly port: number;
  /** The server's address when the URI names it by an IP literal, else null. */
  readonly literal: InetAddress | null;
  /** The URI with its userinfo replaced by `***`, for errors. */
  readonly redacted: string;
}

/** Proxy URIs parsed lately: a client asks about the same few proxies on every connect. */
const parsedProxies = new Map<string, ParsedProxy>();
const PARSED_PROXIES_SIZE = 32;

/**
 * The parts of `uri` (whose scheme is `protocol`), remembered per URI (all of it is read-only);
 * errors are not remembered.
 */
function parseProxyUri(uri: string, protocol: string): ParsedProxy {
  const hit = parsedProxies.get(uri);
  if (hit !== undefined) return hit;
  const parts = splitUriWithUser(uri);
  if (parts.host === '') throw new IOError(IOErrorEnum.INVALID_ARGUMENT, 'the URI has no host');
  // Made once here for its checks (a bad port or host name throws, and is not remembered).
  const server = new NetworkAddress(parts.host, parts.port > 0 ? parts.port : defaultSchemePort(protocol));
  const parsed: ParsedProxy = {
    parts,
    port: server.port,
    literal: InetAddress.newFromString(server.hostname),
    redacted: redactUri(uri),
  };
  if (parsedProxies.size >= PARSED_PROXIES_SIZE) parsedProxies.delete(parsedProxies.keys().next().value!);
  parsedProxies.set(uri, parsed);
  return parsed;
}

/**
 * The one address of a proxy server given as an IP literal, known without waiting (as
 * NetworkAddress's enumerator knows an IP literal's), then the end.
 */
class OneAddressEnumerator extends BaseAddressEnumerator {
  #address: InetSocketAddress | null;

  constructor(address: InetSocketAddress) {
    super();
    this.#address = address;
  }

  get exhausted(): boolean {
    return this.#address === null;
  }

  protected override knownAddress(): SocketAddress | null {
    const address = this.#address;
    this.#address = null;
    return address;
  }

  protected nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    if (cancellable?.isCancelled() === true) return Promise.reject(cancellable.error());
    return Promise.resolve(this.knownAddress());
  }
}

/** g_uri_parse_scheme: the RFC 3986 scheme before the first `:`, or null. */
function parseScheme(uri: string): string | null {
  return /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1] ?? null;
}

/** g_uri_get_default_scheme_port as GLib 2.77+ uses it for proxies (docs/differences.md); 0 when unknown. */
export function defaultSchemePort(scheme: string): number {
  switch (scheme.toLowerCase()) {
    case 'http':
    case 'ws':
      return 80;
    case 'https':
    case 'wss':
      return 443;
    case 'ftp':
      return 21;
    default:
      return scheme.toLowerCase().startsWith('socks') ? 1080 : 0;
  }
}

/** A parser message about `uri` with its userinfo (which may hold a password) blanked out. */
function scrubUserinfo(message: string, uri: string): string {
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(uri)?.[1];
  let out = message.split(uri).join(redactForLog(uri));
  if (userinfo) out = out.split(userinfo).join('***');
  return out;
}

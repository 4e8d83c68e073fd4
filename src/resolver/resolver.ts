import type { Cancellable } from '../cancellable.js';
import { InetAddress } from '../address/inet-address.js';
import { IOErrorEnum, ResolverErrorEnum, ResolverNameLookupFlags, SocketFamily } from '../errors/enums.js';
import { IOError, ResolverError } from '../errors/gerror.js';
import { escapeForMessage } from '../address/hostname-check.js';
import { fitsDns, hostnameToAscii, isInetAtonLegacyForm, isLocalhostName } from './host-checks.js';
import type { SrvTarget } from './srv-target.js';

/** Options of one lookup. */
export interface LookupOptions {
  /** Cancels the lookup: it rejects with IOError CANCELLED (a running getaddrinfo's answer is dropped). */
  readonly cancellable?: Cancellable | null;
}

/**
 * GResolver. `lookupByName*` does GIO's common work (IP literals, inet_aton forms, localhost,
 * IDNA, de-duplication) and leaves the real query to `lookupAddresses()`. Subclass it (or use
 * SystemResolver, DnsResolver, PinnedResolver) and pass it as a client's `resolver`.
 *
 * @example
 * const addresses = await Resolver.getDefault().lookupByName('localhost'); // [::1, 127.0.0.1]
 */
export abstract class Resolver {
  static #default: Resolver | null = null;
  static #defaultFactory: (() => Resolver) | null = null;

  /** The process-wide default (a SystemResolver unless setDefault() was called). */
  static getDefault(): Resolver {
    if (!Resolver.#default) {
      if (!Resolver.#defaultFactory) throw new Error('no default resolver registered');
      Resolver.#default = Resolver.#defaultFactory();
    }
    return Resolver.#default;
  }

  /**
   * g_resolver_set_default: the resolver used by clients and connectables that were given none;
   * null restores the SystemResolver.
   */
  static setDefault(resolver: Resolver | null): void {
    Resolver.#default = resolver;
  }

  /** @internal lets system-resolver.ts install itself without an import cycle. */
  static registerDefaultFactory(factory: () => Resolver): void {
    Resolver.#defaultFactory = factory;
  }

  /**
   * Changes when cached answers may be stale (GIO: the mtime of resolv.conf). NetworkAddress
   * drops its cache when the serial it was filled under differs.
   */
  get serial(): number {
    return 0;
  }

  /**
   * Extension: how long (ms) the Happy Eyeballs enumerator may reuse this resolver's answer for a
   * name in later enumerations — other NetworkAddress objects, such as the one each
   * `connectToHost()` call makes — while `serial` is unchanged. 0 (the default here): only the
   * NetworkAddress that asked reuses it, as GIO caches on the GNetworkAddress.
   */
  get cacheTtl(): number {
    return 0;
  }

  /**
   * True when one DEFAULT lookup answers both families at the cost of one query and with the
   * same errors a per-family lookup gives (getaddrinfo with AF_UNSPEC). The Happy Eyeballs
   * enumerator then asks once and splits the answer by family instead of asking per family:
   * with `hosts: files dns`, a per-family getaddrinfo for a name /etc/hosts lists in one family
   * only sends the other family's query to DNS. Resolvers whose DEFAULT lookup is two queries
   * anyway (DnsResolver) keep false, so each family's answer is used as soon as it arrives
   * (RFC 8305 section 3).
   */
  get answersBothFamiliesAtOnce(): boolean {
    return false;
  }

  /**
   * g_resolver_lookup_by_name: the IPv6 and IPv4 addresses of `hostname`. IP literals and
   * `localhost` names are answered without a query; failures reject with a ResolverError
   * (NOT_FOUND, TEMPORARY_FAILURE) in GIO's wording.
   */
  lookupByName(hostname: string, opts?: LookupOptions): Promise<InetAddress[]> {
    return this.lookupByNameWithFlags(hostname, ResolverNameLookupFlags.DEFAULT, opts);
  }

  /** g_resolver_lookup_by_name_with_flags: as lookupByName, limited to one family by `flags`. */
  async lookupByNameWithFlags(
    hostname: string,
    flags: ResolverNameLookupFlags,
    opts?: LookupOptions,
  ): Promise<InetAddress[]> {
    if (flags === (ResolverNameLookupFlags.IPV4_ONLY | ResolverNameLookupFlags.IPV6_ONLY)) {
      throw new IOError(IOErrorEnum.INVALID_ARGUMENT, 'IPV4_ONLY and IPV6_ONLY cannot both be set');
    }
    opts?.cancellable?.throwIfCancelled();
    const literal = InetAddress.newFromString(hostname);
    if (literal) return [literal];
    if (isInetAtonLegacyForm(hostname)) {
      throw new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `Error resolving “${escapeForMessage(hostname)}”: Name or service not known`,
      );
    }
    if (isLocalhostName(hostname)) {
      const v6 = InetAddress.newLoopback(SocketFamily.IPV6);
      const v4 = InetAddress.newLoopback(SocketFamily.IPV4);
      if (flags === ResolverNameLookupFlags.IPV6_ONLY) return [v6];
      if (flags === ResolverNameLookupFlags.IPV4_ONLY) return [v4];
      return [v6, v4];
    }
    // getaddrinfo answers EAI_NONAME for "" and for a name DNS cannot carry, without a query;
    // Node gives no answer for "" and EINVAL for a long name, so both are decided here.
    if (hostname === '') {
      throw new ResolverError(ResolverErrorEnum.NOT_FOUND, 'Error resolving “”: Name or service not known');
    }
    const ascii = hostnameToAscii(hostname);
    if (ascii === null || ascii === '') {
      throw new IOError(IOErrorEnum.FAILED, 'Invalid hostname');
    }
    if (!fitsDns(ascii)) {
      throw new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `Error resolving “${hostname}”: Name or service not known`,
      );
    }
    const found = await this.lookupAddresses(ascii, hostname, flags, opts?.cancellable ?? null);
    const unique = dedupe(found);
    if (unique.length === 0) {
      throw new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `Error resolving “${hostname}”: No valid addresses were found`,
      );
    }
    return unique;
  }

  /**
   * The actual query for an ASCII name. `displayName` is what the user gave, for messages.
   * Must honour `flags` and reject with ResolverError/IOError, never a raw Node error.
   */
  protected abstract lookupAddresses(
    asciiName: string,
    displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]>;

  /** g_resolver_lookup_service: SRV records of `_service._protocol.domain`, in RFC 2782 order. */
  abstract lookupService(
    service: string,
    protocol: string,
    domain: string,
    opts?: LookupOptions,
  ): Promise<SrvTarget[]>;
}

/** The addresses in order, each once (g_inet_address_equal); linear, with string keys. */
function dedupe(found: readonly InetAddress[]): InetAddress[] {
  if (found.length < 2) return [...found];
  const seen = new Set<string>();
  const unique: InetAddress[] = [];
  for (const a of found) {
    const key = a.key;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(a);
  }
  return unique;
}

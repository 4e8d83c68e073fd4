import type { Cancellable } from '../cancellable.js';
import { InetAddress } from '../address/inet-address.js';
import { ResolverNameLookupFlags, SocketFamily } from '../errors/enums.js';
import { invalidArgument } from '../errors/gerror.js';
import { hostnameToAscii } from './host-checks.js';
import { Resolver, type LookupOptions } from './resolver.js';
import type { SrvTarget } from './srv-target.js';

/**
 * A resolver that answers some names with fixed addresses and asks another resolver for the rest —
 * curl's `--resolve`, or an `/etc/hosts` of the application's own. Pinned names never reach DNS;
 * the family flags still apply (an IPv4-only lookup of a name pinned to `::1` alone finds nothing).
 * `localhost` and IP literals are answered before any resolver is asked, as GIO does, so they
 * cannot be pinned.
 *
 * @example
 * const client = new SocketClient({
 *   resolver: new PinnedResolver({ 'api.example.org': ['127.0.0.1', '::1'] }),
 * });
 */
export class PinnedResolver extends Resolver {
  /** The fallback for names that are not pinned. */
  readonly fallback: Resolver;
  readonly #pins: ReadonlyMap<string, readonly InetAddress[]>;

  constructor(pins: Readonly<Record<string, string | readonly string[]>>, fallback?: Resolver) {
    super();
    if (pins === null || typeof pins !== 'object')
      throw invalidArgument('PinnedResolver pins must be an object');
    const map = new Map<string, InetAddress[]>();
    for (const [name, value] of Object.entries(pins)) {
      // eslint-disable-next-line no-control-regex
      const ascii = /[\x00-\x20\x7f]/.test(name) ? null : hostnameToAscii(name);
      if (ascii === null || ascii === '')
        throw invalidArgument(`PinnedResolver: invalid host name ${JSON.stringify(name)}`);
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.length === 0) {
        throw invalidArgument(`PinnedResolver: no addresses for ${ascii}`);
      }
      map.set(
        ascii.toLowerCase(),
        list.map((text: unknown) => {
          const address = typeof text === 'string' ? InetAddress.newFromString(text) : null;
          if (!address) throw invalidArgument(`PinnedResolver: ${JSON.stringify(text)} is not an IP address`);
          return address;
        }),
      );
    }
    this.#pins = map;
    this.fallback = fallback ?? Resolver.getDefault();
  }

  /** The pinned names (ASCII, lower case) and their addresses as strings. */
  get pins(): Readonly<Record<string, readonly string[]>> {
    return Object.fromEntries([...this.#pins].map(([name, list]) => [name, list.map(String)]));
  }

  override get serial(): number {
    return this.fallback.serial;
  }

  /** As the fallback (pinned answers never change, the fallback's may). */
  override get cacheTtl(): number {
    return this.fallback.cacheTtl;
  }

  /** As the fallback: a DEFAULT lookup of an unpinned name is one DEFAULT lookup there. */
  override get answersBothFamiliesAtOnce(): boolean {
    return this.fallback.answersBothFamiliesAtOnce;
  }

  protected override async lookupAddresses(
    asciiName: string,
    displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    const pinned = this.#pins.get(asciiName.toLowerCase());
    if (!pinned) return this.fallback.lookupByNameWithFlags(displayName, flags, { cancellable });
    return pinned.filter(
      (a) =>
        flags === ResolverNameLookupFlags.DEFAULT ||
        (flags === ResolverNameLookupFlags.IPV4_ONLY && a.family === SocketFamily.IPV4) ||
        (flags === ResolverNameLookupFlags.IPV6_ONLY && a.family === SocketFamily.IPV6),
    );
  }

  override lookupService(
    service: string,
    protocol: string,
    domain: string,
    opts?: LookupOptions,
  ): Promise<SrvTarget[]> {
    return this.fallback.lookupService(service, protocol, domain, opts);
  }
}

import { promises as dnsPromises } from 'node:dns';
import { raceCancellable, type Cancellable } from '../cancellable.js';
import { InetAddress } from '../address/inet-address.js';
import { ResolverNameLookupFlags } from '../errors/enums.js';
import { IOErrorEnum } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import { nameLookupError } from './dns-errors.js';
import { Resolver, type LookupOptions } from './resolver.js';
import type { SrvTarget } from './srv-target.js';
import { lookupServiceWith } from './srv-lookup.js';

/** Options of a {@link DnsResolver}. */
export interface DnsResolverOptions {
  /** DNS servers, as `dns.setServers` takes them: `127.0.0.1`, `127.0.0.1:5353`, `[::1]:53`. */
  readonly servers: readonly string[];
  /** Per-query timeout in ms (c-ares doubles it on each try). Default 2000. */
  readonly timeout?: number;
  /** Tries per server. Default 2. */
  readonly tries?: number;
}

/**
 * A resolver that asks the given DNS servers directly (c-ares), bypassing /etc/hosts and the
 * system's resolv.conf. Each lookup gets its own channel so cancelling one never touches another.
 *
 * @example
 * const client = new SocketClient({ resolver: new DnsResolver({ servers: ['127.0.0.1:5353'] }) });
 */
export class DnsResolver extends Resolver {
  /** The DNS servers asked, in order. */
  readonly servers: readonly string[];
  /** Per-query timeout in ms. */
  readonly timeout: number;
  /** Tries per server. */
  readonly tries: number;

  /** Checks the server list at once: throws when it is empty (INVALID_ARGUMENT) or malformed. */
  constructor(opts: DnsResolverOptions) {
    super();
    if (!opts || !Array.isArray(opts.servers) || opts.servers.length === 0) {
      throw new IOError(IOErrorEnum.INVALID_ARGUMENT, 'DnsResolver needs at least one server in `servers`');
    }
    this.servers = opts.servers.map(String);
    this.timeout = opts.timeout ?? 2000;
    this.tries = opts.tries ?? 2;
    this.#channel(); // validates the server list now rather than at the first lookup
  }

  #channel(): dnsPromises.Resolver {
    const r = new dnsPromises.Resolver({ timeout: this.timeout, tries: this.tries });
    try {
      r.setServers([...this.servers]);
    } catch (err) {
      throw new IOError(IOErrorEnum.INVALID_ARGUMENT, `Invalid DNS server list: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return r;
  }

  protected async lookupAddresses(
    asciiName: string,
    displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    const channel = this.#channel();
    const query = async (rr: 'A' | 'AAAA'): Promise<InetAddress[]> => {
      const list = rr === 'A' ? await channel.resolve4(asciiName) : await channel.resolve6(asciiName);
      return list.map((a) => InetAddress.newFromString(a)).filter((a) => a !== null);
    };
    const work = (async (): Promise<InetAddress[]> => {
      try {
        if (flags === ResolverNameLookupFlags.IPV4_ONLY) return await query('A');
        if (flags === ResolverNameLookupFlags.IPV6_ONLY) return await query('AAAA');
        // AF_UNSPEC: both families; the name fails only if both do (IPv6 first, RFC 6724 style).
        const [v6, v4] = await Promise.allSettled([query('AAAA'), query('A')]);
        if (v6.status === 'rejected' && v4.status === 'rejected') throw v4.reason;
        return [
          ...(v6.status === 'fulfilled' ? v6.value : []),
          ...(v4.status === 'fulfilled' ? v4.value : []),
        ];
      } catch (err) {
        throw nameLookupError(err, displayName);
      }
    })();
    return raceCancellable(work, cancellable, () => channel.cancel());
  }

  async lookupService(
    service: string,
    protocol: string,
    domain: string,
    opts?: LookupOptions,
  ): Promise<SrvTarget[]> {
    return lookupServiceWith(() => this.#channel(), service, protocol, domain, opts?.cancellable ?? null);
  }
}

import type { Cancellable } from '../cancellable.js';
import type { Clock, ClockTimer } from '../clock.js';
import { InetAddress } from '../address/inet-address.js';
import { ResolverErrorEnum, ResolverNameLookupFlags, SocketFamily } from '../errors/enums.js';
import { ResolverError } from '../errors/gerror.js';
import { Resolver, type LookupOptions } from '../resolver/resolver.js';
import type { SrvTarget } from '../resolver/srv-target.js';

/** How long a virtual name server takes to answer, per family, in virtual milliseconds. */
export interface LookupDelays {
  /** The A answer (default 0). */
  readonly ipv4?: number;
  /** The AAAA answer (default 0). */
  readonly ipv6?: number;
}

/** One name lookup the virtual resolver answered (or was asked and cancelled). */
export interface LookupRecord {
  /** Virtual time of the question. */
  readonly at: number;
  /** The name asked about (ASCII). */
  readonly name: string;
  /** 'ipv4' (A), 'ipv6' (AAAA) or 'any' (both at once). */
  readonly family: 'ipv4' | 'ipv6' | 'any';
}

/** @internal the host table the resolver reads; VirtualNetwork owns it. */
export interface HostTable {
  readonly clock: Clock;
  records(name: string): { readonly addresses: readonly InetAddress[]; readonly delays: LookupDelays } | null;
  noteLookup(record: LookupRecord): void;
  readonly serial: number;
}

/**
 * The resolver of a VirtualNetwork: answers the names added with `addHost()` (A and AAAA
 * separately, each after its own virtual delay, as a DNS resolver queried per family does) and
 * NOT_FOUND "Name or service not known" for every other name. IP literals and `localhost` are
 * answered without a query, as by every Resolver. It never asks the system or the network.
 */
export class VirtualResolver extends Resolver {
  readonly #table: HostTable;

  /** @internal made by VirtualNetwork. */
  constructor(table: HostTable) {
    super();
    this.#table = table;
  }

  /** Changes whenever hosts are added, so cached answers are dropped. */
  override get serial(): number {
    return this.#table.serial;
  }

  protected override lookupAddresses(
    asciiName: string,
    displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    const family =
      flags === ResolverNameLookupFlags.IPV4_ONLY
        ? 'ipv4'
        : flags === ResolverNameLookupFlags.IPV6_ONLY
          ? 'ipv6'
          : 'any';
    const clock = this.#table.clock;
    this.#table.noteLookup({ at: clock.now(), name: asciiName, family });
    const entry = this.#table.records(asciiName);
    const wanted = (a: InetAddress): boolean =>
      family === 'any' ||
      (family === 'ipv4' ? a.family === SocketFamily.IPV4 : a.family === SocketFamily.IPV6);
    const delay =
      family === 'any'
        ? Math.max(entry?.delays.ipv4 ?? 0, entry?.delays.ipv6 ?? 0)
        : (entry?.delays[family] ?? 0);
    // An unknown name is NXDOMAIN; a known name without records of this family is NODATA, which
    // Resolver turns into "No valid addresses were found".
    const answer = (): InetAddress[] | ResolverError =>
      entry
        ? entry.addresses.filter(wanted)
        : new ResolverError(
            ResolverErrorEnum.NOT_FOUND,
            `Error resolving “${displayName}”: Name or service not known`,
          );
    return new Promise<InetAddress[]>((resolve, reject) => {
      let timer: ClockTimer | null = null;
      let handler = 0;
      const finish = (): void => {
        if (timer) clock.clearTimeout(timer);
        timer = null;
        if (handler) cancellable?.disconnect(handler);
        handler = 0;
      };
      const settle = (): void => {
        finish();
        const found = answer();
        if (found instanceof ResolverError) reject(found);
        else resolve(found);
      };
      if (cancellable) {
        handler = cancellable.connect(() => {
          finish();
          reject(cancellable.error());
        });
      }
      if (cancellable?.isCancelled()) return;
      // Even an instant answer comes on a later tick, as from a real resolver.
      timer = clock.setTimeout(settle, delay);
    });
  }

  /** No SRV records exist on a virtual network: always NOT_FOUND. */
  override lookupService(
    service: string,
    protocol: string,
    domain: string,
    opts?: LookupOptions,
  ): Promise<SrvTarget[]> {
    opts?.cancellable?.throwIfCancelled();
    return Promise.reject(
      new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `No DNS record of the requested type for “_${service}._${protocol}.${domain}”`,
      ),
    );
  }
}

import type { Cancellable, CancelOptions } from '../../src/cancellable.js';
import { InetAddress } from '../../src/address/inet-address.js';
import { ResolverErrorEnum, ResolverNameLookupFlags, SocketFamily } from '../../src/errors/enums.js';
import { ResolverError } from '../../src/errors/gerror.js';
import { Resolver, type LookupOptions } from '../../src/resolver/resolver.js';
import type { SrvTarget } from '../../src/resolver/srv-target.js';
import type { ProxyResolver } from '../../src/proxy/proxy-resolver.js';

/**
 * A Resolver that knows a fixed table of names (never the system DNS) and records every name it
 * is asked about, literals included, so tests can tell which names were resolved locally.
 */
export class RecordingResolver extends Resolver {
  readonly asked: string[] = [];
  readonly #table: ReadonlyMap<string, readonly string[]>;
  /** Names whose lookups never answer (until cancelled), for close/cancel tests. */
  readonly #hang: ReadonlySet<string>;
  readonly cancellables: (Cancellable | null)[] = [];

  constructor(table: Record<string, readonly string[]>, hang: readonly string[] = []) {
    super();
    this.#table = new Map(Object.entries(table));
    this.#hang = new Set(hang);
  }

  override lookupByNameWithFlags(
    hostname: string,
    flags: ResolverNameLookupFlags,
    opts?: LookupOptions,
  ): Promise<InetAddress[]> {
    this.asked.push(hostname);
    return super.lookupByNameWithFlags(hostname, flags, opts);
  }

  protected async lookupAddresses(
    asciiName: string,
    displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    this.cancellables.push(cancellable);
    if (this.#hang.has(asciiName)) {
      await new Promise<never>((_, reject) => {
        if (!cancellable) return; // never settles; tests always pass a cancellable here
        cancellable.connect((c) => reject(c.error()));
      });
    }
    const all = (this.#table.get(asciiName) ?? []).map((a) => InetAddress.newFromString(a)!);
    const wanted = all.filter(
      (a) =>
        flags === ResolverNameLookupFlags.DEFAULT ||
        (flags === ResolverNameLookupFlags.IPV4_ONLY && a.family === SocketFamily.IPV4) ||
        (flags === ResolverNameLookupFlags.IPV6_ONLY && a.family === SocketFamily.IPV6),
    );
    if (wanted.length === 0) {
      throw new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `Error resolving “${displayName}”: Name or service not known`,
      );
    }
    return wanted;
  }

  async lookupService(): Promise<SrvTarget[]> {
    throw new ResolverError(ResolverErrorEnum.NOT_FOUND, 'no SRV records here');
  }
}

/** A ProxyResolver answering from a function, recording the URIs it was asked about. */
export class FakeProxyResolver implements ProxyResolver {
  readonly asked: string[] = [];
  readonly #answer: (uri: string, opts?: CancelOptions) => string[] | Promise<string[]>;

  constructor(
    answer: readonly string[] | ((uri: string, opts?: CancelOptions) => string[] | Promise<string[]>),
  ) {
    this.#answer = typeof answer === 'function' ? answer : () => [...answer];
  }

  isSupported(): boolean {
    return true;
  }

  async lookup(uri: string, opts?: CancelOptions): Promise<string[]> {
    this.asked.push(uri);
    return this.#answer(uri, opts);
  }
}

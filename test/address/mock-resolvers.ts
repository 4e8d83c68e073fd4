// Resolvers for address tests: nothing here ever reaches DNS.
import type { Cancellable } from '../../src/cancellable.js';
import { InetAddress } from '../../src/address/inet-address.js';
import { ResolverNameLookupFlags } from '../../src/errors/enums.js';
import type { GError } from '../../src/errors/gerror.js';
import { Resolver } from '../../src/resolver/resolver.js';
import type { SrvTarget } from '../../src/resolver/srv-target.js';

export const ip = (text: string): InetAddress => {
  const a = InetAddress.newFromString(text);
  if (!a) throw new Error(`not an IP: ${text}`);
  return a;
};

/** Fails the test if anything gets past Resolver's own handling to a real query. */
export class NoLookupResolver extends Resolver {
  readonly queried: string[] = [];
  protected lookupAddresses(asciiName: string): Promise<InetAddress[]> {
    this.queried.push(asciiName);
    return Promise.reject(new Error(`lookupAddresses must not be called (asked for ${asciiName})`));
  }
  lookupService(): Promise<SrvTarget[]> {
    return Promise.reject(new Error('lookupService must not be called'));
  }
}

/** Answers every name with a fixed list (GLib's mock resolver returning 123.123.123.123). */
export class FixedResolver extends Resolver {
  readonly queried: string[] = [];
  constructor(private readonly answer: readonly string[]) {
    super();
  }
  protected async lookupAddresses(
    asciiName: string,
    _d: string,
    flags: ResolverNameLookupFlags,
  ): Promise<InetAddress[]> {
    this.queried.push(asciiName);
    const all = this.answer.map(ip);
    if (flags === ResolverNameLookupFlags.IPV4_ONLY) return all.filter((a) => !a.toString().includes(':'));
    if (flags === ResolverNameLookupFlags.IPV6_ONLY) return all.filter((a) => a.toString().includes(':'));
    return all;
  }
  lookupService(): Promise<SrvTarget[]> {
    return Promise.reject(new Error('lookupService must not be called'));
  }
}

export interface FamilyPlan {
  /** Answer after this many ms (0: on the next timer tick). */
  readonly delayMs?: number;
  readonly addresses?: readonly string[];
  /** Fail with this instead of answering. */
  readonly error?: GError;
}

/**
 * GLib's happy-eyeballs mock (gio/tests/network-address.c): per-family delay, answer or error.
 * Honours cancellation, clearing its timer, so leak checks see only the code under test.
 */
export class DelayedResolver extends Resolver {
  readonly calls: ResolverNameLookupFlags[] = [];
  constructor(
    private readonly v4: FamilyPlan,
    private readonly v6: FamilyPlan,
  ) {
    super();
  }
  protected lookupAddresses(
    _asciiName: string,
    _displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    this.calls.push(flags);
    if (flags === ResolverNameLookupFlags.DEFAULT) {
      return Promise.reject(new Error('the async enumerator must ask per family'));
    }
    const plan = flags === ResolverNameLookupFlags.IPV4_ONLY ? this.v4 : this.v6;
    return new Promise<InetAddress[]>((resolve, reject) => {
      let id = 0;
      const timer = setTimeout(() => {
        cancellable?.disconnect(id);
        if (plan.error) reject(plan.error);
        else resolve((plan.addresses ?? []).map(ip));
      }, plan.delayMs ?? 0);
      if (cancellable) {
        id = cancellable.connect((c) => {
          clearTimeout(timer);
          reject(c.error());
        });
      }
    });
  }
  lookupService(): Promise<SrvTarget[]> {
    return Promise.reject(new Error('lookupService must not be called'));
  }
}

interface PendingLookup {
  readonly flags: ResolverNameLookupFlags;
  readonly resolve: (addresses: readonly string[]) => void;
  readonly reject: (error: GError) => void;
}

/** Lookups answered by the test, by hand, in whatever order and at whatever time it chooses. */
export class ManualResolver extends Resolver {
  readonly pending: PendingLookup[] = [];
  #waiters: (() => void)[] = [];

  /** With `ignoreCancellation`, lookups stay pending when cancelled (like getaddrinfo). */
  constructor(private readonly opts: { readonly ignoreCancellation?: boolean } = {}) {
    super();
  }

  protected lookupAddresses(
    _asciiName: string,
    _displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    return new Promise<InetAddress[]>((resolve, reject) => {
      const id = this.opts.ignoreCancellation ? 0 : (cancellable?.connect((c) => reject(c.error())) ?? 0);
      this.pending.push({
        flags,
        resolve: (addresses) => {
          cancellable?.disconnect(id);
          resolve(addresses.map(ip));
        },
        reject: (error) => {
          cancellable?.disconnect(id);
          reject(error);
        },
      });
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** The pending lookup for one family (waits, bounded, until it has been asked for). */
  async lookup(family: 'v4' | 'v6'): Promise<PendingLookup> {
    const flags = family === 'v4' ? ResolverNameLookupFlags.IPV4_ONLY : ResolverNameLookupFlags.IPV6_ONLY;
    for (let i = 0; i < 100; i++) {
      const found = this.pending.find((p) => p.flags === flags);
      if (found) return found;
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setImmediate(r);
      });
    }
    throw new Error(`no ${family} lookup was started`);
  }

  lookupService(): Promise<SrvTarget[]> {
    return Promise.reject(new Error('lookupService must not be called'));
  }
}

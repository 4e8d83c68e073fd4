import { lookup, promises as dnsPromises, ADDRCONFIG } from 'node:dns';
import { statSync } from 'node:fs';
import { raceCancellable, type Cancellable } from '../cancellable.js';
import { InetAddress } from '../address/inet-address.js';
import { ResolverNameLookupFlags } from '../errors/enums.js';
import { invalidArgument, timedOutError } from '../errors/gerror.js';
import { nameLookupError } from './dns-errors.js';
import { Resolver, type LookupOptions } from './resolver.js';
import type { SrvTarget } from './srv-target.js';
import { lookupServiceWith } from './srv-lookup.js';

/** Options of a {@link SystemResolver}. */
export interface SystemResolverOptions {
  /** Bound on one lookup, in ms (GLib 2.78+: 30 s). 0 disables. */
  readonly timeout?: number;
  /**
   * How long (ms) connects may reuse an answer for the same name (default 10 s; 0: never across
   * connects). Dropped earlier when /etc/hosts or /etc/resolv.conf changes (checked at most once
   * a second). getaddrinfo reports no DNS TTL, hence a short fixed bound.
   */
  readonly cacheTtl?: number;
}

/** The default of {@link SystemResolverOptions.cacheTtl}: undici's DNS cache bound (maxTTL). */
const DEFAULT_CACHE_TTL_MS = 10_000;

/**
 * The default resolver: getaddrinfo through `dns.lookup`, so /etc/hosts and nsswitch apply, as
 * GThreadedResolver. getaddrinfo cannot be interrupted; on cancellation or timeout the answer is
 * dropped when it arrives.
 */
export class SystemResolver extends Resolver {
  /** Bound on one lookup in ms (0: none); the lookup then fails with IOError TIMED_OUT. */
  readonly timeout: number;
  readonly #cacheTtl: number;

  /** A getaddrinfo resolver; `timeout` defaults to 30 s, as GLib 2.78+; `cacheTtl` to 10 s. */
  constructor(opts?: SystemResolverOptions) {
    super();
    this.timeout = opts?.timeout ?? 30_000;
    const ttl = opts?.cacheTtl ?? DEFAULT_CACHE_TTL_MS;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw invalidArgument('SystemResolver cacheTtl must be a number of milliseconds, 0 or more');
    }
    this.#cacheTtl = ttl;
  }

  /** How long connects reuse an answer (SystemResolverOptions.cacheTtl). */
  override get cacheTtl(): number {
    return this.#cacheTtl;
  }

  #serial = 0;
  #serialCheckedAt = Number.NEGATIVE_INFINITY;

  override get serial(): number {
    // GIO drops cached answers when resolv.conf changes; /etc/hosts matters just as much here.
    // The files are looked at no more than once per SERIAL_CHECK_INTERVAL_MS (glibc's resolver
    // likewise re-reads resolv.conf only when its stat changed, not per query): this getter runs
    // on every enumeration, and two statSync calls each time cost more than a cached connect.
    const now = performance.now();
    if (now - this.#serialCheckedAt >= SERIAL_CHECK_INTERVAL_MS) {
      this.#serialCheckedAt = now;
      this.#serial = mtime('/etc/resolv.conf') + mtime('/etc/hosts');
    }
    return this.#serial;
  }

  /** getaddrinfo with AF_UNSPEC: one call answers both families (see Resolver). */
  override get answersBothFamiliesAtOnce(): boolean {
    return true;
  }

  protected async lookupAddresses(
    asciiName: string,
    displayName: string,
    flags: ResolverNameLookupFlags,
    cancellable: Cancellable | null,
  ): Promise<InetAddress[]> {
    const family =
      flags === ResolverNameLookupFlags.IPV4_ONLY ? 4 : flags === ResolverNameLookupFlags.IPV6_ONLY ? 6 : 0;
    let timer: NodeJS.Timeout | undefined;
    const query = new Promise<InetAddress[]>((resolve, reject) => {
      lookup(asciiName, { all: true, family, hints: ADDRCONFIG }, (err, addresses) => {
        if (err) reject(nameLookupError(err, displayName));
        else resolve(addresses.map((a) => InetAddress.newFromString(a.address)).filter((a) => a !== null));
      });
      if (this.timeout > 0) timer = setTimeout(() => reject(timedOutError()), this.timeout);
    });
    try {
      return await raceCancellable(query, cancellable);
    } finally {
      clearTimeout(timer);
    }
  }

  async lookupService(
    service: string,
    protocol: string,
    domain: string,
    opts?: LookupOptions,
  ): Promise<SrvTarget[]> {
    return lookupServiceWith(
      () => new dnsPromises.Resolver({ timeout: Math.min(this.timeout || 5000, 5000), tries: 2 }),
      service,
      protocol,
      domain,
      opts?.cancellable ?? null,
    );
  }
}

/** How long a look at the mtimes of /etc/resolv.conf and /etc/hosts stays current. */
const SERIAL_CHECK_INTERVAL_MS = 1000;

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

Resolver.registerDefaultFactory(() => new SystemResolver());

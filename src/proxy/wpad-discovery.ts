// DNS-based Web Proxy Auto-Discovery (draft-ietf-wrec-wpad-01 section 4.4): find `wpad.dat` at
// `http://wpad.<domain>/wpad.dat` for the local domain and its parents, as docs/differences.md
// "WPAD" describes. DHCP-based discovery (option 252) is not done.
import { Cancellable } from '../cancellable.js';
import { invalidArgument, timedOutError } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import { systemClock, type Clock } from '../clock.js';
import { Resolver } from '../resolver/resolver.js';
import { loadPacScript } from './pac-script-source.js';
import { loadPublicSuffixList, SYSTEM_PUBLIC_SUFFIX_LIST } from './public-suffix.js';
import { localDomain, normalizeDomain, wpadDomains } from './wpad-names.js';

/** How long a found script is used before discovery runs again. */
export const WPAD_FOUND_MS = 30 * 60_000;
/** How long "no wpad.dat here" is believed: a laptop joining the office finds it within this. */
export const WPAD_MISSING_MS = 5 * 60_000;
/** The default time limit of one `wpad.dat` fetch, name resolution included. */
const FETCH_TIMEOUT_MS = 10_000;
/** A PAC script larger than this is refused (real ones are a few kilobytes). */
const MAX_SCRIPT_BYTES = 1 << 20;

/** Options of WPAD discovery (SystemProxyResolver's `wpad` option). */
export interface WpadOptions {
  /** Asked for the `wpad.<domain>` names (default: `Resolver.getDefault()`); never the system DNS directly. */
  readonly resolver?: Resolver;
  /**
   * The local domain to start from. Default: the domain of the host's fully qualified name, else
   * the first search domain of /etc/resolv.conf. `null`: no domain, nothing is discovered.
   */
  readonly domain?: string | null;
  /** Advanced and for tests: the port `wpad.dat` is fetched from. WPAD defines 80, the default. */
  readonly port?: number;
  /** The Public Suffix List file bounding the walk (default: the system's, Debian package `publicsuffix`). */
  readonly publicSuffixList?: string;
  /** Milliseconds one `wpad.dat` fetch may take, name resolution included (default 10 000). */
  readonly fetchTimeoutMs?: number;
  /** Time source of the cache and of the fetch's time limit (default: the system clock). */
  readonly clock?: Clock;
}

/** What discovery found: the script and its URL, or why there is none; `tried` lists each step. */
export type WpadResult =
  | { readonly found: true; readonly url: string; readonly script: string; readonly tried: readonly string[] }
  | { readonly found: false; readonly reason: string; readonly tried: readonly string[] };

/** Checks `opts` (IOError INVALID_ARGUMENT for a bad value) and fills in the defaults. */
function checkOptions(opts: WpadOptions): Required<Omit<WpadOptions, 'resolver' | 'domain'>> & {
  readonly resolver: Resolver | null;
  readonly domain: string | null | undefined;
} {
  const port = opts.port ?? 80;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidArgument('wpad.port must be an integer from 1 to 65535');
  }
  let domain: string | null | undefined = opts.domain;
  if (typeof domain === 'string') {
    domain = normalizeDomain(domain);
    if (domain === null) throw invalidArgument('wpad.domain must be a DNS name of two labels or more');
  } else if (domain !== null && domain !== undefined) {
    throw invalidArgument('wpad.domain must be a string or null');
  }
  const fetchTimeoutMs = opts.fetchTimeoutMs ?? FETCH_TIMEOUT_MS;
  if (typeof fetchTimeoutMs !== 'number' || !Number.isFinite(fetchTimeoutMs) || fetchTimeoutMs <= 0) {
    throw invalidArgument('wpad.fetchTimeoutMs must be a positive number of milliseconds');
  }
  if (opts.resolver !== undefined && !(opts.resolver instanceof Resolver)) {
    throw invalidArgument('wpad.resolver must be a Resolver');
  }
  return {
    port,
    fetchTimeoutMs,
    domain,
    resolver: opts.resolver ?? null,
    publicSuffixList: opts.publicSuffixList ?? SYSTEM_PUBLIC_SUFFIX_LIST,
    clock: opts.clock ?? systemClock,
  };
}

/**
 * One WPAD discovery, cached: a found script for {@link WPAD_FOUND_MS}, a miss for
 * {@link WPAD_MISSING_MS}. Concurrent callers share the discovery in progress. Constructing it
 * does no I/O.
 */
export class WpadDiscovery {
  readonly #opts: ReturnType<typeof checkOptions>;
  #cached: { readonly result: WpadResult; readonly until: number } | null = null;
  #running: Promise<WpadResult> | null = null;

  constructor(opts: WpadOptions = {}) {
    this.#opts = checkOptions(opts);
  }

  /** The cached result while it is fresh, else null. */
  current(): WpadResult | null {
    const cached = this.#cached;
    return cached !== null && this.#opts.clock.now() < cached.until ? cached.result : null;
  }

  /** The cached result, or a new discovery's (never rejects: a failure is `found: false`). */
  discover(): Promise<WpadResult> {
    const fresh = this.current();
    if (fresh !== null) return Promise.resolve(fresh);
    // #run reports failures as results; anything unexpected becomes one too, never a stuck promise.
    this.#running ??= this.#run()
      .catch((err: unknown): WpadResult => ({ found: false, reason: toGError(err).message, tried: [] }))
      .then((result) => {
        const lifetime = result.found ? WPAD_FOUND_MS : WPAD_MISSING_MS;
        this.#cached = { result, until: this.#opts.clock.now() + lifetime };
        this.#running = null;
        return result;
      });
    return this.#running;
  }

  async #run(): Promise<WpadResult> {
    const opts = this.#opts;
    const domain = opts.domain === undefined ? await localDomain() : opts.domain;
    if (domain === null) return { found: false, reason: 'no local domain', tried: [] };
    const psl = await loadPublicSuffixList(opts.publicSuffixList);
    const domains = wpadDomains(domain, psl);
    const tried: string[] = [];
    for (const d of domains) {
      const url = `http://wpad.${d}${opts.port === 80 ? '' : `:${opts.port}`}/wpad.dat`;
      // A name that does not resolve and one that serves no script are both skipped.
      try {
        const script = await this.#fetch(url);
        tried.push(`${url}: found`);
        return { found: true, url, script, tried };
      } catch (err) {
        tried.push(`${url}: ${toGError(err).message}`);
      }
    }
    const walked = domains.length === 0 ? `no domain to ask under ${domain}` : 'no wpad.dat found';
    return { found: false, reason: walked, tried };
  }

  /** `url` fetched by the client layer, directly, its name resolved by the configured resolver. */
  async #fetch(url: string): Promise<string> {
    const { clock, resolver, fetchTimeoutMs } = this.#opts;
    const cancellable = new Cancellable();
    const timer = clock.setTimeout(() => cancellable.cancel(timedOutError()), fetchTimeoutMs);
    try {
      return await loadPacScript(new URL(url), {
        resolver: resolver ?? Resolver.getDefault(),
        timeoutMs: fetchTimeoutMs,
        maxBytes: MAX_SCRIPT_BYTES,
        tlsOptions: null,
        cancellable,
      });
    } finally {
      clock.clearTimeout(timer);
    }
  }
}

// The decision of the desktop's "automatic, no URL" setting: WPAD discovery, then the found script
// evaluated by a PacProxyResolver; no script found means DIRECT, as browsers do
// (docs/differences.md "WPAD").
import { LinkedCancellable, raceCancellable, type CancelOptions } from '../cancellable.js';
import { direct } from './bypass.js';
import { PacProxyResolver } from './pac-proxy-resolver.js';
import { decideProxy, type ProxyDecision } from './proxy-explanation.js';
import { WpadDiscovery, type WpadOptions, type WpadResult } from './wpad-discovery.js';

/** Decisions remembered per destination for the synchronous paths (the enumerator asks right after a lookup). */
const MAX_DECISIONS = 256;

/** WPAD for one SystemProxyResolver: its discovery (cached) and the PAC resolver of the found script. */
export class WpadProxy {
  readonly #discovery: WpadDiscovery;
  readonly #resolver: WpadOptions['resolver'];
  readonly #clock: WpadOptions['clock'];
  #pac: { readonly result: WpadResult & { found: true }; readonly resolver: PacProxyResolver } | null = null;
  readonly #decisions = new Map<string, ProxyDecision>();

  /** Checks `opts` now (IOError INVALID_ARGUMENT); discovers nothing until the first decision. */
  constructor(opts: WpadOptions) {
    this.#discovery = new WpadDiscovery(opts);
    this.#resolver = opts.resolver;
    this.#clock = opts.clock;
  }

  /** Discovers (or takes the cached result), then asks the found script about `uri`. */
  async decide(uri: string, opts?: CancelOptions): Promise<ProxyDecision> {
    const caller = new LinkedCancellable(opts?.cancellable, opts?.signal);
    let decision: ProxyDecision;
    try {
      // The discovery is shared with other lookups: a cancelled caller stops waiting, not the discovery.
      const result = await raceCancellable(this.#discovery.discover(), caller);
      if (!result.found) {
        decision = missing(result);
      } else {
        const pac = this.#pacFor(result);
        await pac.lookup(uri, { cancellable: caller });
        const answer = pac[decideProxy](uri);
        // The script was handed over as text: its URL is the discovered one.
        const outcome = answer.pac === undefined ? {} : { pac: { ...answer.pac, url: result.url } };
        decision = { ...answer, ...outcome, source: `WPAD ${result.url}: ${answer.source}` };
      }
    } finally {
      caller.dispose();
    }
    this.#remember(uri, decision);
    return decision;
  }

  /**
   * Without waiting: the last decision for `uri`, else what the cached discovery says when it
   * found nothing, else DIRECT (a blocking lookup never discovers; docs/differences.md "WPAD").
   */
  decideSync(uri: string): ProxyDecision {
    const known = this.#decisions.get(uri);
    if (known !== undefined) return known;
    const result = this.#discovery.current();
    if (result !== null && !result.found) return missing(result);
    return direct('WPAD: not discovered yet (a synchronous lookup does not discover); DIRECT', null);
  }

  /** The PAC resolver of the found script, made again when discovery found another script. */
  #pacFor(result: WpadResult & { found: true }): PacProxyResolver {
    const current = this.#pac;
    if (current !== null && current.result.url === result.url && current.result.script === result.script) {
      return current.resolver;
    }
    const resolver = new PacProxyResolver(result.script, {
      resolver: this.#resolver ?? null,
      ...(this.#clock === undefined ? {} : { clock: this.#clock }),
    });
    this.#pac = { result, resolver };
    return resolver;
  }

  #remember(uri: string, decision: ProxyDecision): void {
    this.#decisions.delete(uri);
    this.#decisions.set(uri, decision);
    if (this.#decisions.size > MAX_DECISIONS)
      this.#decisions.delete(this.#decisions.keys().next().value as string);
  }
}

/** DIRECT because discovery found no script, with what was tried. */
function missing(result: WpadResult & { found: false }): ProxyDecision {
  const tried = result.tried.length > 0 ? ` (tried ${result.tried.join('; ')})` : '';
  return direct(`WPAD: ${result.reason}${tried}; DIRECT`, null);
}

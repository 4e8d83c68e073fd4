// Why a destination goes through a proxy, as data (docs/differences.md "Proxy environment"): what the
// resolvers compute for each lookup, the redacted form handed to callers, and the proxy and source
// a failed connection names on its error.
import { redactUri } from '../address/uri.js';
import type { GError } from '../errors/gerror.js';

/** What `explainProxy(uri)` answers; every URI in it has its userinfo replaced by `***`. */
export interface ProxyExplanation {
  /** The destination URI asked about. */
  readonly uri: string;
  /** The resolver that decided: `environment`, `gnome`, `kde`, `simple`, `disabled` (enableProxy false) or a class name. */
  readonly resolver: string;
  /**
   * Where the proxy list came from: a variable (`https_proxy`, `ALL_PROXY`, …), `default proxy`,
   * `uri proxy for https`, a settings key (`org.gnome.system.proxy.http host`, `kioslaverc
   * httpProxy`), `no_proxy`, `loopback`, `no proxy configured`, `lookup` (a resolver
   * without explainProxy).
   */
  readonly source: string;
  /** The ignore-hosts / `no_proxy` entry that sent the destination direct, or null. */
  readonly matchedIgnoreHost: string | null;
  /** The proxy URIs tried in order (`direct://` = no proxy). */
  readonly proxies: readonly string[];
  /** Present when a PAC script decided: its URL, its answer, or why it failed. */
  readonly pac?: PacOutcome;
}

/** What a PAC script said, for {@link ProxyExplanation.pac}. */
export interface PacOutcome {
  /** The script's URL (userinfo as `***`), null for script text given directly. */
  readonly url: string | null;
  /** What FindProxyForURL returned (at most 1000 characters), null when it failed. */
  readonly answer: string | null;
  /** Why the script gave no answer (the list is then `direct://`), or null. */
  readonly error: string | null;
}

/** A resolver's decision before redaction (internal; proxies still carry their credentials). */
export interface ProxyDecision {
  readonly source: string;
  readonly matchedIgnoreHost: string | null;
  readonly proxies: readonly string[];
  readonly pac?: PacOutcome;
}

/**
 * Implemented by this package's resolvers: the decision for `uri` (already checked), so the
 * enumerator can name a failing proxy's source without another public call.
 */
export const decideProxy: unique symbol = Symbol('gsocketclient.decideProxy');

/** A resolver that can tell where its answer came from. */
export interface DecidingResolver {
  [decideProxy](uri: string): ProxyDecision;
}

/**
 * Implemented by this package's resolvers: their `lookup()` answer, made synchronously, for the
 * proxy enumerator's fast path. With a checked `uri`: the decision for it; with null: the decision
 * every URI gets (no proxy configured), without looking at one. Null when the answer needs I/O
 * (desktop settings not read yet), depends on the URI (for null), or when a subclass may have
 * replaced `lookup()`: then the enumerator calls `lookup()` as usual.
 */
export const decideQuickly: unique symbol = Symbol('gsocketclient.decideQuickly');

/** A resolver with the fast path above. */
export interface QuickResolver {
  [decideQuickly](uri: string | null): ProxyDecision | null;
}

/** Whether `resolver` offers {@link decideQuickly}. */
export function isQuickResolver(resolver: object): resolver is QuickResolver {
  return typeof (resolver as Partial<QuickResolver>)[decideQuickly] === 'function';
}

/** The public, redacted form of a decision. */
export function explanation(uri: string, resolver: string, decision: ProxyDecision): ProxyExplanation {
  return Object.freeze({
    uri: redactUri(uri),
    resolver,
    source: decision.source,
    matchedIgnoreHost: decision.matchedIgnoreHost,
    proxies: Object.freeze(decision.proxies.map((p) => redactUri(p))),
    ...(decision.pac === undefined ? {} : { pac: Object.freeze({ ...decision.pac }) }),
  });
}

/** Which proxy a failed connection went through, as set on its error (`err.proxy`). */
export interface ProxyFailureInfo {
  /** The proxy URI, userinfo replaced by `***`. */
  readonly uri: string;
  /** Where it came from, as {@link ProxyExplanation.source} (`https_proxy`, `default proxy`, …). */
  readonly source: string;
}

declare module '../errors/gerror.js' {
  interface GError {
    /**
     * Extension: set when the connection failed at or through a proxy — the proxy (redacted) and
     * where it came from. Not enumerable, so logs and `util.inspect` read as GIO's.
     */
    proxy?: ProxyFailureInfo;
  }
}

/** Puts `info` on `error` (non-enumerable, like `attempts`); the message is left as GIO's. */
export function annotateProxyFailure(error: GError, info: ProxyFailureInfo): void {
  Object.defineProperty(error, 'proxy', {
    value: info,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

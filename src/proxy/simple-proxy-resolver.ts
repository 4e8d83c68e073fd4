import type { CancelOptions } from '../cancellable.js';
import { isValidUri, splitNetworkUri } from '../address/uri.js';
import { invalidArgument } from '../errors/gerror.js';
import { findIgnoreRule, parseIgnoreHosts, type IgnoreRule } from './ignore-hosts.js';
import { checkLookup, proxyWarning, redactForLog } from './lookup-checks.js';
import type { ProxyResolver } from './proxy-resolver.js';
import {
  decideProxy,
  decideQuickly,
  explanation,
  type ProxyDecision,
  type ProxyExplanation,
} from './proxy-explanation.js';
import { expandPacUris, hasPacUri, rememberedExpansion, withoutScripts } from './pac-uris.js';

const SOCKS_PREFIX = /^socks:\/\//i;

/**
 * GSimpleProxyResolver (gio/gsimpleproxyresolver.c): one default proxy, per-scheme proxies and hosts that
 * bypass the proxy. Lookups are pure computation; the async form only adds the cancellation check.
 *
 * @example
 * const proxyResolver = new SimpleProxyResolver('socks5://127.0.0.1:1080', ['localhost', '10.0.0.0/8']);
 * const client = new SocketClient({ proxyResolver });
 */
export class SimpleProxyResolver implements ProxyResolver {
  #defaultProxy: string | null = null;
  #ignoreHosts: readonly string[] = [];
  #rules: readonly IgnoreRule[] = [];
  readonly #uriProxies = new Map<string, string>();
  /** The decision every URI gets (see decideQuickly), dropped by every setter. */
  #everywhere: ProxyDecision | null = null;

  /** g_simple_proxy_resolver_new: the default proxy and the hosts that bypass it. */
  constructor(defaultProxy?: string | null, ignoreHosts?: readonly string[] | null) {
    this.setDefaultProxy(defaultProxy ?? null);
    this.setIgnoreHosts(ignoreHosts ?? null);
  }

  /** The proxy for URIs no ignore rule and no uri-proxy covers; `socks://` means all three SOCKS. */
  get defaultProxy(): string | null {
    return this.#defaultProxy;
  }
  /** Sets the default proxy, as {@link SimpleProxyResolver.setDefaultProxy}. */
  set defaultProxy(proxy: string | null) {
    this.setDefaultProxy(proxy);
  }
  /** The default proxy URI, or null (GSimpleProxyResolver:default-proxy). */
  getDefaultProxy(): string | null {
    return this.#defaultProxy;
  }
  /**
   * Null or a valid URI. GIO logs a critical and keeps the old value for anything else; here it
   * throws INVALID_ARGUMENT (without the credentials the URI may hold).
   */
  setDefaultProxy(proxy: string | null): void {
    if (proxy !== null && (typeof proxy !== 'string' || !isValidUri(proxy))) {
      throw invalidArgument(`Invalid default proxy URI ‘${redactForLog(String(proxy))}’`);
    }
    this.#defaultProxy = proxy;
    this.#everywhere = null;
  }

  /** Hosts to reach directly: names, `*.`/`.` suffixes, IPs, CIDR ranges, `name:port`, `[v6]:port`. */
  get ignoreHosts(): readonly string[] {
    return this.#ignoreHosts;
  }
  /** Sets the ignore list, as {@link SimpleProxyResolver.setIgnoreHosts}. */
  set ignoreHosts(hosts: readonly string[] | null) {
    this.setIgnoreHosts(hosts);
  }
  /** The ignore list as given (GSimpleProxyResolver:ignore-hosts). */
  getIgnoreHosts(): readonly string[] {
    return this.#ignoreHosts;
  }
  /** g_simple_proxy_resolver_set_ignore_hosts: the hosts reached directly; null clears the list. */
  setIgnoreHosts(hosts: readonly string[] | null): void {
    if (
      hosts !== null &&
      hosts !== undefined &&
      (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string'))
    ) {
      throw invalidArgument('ignoreHosts must be an array of strings (or null)');
    }
    const entries = Object.freeze([...(hosts ?? [])]);
    this.#rules = parseIgnoreHosts(entries, proxyWarning);
    this.#ignoreHosts = entries;
    this.#everywhere = null;
  }

  /**
   * The proxy for URIs of `scheme` (compared lower-cased). As in GIO the proxy is not validated
   * (an invalid one is skipped, with a warning, by the enumerator) and entries cannot be removed.
   */
  setUriProxy(scheme: string, proxy: string): void {
    this.#uriProxies.set(scheme.toLowerCase(), proxy);
    this.#everywhere = null;
  }

  /** Always true. */
  isSupported(): boolean {
    return true;
  }

  /**
   * g_proxy_resolver_lookup_async: `direct://` for ignored hosts, else the scheme's proxy or the
   * default proxy (`socks://` expands to socks5, socks4a, socks4), else `direct://`. A
   * `pac+http://`, `pac+https://` or `pac+file://` proxy (libproxy's convention) is replaced by
   * what that PAC script answers (see {@link PacProxyResolver}).
   */
  async lookup(uri: string, opts?: CancelOptions): Promise<string[]> {
    checkLookup(uri, opts);
    return [...(await expandPacUris(this, uri, this.#decideBase(uri), opts)).proxies];
  }

  /**
   * Extension: the same answer without a Promise (GIO's synchronous g_proxy_resolver_lookup);
   * NOT_SUPPORTED when the answer is a `pac+` script.
   */
  lookupSync(uri: string, opts?: CancelOptions): string[] {
    checkLookup(uri, opts);
    return this.#choose(uri);
  }

  /** Extension: why `uri` gets its proxies (source, matched ignore-hosts entry, list), redacted. */
  async explainProxy(uri: string, opts?: CancelOptions): Promise<ProxyExplanation> {
    checkLookup(uri, opts);
    return explanation(uri, 'simple', await expandPacUris(this, uri, this.#decideBase(uri), opts));
  }

  /** Extension: {@link SimpleProxyResolver.explainProxy} without a Promise (NOT_SUPPORTED for `pac+`). */
  explainProxySync(uri: string, opts?: CancelOptions): ProxyExplanation {
    checkLookup(uri, opts);
    return explanation(uri, 'simple', withoutScripts(this.#decideBase(uri)));
  }

  /**
   * @internal lookup() without a Promise, for a checked URI. With null: the decision every URI
   * gets, when neither an ignore-hosts entry nor a per-scheme proxy can tell URIs apart.
   */
  [decideQuickly](uri: string | null): ProxyDecision | null {
    // A subclass may answer lookup() differently; only this class's own answer is known here.
    if (Object.getPrototypeOf(this) !== SimpleProxyResolver.prototype) return null;
    if (uri === null) {
      if (this.#rules.length > 0 || this.#uriProxies.size > 0) return null;
      // The same for every URI until a setter runs: made once, not per connect.
      this.#everywhere ??= frozen(this.#decideWithoutRules());
      return hasPacUri(this.#everywhere) ? null : this.#everywhere;
    }
    // A `pac+` proxy needs its script, which only lookup() runs.
    const decision = this.#decideBase(uri);
    return hasPacUri(decision) ? null : decision;
  }

  /** @internal the decision for a checked URI (a `pac+` proxy as its last expansion). */
  [decideProxy](uri: string): ProxyDecision {
    const decision = this.#decideBase(uri);
    if (!hasPacUri(decision)) return decision;
    return rememberedExpansion(this, uri) ?? decision;
  }

  #decideBase(uri: string): ProxyDecision {
    const ignored = this.#ignoredBy(uri);
    if (ignored !== null)
      return { source: 'ignore-hosts', matchedIgnoreHost: ignored, proxies: ['direct://'] };
    const scheme = schemeOf(uri);
    const uriProxy = this.#uriProxies.size === 0 ? undefined : this.#uriProxies.get(scheme);
    if (uriProxy !== undefined) {
      return { source: `uri proxy for ${scheme}`, matchedIgnoreHost: null, proxies: expandProxy(uriProxy) };
    }
    return this.#decideWithoutRules();
  }

  /** The decision of a URI no ignore-hosts entry and no per-scheme proxy covers. */
  #decideWithoutRules(): ProxyDecision {
    if (this.#defaultProxy !== null) {
      return { source: 'default proxy', matchedIgnoreHost: null, proxies: expandProxy(this.#defaultProxy) };
    }
    return { source: 'no proxy configured', matchedIgnoreHost: null, proxies: ['direct://'] };
  }

  #choose(uri: string): string[] {
    return [...withoutScripts(this.#decideBase(uri)).proxies];
  }

  /** The ignore-hosts entry that matches `uri`'s host (and port), or null. */
  #ignoredBy(uri: string): string | null {
    if (this.#rules.length === 0) return null;
    let parts;
    try {
      parts = splitNetworkUri(uri);
    } catch {
      return null; // no host (e.g. `mailto:`): nothing to compare
    }
    return findIgnoreRule(this.#rules, parts.host, parts.port > 0 ? parts.port : 0)?.entry ?? null;
  }
}

/** A decision shared by many lookups, so that none of them can change it for the others. */
function frozen(decision: ProxyDecision): ProxyDecision {
  return Object.freeze({ ...decision, proxies: Object.freeze([...decision.proxies]) });
}

/**
 * One configured proxy → the URIs to try. `socks://` names no version: try them all, best first.
 * GIO compares case-sensitively; like every other scheme here (docs/differences.md) it is matched
 * case-insensitively.
 */
export function expandProxy(proxy: string): string[] {
  if (SOCKS_PREFIX.test(proxy)) {
    const rest = proxy.slice('socks://'.length);
    return [`socks5://${rest}`, `socks4a://${rest}`, `socks4://${rest}`];
  }
  return [proxy];
}

/** The URI's scheme, lower-cased (the whole text when it has no `:`). */
export function schemeOf(uri: string): string {
  const colon = uri.indexOf(':');
  return (colon >= 0 ? uri.slice(0, colon) : uri).toLowerCase();
}

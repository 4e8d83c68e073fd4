import { invalidArgument } from '../errors/gerror.js';
import type { CancelOptions } from '../cancellable.js';
import { isValidUri } from '../address/uri.js';
import { findIgnoreRule, parseIgnoreHosts, type IgnoreRule } from './ignore-hosts.js';
import { checkResolverArguments, destinationOf, direct, loopbackEntry } from './bypass.js';
import { checkLookup, proxyWarning, redactForLog } from './lookup-checks.js';
import type { ProxyResolver } from './proxy-resolver.js';
import {
  decideProxy,
  decideQuickly,
  explanation,
  type ProxyDecision,
  type ProxyExplanation,
} from './proxy-explanation.js';
import { proxyRecipe, type ProxyRecipe } from './proxy-recipe.js';
import { expandProxy, schemeOf } from './simple-proxy-resolver.js';
import { expandPacUris, hasPacUri, rememberedExpansion, withoutScripts } from './pac-uris.js';

/** The variables read, as a plain map; `process.env` by default. */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>;

/** Options of {@link EnvironmentProxyResolver}. */
export interface EnvironmentProxyOptions {
  /**
   * Send loopback destinations (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`) to the proxy too.
   * Default false: a remote proxy's loopback is not this machine's (docs/differences.md).
   */
  readonly proxyLoopback?: boolean;
}

/** A proxy value and the variable it came from. */
interface Chosen {
  readonly proxy: string;
  readonly source: string;
}

/** `[userinfo@]host[:port][/]`, host a name, IPv4 or `[IPv6]`: a proxy value written without scheme. */
const SCHEMELESS = /^(?:[^@\s/]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::\d{1,5})?\/?$/;

/** The schemes with a variable of their own, as GIO reads them (plus http, which curl and Go read). */
const SCHEME_VARIABLES = ['http', 'https', 'ftp'] as const;

/** Every variable the resolver reads, lower-case form first. */
const READ_VARIABLES = ['http', 'https', 'ftp', 'all', 'no'].flatMap((v) => [
  `${v}_proxy`,
  `${v}_proxy`.toUpperCase(),
]);

/**
 * glib-networking's GEnvironmentProxyResolver (proxy/gnome/genvironmentproxyresolver.c), the default
 * here, with the rules curl and Go users expect (docs/differences.md "Proxy environment"). Read once,
 * at construction (later changes are not seen):
 * - `https_proxy`, `ftp_proxy`, `http_proxy` are the proxies for their own scheme;
 * - any other scheme uses `all_proxy`, else `http_proxy` (GIO's default proxy for every scheme);
 * - a value without `scheme://` means `http://`; `socks5h://` is `socks5://` (whose DNS is always
 *   remote here);
 * - `no_proxy` is the comma-separated ignore list (GIO's grammar, entries trimmed, `[::1]` too);
 *   an entry `*` turns the proxies off;
 * - loopback destinations go direct unless `proxyLoopback` is set.
 * The lower-case form of each variable wins; an empty value counts as unset and an invalid one is
 * skipped with a warning, falling through to the upper-case form.
 */
export class EnvironmentProxyResolver implements ProxyResolver {
  readonly #byScheme = new Map<string, Chosen>();
  readonly #fallback: Chosen | null;
  readonly #rules: readonly IgnoreRule[];
  readonly #noProxyName: string;
  readonly #noProxyAll: boolean;
  readonly #proxyLoopback: boolean;
  /** The variables read, kept for {@link proxyRecipe}. */
  readonly #read: Readonly<Record<string, string>>;

  /**
   * Reads the variables of `env` now.
   *
   * @example
   * const proxyResolver = new EnvironmentProxyResolver({ http_proxy: 'socks5://127.0.0.1:1080' });
   * const client = new SocketClient({ proxyResolver });
   * // Loopback destinations through the proxy too:
   * new EnvironmentProxyResolver(process.env, { proxyLoopback: true });
   */
  constructor(env: ProxyEnvironment = process.env, options: EnvironmentProxyOptions = {}) {
    this.#proxyLoopback = checkResolverArguments(env, options);
    const read: Record<string, string> = {};
    for (const name of READ_VARIABLES) {
      const value = variable(env, name);
      if (value !== undefined) read[name] = value;
    }
    this.#read = read;
    for (const scheme of SCHEME_VARIABLES) {
      const chosen = proxyPair(env, `${scheme}_proxy`);
      if (chosen !== null) this.#byScheme.set(scheme, chosen);
    }
    this.#fallback = proxyPair(env, 'all_proxy') ?? this.#byScheme.get('http') ?? null;

    const lower = variable(env, 'no_proxy');
    const noProxy = lower ?? variable(env, 'NO_PROXY');
    this.#noProxyName = lower !== undefined ? 'no_proxy' : 'NO_PROXY';
    const entries = (noProxy ?? '').split(',').map((e) => e.trim());
    this.#noProxyAll = entries.includes('*');
    // `[::1]` without a port, as curl writes it: the bracket-less form is GIO's.
    const unbracketed = entries.map((e) => (/^\[[^\]]*\]$/.test(e) ? e.slice(1, -1) : e));
    this.#rules = this.#noProxyAll ? [] : parseIgnoreHosts(unbracketed, proxyWarning);
  }

  /**
   * Always true: unlike glib-networking (supported only when a variable is set, else GIO falls
   * back to its dummy resolver) this one answers `direct://` itself when nothing is set.
   */
  isSupported(): boolean {
    return true;
  }

  /**
   * g_proxy_resolver_lookup_async: the proxy the variables give for `uri`, or `direct://`. A
   * `pac+http://`, `pac+https://` or `pac+file://` value (libproxy's convention) is replaced by
   * what that PAC script answers.
   */
  async lookup(uri: string, opts?: CancelOptions): Promise<string[]> {
    checkLookup(uri, opts);
    return [...(await expandPacUris(this, uri, this.#decideBase(uri), opts)).proxies];
  }

  /** Extension: the same answer without a Promise (NOT_SUPPORTED for a `pac+` value). */
  lookupSync(uri: string, opts?: CancelOptions): string[] {
    checkLookup(uri, opts);
    return [...withoutScripts(this.#decideBase(uri)).proxies];
  }

  /** Extension: which variable (or `no_proxy` entry, or the loopback rule) decided, redacted. */
  async explainProxy(uri: string, opts?: CancelOptions): Promise<ProxyExplanation> {
    checkLookup(uri, opts);
    return explanation(uri, 'environment', await expandPacUris(this, uri, this.#decideBase(uri), opts));
  }

  /** Extension: {@link EnvironmentProxyResolver.explainProxy} without a Promise (NOT_SUPPORTED for `pac+`). */
  explainProxySync(uri: string, opts?: CancelOptions): ProxyExplanation {
    checkLookup(uri, opts);
    return explanation(uri, 'environment', withoutScripts(this.#decideBase(uri)));
  }

  /** @internal this resolver as data (proxy-recipe.ts). */
  [proxyRecipe](): ProxyRecipe {
    return { kind: 'environment', env: this.#read, proxyLoopback: this.#proxyLoopback };
  }

  /** @internal lookup() without a Promise; for null, the decision when no variable is set. */
  [decideQuickly](uri: string | null): ProxyDecision | null {
    // A subclass may answer lookup() differently; only this class's own answer is known here.
    if (Object.getPrototypeOf(this) !== EnvironmentProxyResolver.prototype) return null;
    if (uri !== null) {
      // A `pac+` value needs its script, which only lookup() runs.
      const decision = this.#decideBase(uri);
      return hasPacUri(decision) ? null : decision;
    }
    return this.#byScheme.size === 0 && this.#fallback === null
      ? direct('no proxy variable set', null)
      : null;
  }

  /** @internal the decision for a checked URI (a `pac+` value as its last expansion). */
  [decideProxy](uri: string): ProxyDecision {
    const decision = this.#decideBase(uri);
    if (!hasPacUri(decision)) return decision;
    return rememberedExpansion(this, uri) ?? decision;
  }

  #decideBase(uri: string): ProxyDecision {
    const chosen = this.#byScheme.get(schemeOf(uri)) ?? this.#fallback;
    if (chosen === null) return direct('no proxy variable set', null);
    if (this.#noProxyAll) return direct(this.#noProxyName, '*');
    const destination = destinationOf(uri);
    if (destination !== null) {
      const loopback = loopbackEntry(destination, this.#proxyLoopback);
      if (loopback !== null) return direct('loopback', loopback);
      const rule = findIgnoreRule(this.#rules, destination.host, destination.port);
      if (rule !== null) return direct(this.#noProxyName, rule.entry);
    }
    return { source: chosen.source, matchedIgnoreHost: null, proxies: expandProxy(chosen.proxy) };
  }
}

/** `name` (lower case) or else its upper-case form, as a usable proxy URI; null when neither is. */
function proxyPair(env: ProxyEnvironment, name: string): Chosen | null {
  for (const candidate of [name, name.toUpperCase()]) {
    const proxy = proxyVariable(env, candidate);
    if (proxy !== null) return { proxy, source: candidate };
  }
  return null;
}

/**
 * validate_proxy_envvar, after curl's and Go's readings: no `scheme://` means `http://`, and
 * `socks5h://` (SOCKS5 with the proxy resolving names) is our `socks5://`. Null when unset, empty
 * or not a valid URI (with a warning).
 */
function proxyVariable(env: ProxyEnvironment, name: string): string | null {
  const value = variable(env, name);
  if (value === undefined || value === '') return null;
  const hasScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value);
  // Without a scheme only `[user[:pass]@]host[:port]` is taken (curl's and Go's reading).
  if (hasScheme || SCHEMELESS.test(value)) {
    const proxy = (hasScheme ? value : `http://${value}`).replace(/^socks5h:/i, 'socks5:');
    if (isValidUri(proxy)) return proxy;
  }
  proxyWarning(`Environment variable ${name} specifies invalid proxy URL ${redactForLog(value)}`);
  return null;
}

/** One variable of `env`: a string or undefined; anything else is a caller's mistake. */
function variable(env: ProxyEnvironment, name: string): string | undefined {
  const value: unknown = env[name];
  if (value === undefined || typeof value === 'string') return value;
  throw invalidArgument(`Environment variable ${name} must be a string`);
}

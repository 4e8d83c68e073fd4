import type { CancelOptions } from '../cancellable.js';
import { checkResolverArguments, destinationOf, direct, loopbackEntry } from './bypass.js';
import { decideDesktop, type DesktopProxyConfig } from './desktop-proxy-config.js';
import { EnvironmentProxyResolver, type ProxyEnvironment } from './environment-proxy-resolver.js';
import { readGnomeSettings, readGnomeSettingsSync } from './gnome-proxy-settings.js';
import { readKdeSettings, readKdeSettingsSync } from './kde-proxy-settings.js';
import {
  decideProxy,
  decideQuickly,
  explanation,
  type ProxyDecision,
  type ProxyExplanation,
} from './proxy-explanation.js';
import { checkLookup, proxyWarning, redactForLog } from './lookup-checks.js';
import { expandPacUris, hasPacUri, pacNeedsAsync, rememberedExpansion } from './pac-uris.js';
import type { ProxyResolver } from './proxy-resolver.js';
import { proxyRecipe, type ProxyRecipe } from './proxy-recipe.js';
import { invalidArgument } from '../errors/gerror.js';
import type { WpadOptions } from './wpad-discovery.js';
import { WpadProxy } from './wpad-proxy.js';

/** Where a {@link SystemProxyResolver} takes its settings from. */
export type SystemProxySource = 'gnome' | 'kde' | 'environment';

/** Options of {@link SystemProxyResolver}. */
export interface SystemProxyOptions {
  /**
   * Send loopback destinations (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`) to the desktop's
   * or the environment's proxy too. Default false (docs/differences.md).
   */
  readonly proxyLoopback?: boolean;
  /**
   * WPAD discovery, used only when the desktop's settings ask for automatic configuration without
   * a URL: the resolver asked for `wpad.<domain>` (default `Resolver.getDefault()`), the domain,
   * and for tests the port (docs/differences.md "WPAD").
   */
  readonly wpad?: WpadOptions;
}

/** How long settings read from the desktop are used before they are read again. */
const CACHE_MS = 5000;

/**
 * The GNOME-family desktops whose sessions use GNOME's proxy settings, as in GIO's and libproxy's
 * checks of `XDG_CURRENT_DESKTOP` (a colon-separated list, compared case-insensitively here).
 */
const GNOME_FAMILY = [
  'gnome',
  'unity',
  'cinnamon',
  'mate',
  'budgie',
  'pantheon',
  'gnome-flashback',
  'gnome-classic',
];

/** The settings source for an environment: GNOME's, KDE's, or the environment variables. */
export function systemProxySource(env: ProxyEnvironment): SystemProxySource {
  const desktops = (env.XDG_CURRENT_DESKTOP ?? '').toLowerCase().split(':');
  if (desktops.some((d) => GNOME_FAMILY.includes(d))) return 'gnome';
  if (desktops.includes('kde')) return 'kde';
  return 'environment';
}

/**
 * The default proxy resolver: the desktop's proxy settings, chosen as GIO's modules and libproxy
 * choose them.
 * - In a GNOME-family session (`XDG_CURRENT_DESKTOP` listing GNOME, Unity, Cinnamon, MATE, Budgie
 *   or Pantheon): the GSettings schema `org.gnome.system.proxy`, read with `gsettings`, mapped as
 *   glib-networking's GProxyResolverGnome does — mode `none` is always direct; in `manual` the
 *   http host (with `user:password@` when `use-authentication`) serves http and, without an
 *   https host, https; `use-same-proxy` makes it the proxy of every other scheme; a socks host
 *   (tried as SOCKS5, 4a, 4) is the proxy of every scheme without its own and wins over
 *   `use-same-proxy`; `ignore-hosts` go direct.
 * - In KDE (`XDG_CURRENT_DESKTOP` listing KDE): `[Proxy Settings]` of `kioslaverc` in
 *   `$XDG_CONFIG_HOME` (or `~/.config`), as KIO reads it: `ProxyType` 0 none, 1 manual
 *   (`httpProxy`, `httpsProxy`, `ftpProxy` per scheme, `socksProxy` as `socks://` for the
 *   others; `NoProxyFor`, inverted by `ReversedException`), 2 a PAC script (`Proxy Config
 *   Script`), 3 WPAD, 4 "system": each key names the environment variable holding the value.
 * - Otherwise, or when the settings cannot be read (no `gsettings`, no schema, no file): the
 *   environment variables, as {@link EnvironmentProxyResolver}.
 *
 * Automatic configuration with a script URL (GNOME mode `auto` with `autoconfig-url`, KDE
 * `ProxyType` 2 with `Proxy Config Script`) runs that PAC script for every destination and obeys
 * its answer (see {@link PacProxyResolver}; the script decides, loopback destinations included,
 * as with glib-networking's pacrunner). A `pac+…` proxy URI in the settings or the environment is
 * run the same way. Without a URL (GNOME mode `auto` with an empty `autoconfig-url`, KDE
 * `ProxyType` 3) the script is discovered by DNS-based WPAD (`wpad` option; DIRECT when none is
 * found; docs/differences.md "WPAD"), and loopback destinations stay direct unless
 * `proxyLoopback`, as they do for manual settings and the environment.
 *
 * Settings are read once, without blocking the event loop for `lookup()`, and read again when
 * older than 5 s; the synchronous `lookupSync()` reads them blocking when it has none fresh.
 *
 * @example
 * const proxyResolver = new SystemProxyResolver();
 * console.log(proxyResolver.source); // 'gnome', 'kde' or 'environment'
 * console.log(await proxyResolver.explainProxy('https://example.com:443'));
 */
export class SystemProxyResolver implements ProxyResolver {
  readonly #env: NodeJS.ProcessEnv;
  readonly #source: SystemProxySource;
  readonly #environment: EnvironmentProxyResolver;
  readonly #proxyLoopback: boolean;
  #cached: { readonly config: DesktopProxyConfig | null; readonly at: number } | null = null;
  #reading: Promise<DesktopProxyConfig | null> | null = null;
  #warnedAuto = false;
  readonly #wpad: WpadProxy;

  /**
   * Chooses the source from `env` now (the environment variables are read now as well; the
   * desktop's settings on the first lookup).
   */
  constructor(env: ProxyEnvironment = process.env, options: SystemProxyOptions = {}) {
    this.#proxyLoopback = checkResolverArguments(env, options);
    this.#environment = new EnvironmentProxyResolver(env, { proxyLoopback: this.#proxyLoopback });
    this.#env = { ...env };
    this.#source = systemProxySource(env);
    const wpad: unknown = options.wpad ?? {};
    if (wpad === null || typeof wpad !== 'object') throw invalidArgument('wpad must be an object');
    this.#wpad = new WpadProxy(wpad);
  }

  /** Where the settings come from: `gnome`, `kde` or `environment` (from `XDG_CURRENT_DESKTOP`). */
  get source(): SystemProxySource {
    return this.#source;
  }

  /** Always true: without desktop settings the environment answers. */
  isSupported(): boolean {
    return true;
  }

  /** g_proxy_resolver_lookup_async: the proxies the desktop's settings give for `uri`. */
  async lookup(uri: string, opts?: CancelOptions): Promise<string[]> {
    checkLookup(uri, opts);
    // Fresh settings (always, for the environment source) are used without a wait or a second
    // check, and only a script (PAC, WPAD) makes the decision wait.
    let config = this.#settingsNow();
    if (config === undefined) {
      config = await this.#settings();
      checkLookup(uri, opts);
    }
    const decision = this.#decide(config, uri);
    return [
      ...(needsScript(config, decision) ? await this.#decideAsync(config, uri, opts) : decision).proxies,
    ];
  }

  /**
   * Extension: the same answer without a Promise (reads the settings blocking when not cached);
   * NOT_SUPPORTED when a PAC script decides.
   */
  lookupSync(uri: string, opts?: CancelOptions): string[] {
    checkLookup(uri, opts);
    const config = this.#settingsSync();
    const decision = this.#decide(config, uri);
    if (needsScript(config, decision)) throw pacNeedsAsync();
    return [...decision.proxies];
  }

  /** Extension: which settings key (or variable, or ignore entry) decided, credentials redacted. */
  async explainProxy(uri: string, opts?: CancelOptions): Promise<ProxyExplanation> {
    checkLookup(uri, opts);
    let config = this.#settingsNow();
    if (config === undefined) {
      config = await this.#settings();
      checkLookup(uri, opts);
    }
    const decision = this.#decide(config, uri);
    const decided = needsScript(config, decision) ? await this.#decideAsync(config, uri, opts) : decision;
    return explanation(uri, this.#resolverName(config), decided);
  }

  /** Extension: {@link SystemProxyResolver.explainProxy} without a Promise (NOT_SUPPORTED for PAC). */
  explainProxySync(uri: string, opts?: CancelOptions): ProxyExplanation {
    checkLookup(uri, opts);
    const config = this.#settingsSync();
    const decision = this.#decide(config, uri);
    if (needsScript(config, decision)) throw pacNeedsAsync();
    return explanation(uri, this.#resolverName(config), decision);
  }

  /**
   * @internal this resolver as data when it only reads the environment; desktop settings are
   * read and cached (and warned about) by this object alone.
   */
  [proxyRecipe](): ProxyRecipe | null {
    return this.#source === 'environment' ? this.#environment[proxyRecipe]() : null;
  }

  /**
   * @internal lookup() without a Promise: from the environment, or from desktop settings already
   * read and fresh (null otherwise: lookup() reads them without blocking).
   */
  [decideQuickly](uri: string | null): ProxyDecision | null {
    // A subclass may answer lookup() differently; only this class's own answer is known here.
    if (Object.getPrototypeOf(this) !== SystemProxyResolver.prototype) return null;
    if (this.#source === 'environment') return this.#environment[decideQuickly](uri);
    if (uri === null) return null;
    const config = this.#settingsNow();
    if (config === undefined) return null;
    // A PAC script (a URL, or WPAD's) decides only in lookup().
    const decision = this.#decide(config, uri);
    return needsScript(config, decision) ? null : decision;
  }

  /** @internal the decision for a checked URI (a PAC script's as its last answer). */
  [decideProxy](uri: string): ProxyDecision {
    const decision = this.#decide(this.#settingsSync(), uri);
    if (!hasPacUri(decision)) return decision;
    return rememberedExpansion(this, uri) ?? decision;
  }

  #resolverName(config: DesktopProxyConfig | null): string {
    return config !== null ? this.#source : 'environment';
  }

  /** The decision with any PAC script run, WPAD's discovered one included. */
  async #decideAsync(
    config: DesktopProxyConfig | null,
    uri: string,
    opts?: CancelOptions,
  ): Promise<ProxyDecision> {
    if (isWpad(config)) return this.#loopbackDecision(uri) ?? this.#wpad.decide(uri, opts);
    const decision = this.#decide(config, uri);
    return expandPacUris(this, uri, decision, opts);
  }

  #decide(config: DesktopProxyConfig | null, uri: string): ProxyDecision {
    if (config === null) return this.#environment[decideProxy](uri);
    if (config.mode === 'auto') {
      if (config.autoconfigUrl !== '') return this.#decidePacUrl(config);
      // WPAD without waiting: loopback, else the last discovered answer (the enumerator's question).
      return this.#loopbackDecision(uri) ?? this.#wpad.decideSync(uri);
    }
    return decideDesktop(config, uri, this.#proxyLoopback);
  }

  /** Mode auto with a script URL: that PAC script decides (run by #decideAsync). */
  #decidePacUrl(config: DesktopProxyConfig): ProxyDecision {
    const url = config.autoconfigUrl.trim();
    const urlKey =
      this.#source === 'kde' ? 'kioslaverc Proxy Config Script' : 'org.gnome.system.proxy autoconfig-url';
    const keySource = `${config.modeSource} auto, ${urlKey}`;
    if (/^(?:pac\+)?(?:https?|file):\/\/\S+$/i.test(url)) {
      return {
        source: keySource,
        matchedIgnoreHost: null,
        proxies: [/^pac\+/i.test(url) ? url : `pac+${url}`],
      };
    }
    if (!this.#warnedAuto) {
      this.#warnedAuto = true;
      proxyWarning(`${keySource}: invalid PAC URL ${redactForLog(url)}; connecting directly`);
    }
    return { source: `${keySource} (invalid URL)`, matchedIgnoreHost: null, proxies: ['direct://'] };
  }

  /** Loopback destinations stay off discovered proxies too, unless `proxyLoopback`. */
  #loopbackDecision(uri: string): ProxyDecision | null {
    const destination = destinationOf(uri);
    const entry = destination === null ? null : loopbackEntry(destination, this.#proxyLoopback);
    return entry === null ? null : direct('loopback', entry);
  }

  #fresh(): boolean {
    return this.#cached !== null && Date.now() - this.#cached.at < CACHE_MS;
  }

  /** The settings when known and fresh (null: the environment), undefined when they must be read. */
  #settingsNow(): DesktopProxyConfig | null | undefined {
    if (this.#source === 'environment') return null;
    return this.#cached !== null && this.#fresh() ? this.#cached.config : undefined;
  }

  /** The desktop's settings (null: use the environment), re-read when older than the cache time. */
  async #settings(): Promise<DesktopProxyConfig | null> {
    if (this.#source === 'environment') return null;
    if (this.#cached !== null && this.#fresh()) return this.#cached.config;
    this.#reading ??= (
      this.#source === 'gnome' ? readGnomeSettings(this.#env) : readKdeSettings(this.#env)
    ).then((config) => {
      this.#cached = { config, at: Date.now() };
      this.#reading = null;
      return config;
    });
    return this.#reading;
  }

  #settingsSync(): DesktopProxyConfig | null {
    if (this.#source === 'environment') return null;
    if (this.#cached !== null && this.#fresh()) return this.#cached.config;
    const config =
      this.#source === 'gnome' ? readGnomeSettingsSync(this.#env) : readKdeSettingsSync(this.#env);
    this.#cached = { config, at: Date.now() };
    return config;
  }
}

/** GNOME mode `auto` with an empty `autoconfig-url`, KDE `ProxyType` 3: discover the script (WPAD). */
function isWpad(config: DesktopProxyConfig | null): boolean {
  return config !== null && config.mode === 'auto' && config.autoconfigUrl === '';
}

/** Whether a script (a `pac+` URI, or WPAD's for a destination that is not loopback) decides. */
function needsScript(config: DesktopProxyConfig | null, decision: ProxyDecision): boolean {
  return hasPacUri(decision) || (isWpad(config) && decision.source !== 'loopback');
}

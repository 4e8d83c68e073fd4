import type { CancelOptions } from '../cancellable.js';
import { checkResolverArguments } from './bypass.js';
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
import { checkLookup, proxyWarning } from './lookup-checks.js';
import type { ProxyResolver } from './proxy-resolver.js';
import { proxyRecipe, type ProxyRecipe } from './proxy-recipe.js';

/** Where a {@link SystemProxyResolver} takes its settings from. */
export type SystemProxySource = 'gnome' | 'kde' | 'environment';

/** Options of {@link SystemProxyResolver}. */
export interface SystemProxyOptions {
  /**
   * Send loopback destinations (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`) to the desktop's
   * or the environment's proxy too. Default false (docs/differences.md).
   */
  readonly proxyLoopback?: boolean;
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
 * Automatic configuration (GNOME mode `auto`, KDE `ProxyType` 2 and 3: a PAC script or WPAD) is
 * not implemented yet: such settings give `direct://` with a warning, once (docs/differences.md).
 * Loopback destinations go direct unless `proxyLoopback` is set.
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

  /**
   * Chooses the source from `env` now (the environment variables are read now as well; the
   * desktop's settings on the first lookup).
   */
  constructor(env: ProxyEnvironment = process.env, options: SystemProxyOptions = {}) {
    this.#proxyLoopback = checkResolverArguments(env, options);
    this.#environment = new EnvironmentProxyResolver(env, { proxyLoopback: this.#proxyLoopback });
    this.#env = { ...env };
    this.#source = systemProxySource(env);
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
    const config = await this.#settings();
    checkLookup(uri, opts);
    return [...this.#decide(config, uri).proxies];
  }

  /** Extension: the same answer without a Promise (reads the settings blocking when not cached). */
  lookupSync(uri: string, opts?: CancelOptions): string[] {
    checkLookup(uri, opts);
    return [...this[decideProxy](uri).proxies];
  }

  /** Extension: which settings key (or variable, or ignore entry) decided, credentials redacted. */
  async explainProxy(uri: string, opts?: CancelOptions): Promise<ProxyExplanation> {
    checkLookup(uri, opts);
    const config = await this.#settings();
    checkLookup(uri, opts);
    return this.#explain(config, uri);
  }

  /** Extension: {@link SystemProxyResolver.explainProxy} without a Promise. */
  explainProxySync(uri: string, opts?: CancelOptions): ProxyExplanation {
    checkLookup(uri, opts);
    return this.#explain(this.#settingsSync(), uri);
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
    if (uri === null || this.#cached === null || !this.#fresh()) return null;
    return this.#decide(this.#cached.config, uri);
  }

  /** @internal the decision for a checked URI. */
  [decideProxy](uri: string): ProxyDecision {
    return this.#decide(this.#settingsSync(), uri);
  }

  #explain(config: DesktopProxyConfig | null, uri: string): ProxyExplanation {
    return explanation(uri, config !== null ? this.#source : 'environment', this.#decide(config, uri));
  }

  #decide(config: DesktopProxyConfig | null, uri: string): ProxyDecision {
    if (config === null) return this.#environment[decideProxy](uri);
    if (config.mode === 'auto') {
      if (!this.#warnedAuto) {
        this.#warnedAuto = true;
        proxyWarning(
          `${config.modeSource} asks for automatic proxy configuration, not supported yet; connecting directly`,
        );
      }
      return {
        source: `${config.modeSource} (automatic, not supported)`,
        matchedIgnoreHost: null,
        proxies: ['direct://'],
      };
    }
    return decideDesktop(config, uri, this.#proxyLoopback);
  }

  #fresh(): boolean {
    return this.#cached !== null && Date.now() - this.#cached.at < CACHE_MS;
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

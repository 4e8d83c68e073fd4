// The desktop's proxy settings in one shape, whichever desktop they came from (GNOME's GSettings,
// KDE's kioslaverc), and the decision they give for a destination.
import { isValidUri } from '../address/uri.js';
import { findIgnoreRule, parseIgnoreHosts, type IgnoreRule } from './ignore-hosts.js';
import { destinationOf, direct, loopbackEntry } from './bypass.js';
import type { ProxyDecision } from './proxy-explanation.js';
import { proxyWarning, redactForLog } from './lookup-checks.js';
import { expandProxy, schemeOf } from './simple-proxy-resolver.js';

/** A proxy URI (credentials included) and the settings key it came from. */
export interface SourcedProxy {
  readonly proxy: string;
  readonly source: string;
}

/**
 * `proxy` from the settings key `source`, or null with a warning when it is not a valid URI (as
 * GProxyResolverGnome's update_settings skips it, but with the credentials redacted).
 */
export function settingsProxy(proxy: string, source: string): SourcedProxy | null {
  if (isValidUri(proxy)) return { proxy, source };
  proxyWarning(`Invalid proxy URI ${redactForLog(proxy)} from ${source}`);
  return null;
}

/** What a desktop's settings say, before any lookup. */
export interface DesktopProxyConfig {
  /** `auto` is a PAC script or WPAD. */
  readonly mode: 'none' | 'manual' | 'auto';
  /** The key that holds the mode (`org.gnome.system.proxy mode`, `kioslaverc ProxyType`). */
  readonly modeSource: string;
  /** GIO's ignore-hosts grammar (KDE's NoProxyFor is read into it). */
  readonly ignoreHosts: readonly string[];
  readonly ignoreSource: string;
  /** KDE's ReversedException: the list names the only hosts that use the proxy. */
  readonly reversedIgnore: boolean;
  /** The proxy for each scheme (lower case). */
  readonly uriProxies: ReadonlyMap<string, SourcedProxy>;
  /** The proxy for every other scheme, or null. */
  readonly defaultProxy: SourcedProxy | null;
  /** The PAC URL of mode `auto` ('' = WPAD). */
  readonly autoconfigUrl: string;
}

/** Parsed ignore rules per config, so a lookup does not re-parse the list. */
const parsedRules = new WeakMap<DesktopProxyConfig, readonly IgnoreRule[]>();

function rulesOf(config: DesktopProxyConfig): readonly IgnoreRule[] {
  let rules = parsedRules.get(config);
  if (rules === undefined) {
    rules = parseIgnoreHosts(config.ignoreHosts, proxyWarning);
    parsedRules.set(config, rules);
  }
  return rules;
}

/**
 * The decision of `config` for a checked URI (mode none or manual; the caller handles `auto` and
 * `environment`): GSimpleProxyResolver's order — ignore-hosts, the scheme's proxy, the default —
 * after the loopback rule.
 */
export function decideDesktop(
  config: DesktopProxyConfig,
  uri: string,
  proxyLoopback: boolean,
): ProxyDecision {
  if (config.mode !== 'manual') return direct(config.modeSource, null);
  const destination = destinationOf(uri);
  if (destination !== null) {
    const loopback = loopbackEntry(destination, proxyLoopback);
    if (loopback !== null) return direct('loopback', loopback);
    const rule = findIgnoreRule(rulesOf(config), destination.host, destination.port);
    if (rule !== null && !config.reversedIgnore) return direct(config.ignoreSource, rule.entry);
    if (rule === null && config.reversedIgnore) return direct(config.ignoreSource, null);
  }
  const chosen = config.uriProxies.get(schemeOf(uri)) ?? config.defaultProxy;
  if (chosen === null) return direct('no proxy configured', null);
  return { source: chosen.source, matchedIgnoreHost: null, proxies: expandProxy(chosen.proxy) };
}

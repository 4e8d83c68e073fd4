// KDE's proxy settings: the [Proxy Settings] group of `kioslaverc` (KIO's configuration, in
// $XDG_CONFIG_HOME or ~/.config; `kioslavesrc` is tried too) as the KDE "Proxy" settings page
// writes it, read the way libproxy's KDE configuration module does.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsProxy, type DesktopProxyConfig, type SourcedProxy } from './desktop-proxy-config.js';

const FILES = ['kioslaverc', 'kioslavesrc'] as const;
const GROUP = 'Proxy Settings';
/** ProxyType: 0 none, 1 manual, 2 PAC script, 3 WPAD, 4 the environment variables. */
const MODES = ['none', 'manual', 'auto', 'auto', 'environment'] as const;
/** A settings file larger than this is not a settings file; it is not read. */
const MAX_BYTES = 1 << 20;

/** The candidate files, in order. */
function candidates(env: NodeJS.ProcessEnv): string[] {
  const xdg = env.XDG_CONFIG_HOME;
  const home = env.HOME;
  const dir =
    xdg !== undefined && xdg.startsWith('/')
      ? xdg
      : home !== undefined && home !== ''
        ? join(home, '.config')
        : null;
  return dir === null ? [] : FILES.map((name) => join(dir, name));
}

/** Reads the first settings file found without blocking; null when none holds proxy settings. */
export async function readKdeSettings(env: NodeJS.ProcessEnv): Promise<DesktopProxyConfig | null> {
  for (const file of candidates(env)) {
    let text;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const config = kdeConfig(text);
    if (config !== null) return config;
  }
  return null;
}

/** {@link readKdeSettings}, blocking (for the first synchronous lookup only). */
export function readKdeSettingsSync(env: NodeJS.ProcessEnv): DesktopProxyConfig | null {
  for (const file of candidates(env)) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const config = kdeConfig(text);
    if (config !== null) return config;
  }
  return null;
}

/** The keys of one group of a KConfig file; `key[$e]` (shell expansion flag) is read as `key`. */
export function readKConfigGroup(text: string, group: string): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  if (text.length > MAX_BYTES) return keys;
  let inGroup = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      inGroup = line === `[${group}]`;
      continue;
    }
    const eq = line.indexOf('=');
    if (!inGroup || eq < 0) continue;
    const key = line
      .slice(0, eq)
      .replace(/\[[^\]]*\]$/, '')
      .trim();
    keys.set(key, line.slice(eq + 1).trim());
  }
  return keys;
}

/**
 * A proxy value as KDE writes it, `http://host port` (its settings page) or `host:port` (older
 * files), as a URI; `scheme` is used when the value has none. Null when empty.
 */
export function kdeProxyUri(value: string | undefined, scheme: string): string | null {
  if (value === undefined || value.trim() === '') return null;
  let uri = value.trim().replace(/\s+(\d+)$/, ':$1');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(uri)) uri = `${scheme}://${uri}`;
  return uri;
}

/** The [Proxy Settings] of a kioslaverc text; null when it has no usable ProxyType. */
export function kdeConfig(text: string): DesktopProxyConfig | null {
  const keys = readKConfigGroup(text, GROUP);
  const type = keys.get('ProxyType');
  if (type === undefined || !/^\d$/.test(type) || Number(type) >= MODES.length) return null;
  const mode = MODES[Number(type)];
  const uriProxies = new Map<string, SourcedProxy>();
  let defaultProxy: SourcedProxy | null = null;
  if (mode === 'manual') {
    for (const [scheme, key] of [
      ['http', 'httpProxy'],
      ['https', 'httpsProxy'],
      ['ftp', 'ftpProxy'],
    ] as const) {
      const proxy = kdeProxyUri(keys.get(key), 'http');
      const sourced = proxy === null ? null : settingsProxy(proxy, `kioslaverc ${key}`);
      if (sourced !== null) uriProxies.set(scheme, sourced);
    }
    const socks = kdeProxyUri(keys.get('socksProxy'), 'socks');
    if (socks !== null) defaultProxy = settingsProxy(socks, 'kioslaverc socksProxy');
  }
  const noProxy = keys.get('NoProxyFor') ?? '';
  return {
    mode,
    modeSource: 'kioslaverc ProxyType',
    ignoreHosts: noProxy.split(/[,\s]+/).filter((entry) => entry !== ''),
    ignoreSource: 'kioslaverc NoProxyFor',
    reversedIgnore: keys.get('ReversedException') === 'true',
    uriProxies,
    defaultProxy,
    autoconfigUrl: mode === 'auto' && type === '2' ? (keys.get('Proxy Config Script') ?? '') : '',
  };
}

// KDE's proxy settings: the [Proxy Settings] group of `kioslaverc` in $XDG_CONFIG_HOME (or
// ~/.config), as KIO's proxy settings page (kio src/kcms/kio/kproxydlg.cpp, through
// ksaveioconfig.cpp) writes it and as KIO's KProtocolManager (KF5 src/core/kprotocolmanager.cpp:
// proxyFor, proxiesForUrl, shouldIgnoreProxyFor) and libproxy's config-kde module read it. The
// only file either reads is `kioslaverc`; there is no `kioslavesrc`.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsProxy, type DesktopProxyConfig, type SourcedProxy } from './desktop-proxy-config.js';

const FILE = 'kioslaverc';
const GROUP = 'Proxy Settings';
const SOURCE = 'kioslaverc';
/** A settings file larger than this is not a settings file; it is not read. */
const MAX_BYTES = 1 << 20;

/** KProtocolManager::ProxyType. */
const enum ProxyType {
  NoProxy = 0,
  ManualProxy = 1,
  PACProxy = 2,
  WPADProxy = 3,
  EnvVarProxy = 4,
}

/** The settings file, or null without a config directory. */
function settingsFile(env: NodeJS.ProcessEnv): string | null {
  const xdg = env.XDG_CONFIG_HOME;
  const home = env.HOME;
  // The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, FILE);
  if (home !== undefined && home !== '') return join(home, '.config', FILE);
  return null;
}

/**
 * Reads the settings without blocking; null when there is no readable `kioslaverc` (the
 * environment then decides, as libproxy falls through to its next configuration module).
 */
export async function readKdeSettings(env: NodeJS.ProcessEnv): Promise<DesktopProxyConfig | null> {
  const file = settingsFile(env);
  if (file === null) return null;
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  return kdeConfig(text, env);
}

/** {@link readKdeSettings}, blocking (for the first synchronous lookup only). */
export function readKdeSettingsSync(env: NodeJS.ProcessEnv): DesktopProxyConfig | null {
  const file = settingsFile(env);
  if (file === null) return null;
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return kdeConfig(text, env);
}

/** KConfig's value escapes (`\s`, `\t`, `\n`, `\r`, `\\`, `\xHH`), as KConfigIniBackend unescapes. */
function unescapeValue(value: string): string {
  return value.replace(/\\(x[0-9A-Fa-f]{2}|.)/g, (_, escape: string) => {
    switch (escape[0]) {
      case 's':
        return ' ';
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'x':
        return String.fromCharCode(parseInt(escape.slice(1), 16));
      default:
        return escape;
    }
  });
}

/**
 * The keys of one group of a KConfig file (the last value of a key wins, a group may appear more
 * than once). Option flags (`key[$e]`, `[Group][$i]`) are dropped; localised keys (`key[de]`) are
 * skipped, as a reader without a locale uses the plain key.
 */
export function readKConfigGroup(text: string, group: string): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  if (text.length > MAX_BYTES) return keys;
  let inGroup = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      inGroup = line.replace(/\[\$[a-z]+\]$/, '') === `[${group}]`;
      continue;
    }
    const eq = line.indexOf('=');
    if (!inGroup || eq < 0) continue;
    let key = line.slice(0, eq).trim();
    const bracket = /\[([^\]]*)\]$/.exec(key);
    if (bracket !== null) {
      if (!bracket[1].startsWith('$')) continue;
      key = key.slice(0, bracket.index).trim();
    }
    keys.set(key, unescapeValue(line.slice(eq + 1).trim()));
  }
  return keys;
}

/** KConfigGroup::readEntry for a bool: `true`, `on`, `yes` or a non-zero number. */
function kconfigBool(value: string | undefined): boolean {
  if (value === undefined) return false;
  const lower = value.trim().toLowerCase();
  if (lower === 'true' || lower === 'on' || lower === 'yes') return true;
  return /^[+-]?\d+$/.test(lower) && Number(lower) !== 0;
}

/**
 * A proxy value as a URI, or null when empty or malformed. The settings page writes
 * `scheme://host port`; KProtocolManager::proxyFor turns the last space into `:` when digits
 * follow it and discards the value otherwise. A value without a scheme (`host:port`, older
 * files and hand-edited ones) gets `scheme`.
 */
export function kdeProxyUri(value: string | undefined, scheme: string): string | null {
  if (value === undefined) return null;
  let uri = value.trim();
  if (uri === '') return null;
  const space = uri.lastIndexOf(' ');
  if (space >= 0) {
    const port = uri.slice(space + 1);
    if (!/^\d*$/.test(port)) return null;
    uri = `${uri.slice(0, space).trim()}:${port}`;
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(uri)) uri = `${scheme}://${uri}`;
  return uri;
}

/** The SOCKS alternate always has the scheme `socks://` (KProtocolManager::proxiesForUrl). */
function asSocks(uri: string): string {
  const sep = uri.indexOf('://');
  return `socks://${sep < 0 ? uri : uri.slice(sep + 3)}`;
}

/** KIO reads WebDAV's proxies from the http and https keys (KProtocolManager adjustProtocol). */
const SCHEME_ALIASES: ReadonlyMap<string, string> = new Map([
  ['webdav', 'http'],
  ['webdavs', 'https'],
]);

/** `<scheme>Proxy` keys: http, https, ftp from the settings page; KIO reads any scheme's. */
const SCHEME_KEY = /^([a-z][a-z0-9+.-]*)Proxy$/;

/**
 * The [Proxy Settings] of a kioslaverc text. `ProxyType`: 0 (or missing, or unknown) none;
 * 1 manual; 2 a PAC script (`Proxy Config Script`, a path meaning `file://` as libproxy reads
 * it); 3 WPAD; 4 "use the system proxy configuration", where each key holds the *name* of an
 * environment variable (`httpProxy=HTTP_PROXY`, `NoProxyFor=NO_PROXY`) whose value is used.
 * `NoProxyFor` (comma-separated) applies to 1 and 4; `ReversedException` to 1 only.
 */
export function kdeConfig(text: string, env: NodeJS.ProcessEnv): DesktopProxyConfig {
  const keys = readKConfigGroup(text, GROUP);
  const typeText = keys.get('ProxyType')?.trim() ?? '';
  const type = /^\d+$/.test(typeText) ? Number(typeText) : ProxyType.NoProxy;
  const modeSource = `${SOURCE} ProxyType`;
  const base = {
    modeSource,
    ignoreHosts: [] as readonly string[],
    ignoreSource: `${SOURCE} NoProxyFor`,
    reversedIgnore: false,
    uriProxies: new Map<string, SourcedProxy>(),
    defaultProxy: null,
    autoconfigUrl: '',
  };
  switch (type) {
    case ProxyType.ManualProxy:
    case ProxyType.EnvVarProxy:
      return manualConfig(keys, type === ProxyType.EnvVarProxy ? env : null, base);
    case ProxyType.PACProxy: {
      const script = keys.get('Proxy Config Script')?.trim() ?? '';
      // No script to run: KIO's proxy scout has nothing to evaluate, so nothing is proxied.
      if (script === '') return { ...base, mode: 'none' };
      return {
        ...base,
        mode: 'auto',
        autoconfigUrl: script.startsWith('/') ? `file://${script}` : script,
      };
    }
    case ProxyType.WPADProxy:
      return { ...base, mode: 'auto' };
    default:
      return { ...base, mode: 'none' };
  }
}

/**
 * Modes 1 and 4. `env` is given for mode 4, where each key names the variable to read
 * (KProtocolManagerPrivate::getSystemProxyFor, readNoProxyFor).
 */
function manualConfig(
  keys: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv | null,
  base: Omit<DesktopProxyConfig, 'mode'>,
): DesktopProxyConfig {
  const value = (key: string): { text: string | undefined; source: string } => {
    const raw = keys.get(key);
    if (env === null) return { text: raw, source: `${SOURCE} ${key}` };
    const name = raw?.trim() ?? '';
    return {
      text: name === '' ? undefined : env[name]?.trim(),
      source: `${SOURCE} ${key} ($${name})`,
    };
  };
  const uriProxies = new Map<string, SourcedProxy>();
  for (const key of keys.keys()) {
    const scheme = SCHEME_KEY.exec(key)?.[1];
    if (scheme === undefined || scheme === 'socks' || SCHEME_ALIASES.has(scheme)) continue;
    const { text, source } = value(key);
    const proxy = kdeProxyUri(text, 'http');
    const sourced = proxy === null ? null : settingsProxy(proxy, source);
    if (sourced === null) continue;
    uriProxies.set(scheme, sourced);
    for (const [alias, target] of SCHEME_ALIASES) if (target === scheme) uriProxies.set(alias, sourced);
  }
  const socks = value('socksProxy');
  const socksUri = kdeProxyUri(socks.text, 'socks');
  const defaultProxy = socksUri === null ? null : settingsProxy(asSocks(socksUri), socks.source);
  const noProxy = value('NoProxyFor');
  return {
    ...base,
    mode: 'manual',
    ignoreHosts: (noProxy.text ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== ''),
    ignoreSource: noProxy.source,
    reversedIgnore: env === null && kconfigBool(keys.get('ReversedException')),
    uriProxies,
    defaultProxy,
  };
}

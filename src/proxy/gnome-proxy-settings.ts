// GNOME's proxy settings (the GSettings schema `org.gnome.system.proxy` and its http/https/ftp/socks
// children), read with `gsettings list-recursively` and turned into the per-scheme proxies of
// glib-networking's GProxyResolverGnome (proxy/gnome/gproxyresolvergnome.c, update_settings).
import { execFile, execFileSync } from 'node:child_process';
import { settingsProxy, type DesktopProxyConfig, type SourcedProxy } from './desktop-proxy-config.js';

const SCHEMA = 'org.gnome.system.proxy';
/** A hung D-Bus or dconf must not hold a lookup for long: after this the environment is used. */
const READ_TIMEOUT_MS = 2000;

type Value = string | number | boolean | readonly string[];
type Settings = ReadonlyMap<string, Value>;

/** Runs `gsettings list-recursively` without blocking; null when gsettings or the schema is missing. */
export function readGnomeSettings(env: NodeJS.ProcessEnv): Promise<DesktopProxyConfig | null> {
  return new Promise((resolve) => {
    execFile(
      'gsettings',
      ['list-recursively', SCHEMA],
      { env, timeout: READ_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 1 << 20 },
      (error, stdout) => resolve(error === null ? gnomeConfig(parseGsettingsList(stdout)) : null),
    );
  });
}

/** {@link readGnomeSettings}, blocking (for the first synchronous lookup only). */
export function readGnomeSettingsSync(env: NodeJS.ProcessEnv): DesktopProxyConfig | null {
  try {
    const stdout = execFileSync('gsettings', ['list-recursively', SCHEMA], {
      env,
      timeout: READ_TIMEOUT_MS,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return gnomeConfig(parseGsettingsList(stdout));
  } catch {
    return null;
  }
}

/**
 * Lines `schema key value`, the value in GVariant text form (g_variant_print): `'text'` or
 * `"text"` with backslash escapes, integers, `true`/`false`, `['a', 'b']` or `@as []`. Keys are
 * returned as `schema key`; a value this reader does not know is left out.
 */
export function parseGsettingsList(text: string): Settings {
  const settings = new Map<string, Value>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) (\S+) (.*)$/.exec(line);
    if (match === null) continue;
    const value = parseValue(match[3]);
    if (value !== undefined) settings.set(`${match[1]} ${match[2]}`, value);
  }
  return settings;
}

function parseValue(text: string): Value | undefined {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (trimmed === '@as []' || trimmed === '[]') return [];
  if (trimmed.startsWith('[')) {
    const items: string[] = [];
    let pos = 1;
    while (pos < trimmed.length) {
      const c = trimmed[pos];
      if (c === ']') return items;
      if (c === ',' || c === ' ') {
        pos++;
        continue;
      }
      const parsed = parseString(trimmed, pos);
      if (parsed === null) return undefined;
      items.push(parsed.value);
      pos = parsed.end;
    }
    return undefined;
  }
  const parsed = parseString(trimmed, 0);
  return parsed !== null && parsed.end === trimmed.length ? parsed.value : undefined;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' };

/** A quoted GVariant string starting at `start`: its value and the index after the closing quote. */
function parseString(text: string, start: number): { value: string; end: number } | null {
  const quote = text[start];
  if (quote !== "'" && quote !== '"') return null;
  let value = '';
  for (let pos = start + 1; pos < text.length; pos++) {
    const c = text[pos];
    if (c === quote) return { value, end: pos + 1 };
    if (c !== '\\') {
      value += c;
      continue;
    }
    const next = text[++pos] ?? '';
    const hex = next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex > 0 && /^[0-9a-fA-F]+$/.test(text.slice(pos + 1, pos + 1 + hex))) {
      value += String.fromCodePoint(parseInt(text.slice(pos + 1, pos + 1 + hex), 16));
      pos += hex;
    } else {
      value += ESCAPES[next] ?? next;
    }
  }
  return null;
}

function str(settings: Settings, key: string): string {
  const value = settings.get(key);
  return typeof value === 'string' ? value : '';
}
function int(settings: Settings, key: string): number {
  const value = settings.get(key);
  return typeof value === 'number' ? value : 0;
}
function bool(settings: Settings, key: string): boolean {
  return settings.get(key) === true;
}

/** `host:port`, brackets around an IPv6 literal so the result is a valid URI authority. */
function authority(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/**
 * update_settings of gproxyresolvergnome.c: in manual mode the http host (with
 * `user:password@` when use-authentication) is the proxy for http and, without an https host, for
 * https; `use-same-proxy` makes it the default for every scheme; a socks host is the default
 * (`socks://`: SOCKS5, 4a, 4) and wins over use-same-proxy; the ftp host serves ftp.
 */
export function gnomeConfig(settings: Settings): DesktopProxyConfig | null {
  const modeKey = `${SCHEMA} mode`;
  const mode = settings.get(modeKey);
  if (mode !== 'none' && mode !== 'manual' && mode !== 'auto') return null;
  const hosts = settings.get(`${SCHEMA} ignore-hosts`);
  const uriProxies = new Map<string, SourcedProxy>();
  let defaultProxy: SourcedProxy | null = null;
  /** `scheme://[userinfo]host:port` from the child schema `child`, when its host is set and valid. */
  const hostProxy = (child: string, scheme: string, userinfo = ''): SourcedProxy | null => {
    const host = str(settings, `${SCHEMA}.${child} host`);
    if (host === '') return null;
    const port = int(settings, `${SCHEMA}.${child} port`);
    return settingsProxy(`${scheme}://${userinfo}${authority(host, port)}`, `${SCHEMA}.${child} host`);
  };
  if (mode === 'manual') {
    const http = `${SCHEMA}.http`;
    const userinfo = bool(settings, `${http} use-authentication`)
      ? `${escape(str(settings, `${http} authentication-user`))}:${escape(
          str(settings, `${http} authentication-password`),
        )}@`
      : '';
    const httpProxy = hostProxy('http', 'http', userinfo);
    if (httpProxy !== null) {
      uriProxies.set('http', httpProxy);
      if (bool(settings, `${SCHEMA} use-same-proxy`)) {
        defaultProxy = { proxy: httpProxy.proxy, source: `${SCHEMA} use-same-proxy` };
      }
    }
    const httpsProxy = hostProxy('https', 'http') ?? httpProxy;
    if (httpsProxy !== null) uriProxies.set('https', httpsProxy);
    defaultProxy = hostProxy('socks', 'socks') ?? defaultProxy;
    const ftpProxy = hostProxy('ftp', 'ftp');
    if (ftpProxy !== null) uriProxies.set('ftp', ftpProxy);
  }
  return {
    mode,
    modeSource: modeKey,
    ignoreHosts: typeof hosts === 'object' ? hosts : [],
    ignoreSource: `${SCHEMA} ignore-hosts`,
    reversedIgnore: false,
    uriProxies,
    defaultProxy,
    autoconfigUrl: str(settings, `${SCHEMA} autoconfig-url`),
  };
}

/** g_uri_escape_string(text, NULL, TRUE): everything but RFC 3986 unreserved characters escaped. */
function escape(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

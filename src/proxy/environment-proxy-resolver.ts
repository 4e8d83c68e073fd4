import { invalidArgument } from '../errors/gerror.js';
import type { CancelOptions } from '../cancellable.js';
import { isValidUri } from '../address/uri.js';
import { proxyWarning, redactForLog, type ProxyResolver } from './proxy-resolver.js';
import { SimpleProxyResolver } from './simple-proxy-resolver.js';

/** The variables read, as a plain map; `process.env` by default. */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * glib-networking's GEnvironmentProxyResolver (proxy/gnome/genvironmentproxyresolver.c), the default here: a
 * SimpleProxyResolver built once, at construction, from the usual variables (later changes are not seen):
 * - `http_proxy` / `HTTP_PROXY` is the default proxy, used for *every* scheme;
 * - `https_proxy` / `HTTPS_PROXY` and `ftp_proxy` / `FTP_PROXY` are the proxies for those schemes;
 * - `no_proxy` / `NO_PROXY` is the comma-separated ignore list (entries trimmed, see docs/differences.md).
 * The lower-case form wins; an empty value counts as unset and an invalid one is skipped with a
 * warning, falling through to the upper-case form. With nothing set every lookup is `direct://`.
 */
export class EnvironmentProxyResolver implements ProxyResolver {
  readonly #base: SimpleProxyResolver;

  /**
   * Reads the variables of `env` now.
   *
   * @example
   * const proxyResolver = new EnvironmentProxyResolver({ http_proxy: 'socks5://127.0.0.1:1080' });
   * const client = new SocketClient({ proxyResolver });
   */
  constructor(env: ProxyEnvironment = process.env) {
    if (env === null || typeof env !== 'object') throw invalidArgument('env must be an object of strings');
    const noProxy = variable(env, 'no_proxy') ?? variable(env, 'NO_PROXY');
    this.#base = new SimpleProxyResolver(
      proxyVariable(env, 'http_proxy') ?? proxyVariable(env, 'HTTP_PROXY'),
      noProxy === undefined ? null : noProxy.split(','),
    );
    const ftp = proxyVariable(env, 'ftp_proxy') ?? proxyVariable(env, 'FTP_PROXY');
    if (ftp !== null) this.#base.setUriProxy('ftp', ftp);
    const https = proxyVariable(env, 'https_proxy') ?? proxyVariable(env, 'HTTPS_PROXY');
    if (https !== null) this.#base.setUriProxy('https', https);
  }

  /**
   * Always true: unlike glib-networking (supported only when a variable is set, else GIO falls
   * back to its dummy resolver) this one answers `direct://` itself when nothing is set.
   */
  isSupported(): boolean {
    return true;
  }

  /** g_proxy_resolver_lookup_async: the proxy the variables give for `uri`'s scheme, or `direct://`. */
  lookup(uri: string, opts?: CancelOptions): Promise<string[]> {
    return this.#base.lookup(uri, opts);
  }

  /** Extension: the same answer without a Promise. */
  lookupSync(uri: string, opts?: CancelOptions): string[] {
    return this.#base.lookupSync(uri, opts);
  }
}

/** validate_proxy_envvar: the value, or null when unset, empty or not a valid URI. */
function proxyVariable(env: ProxyEnvironment, name: string): string | null {
  const value = variable(env, name);
  if (value === undefined || value === '') return null;
  if (isValidUri(value)) return value;
  proxyWarning(`Environment variable ${name} specifies invalid proxy URL ${redactForLog(value)}`);
  return null;
}

/** One variable of `env`: a string or undefined; anything else is a caller's mistake. */
function variable(env: ProxyEnvironment, name: string): string | undefined {
  const value: unknown = env[name];
  if (value === undefined || typeof value === 'string') return value;
  throw invalidArgument(`Environment variable ${name} must be a string`);
}

import type { CancelOptions } from '../cancellable.js';
import { EnvironmentProxyResolver } from './environment-proxy-resolver.js';
import { SystemProxyResolver } from './system-proxy-resolver.js';
import { checkLookup, proxyWarning } from './lookup-checks.js';
import { direct } from './bypass.js';
import {
  decideQuickly,
  explanation,
  type ProxyDecision,
  type ProxyExplanation,
} from './proxy-explanation.js';
import { proxyRecipe, type ProxyRecipe } from './proxy-recipe.js';

/**
 * GProxyResolver: which proxies to use for a destination URI, in order (`direct://` = none).
 * Implement it, or use SimpleProxyResolver / EnvironmentProxyResolver, and pass it as a client's
 * `proxyResolver`.
 *
 * @example
 * const viaSocks: ProxyResolver = {
 *   isSupported: () => true,
 *   lookup: async (uri) => (uri.includes('.internal:') ? ['direct://'] : ['socks5://127.0.0.1:1080']),
 * };
 */
export interface ProxyResolver {
  /** g_proxy_resolver_is_supported: whether this resolver can work here (false: GIO falls back to none). */
  isSupported(): boolean;
  /**
   * g_proxy_resolver_lookup_async: the proxy URIs to try for `uri` (`scheme://host:port`), in
   * order, such as `socks5://user:pass@proxy:1080` or `direct://`. Rejects with
   * INVALID_ARGUMENT for an invalid URI and CANCELLED when cancelled.
   */
  lookup(uri: string, opts?: CancelOptions): Promise<string[]>;
  /**
   * Extension, optional: why `uri` gets its proxies — the source, the ignore entry that matched,
   * the list — with credentials redacted. `SocketClient.explainProxy` answers for resolvers without it.
   */
  explainProxy?(uri: string, opts?: CancelOptions): Promise<ProxyExplanation>;
}

/**
 * `resolver.explainProxy(uri)`, or for a resolver without one, its `lookup()` answer with the
 * source `lookup` and the resolver's class name.
 */
export async function explainProxyWith(
  resolver: ProxyResolver,
  uri: string,
  opts?: CancelOptions,
): Promise<ProxyExplanation> {
  if (typeof resolver.explainProxy === 'function') return resolver.explainProxy(uri, opts);
  checkLookup(uri, opts);
  const found: unknown = await resolver.lookup(uri, opts);
  const proxies = Array.isArray(found) ? found.filter((p): p is string => typeof p === 'string') : [];
  const name = resolver instanceof DummyProxyResolver ? 'dummy' : className(resolver);
  return explanation(uri, name, { source: 'proxy resolver', matchedIgnoreHost: null, proxies });
}

/**
 * What a client with this resolver would do for `uri`: with `enableProxy` false every destination
 * is direct (resolver `disabled`), else {@link explainProxyWith}.
 */
export async function explainClientProxy(
  resolver: ProxyResolver,
  enableProxy: boolean,
  uri: string,
  opts?: CancelOptions,
): Promise<ProxyExplanation> {
  if (enableProxy) return explainProxyWith(resolver, uri, opts);
  checkLookup(uri, opts);
  return explanation(uri, 'disabled', {
    source: 'enableProxy is false',
    matchedIgnoreHost: null,
    proxies: ['direct://'],
  });
}

function className(value: object): string {
  const name: unknown = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'custom';
}

let defaultResolver: ProxyResolver | null = null;

/**
 * g_proxy_resolver_get_default. GIO picks the best implementation on the `gio-proxy-resolver`
 * extension point; here the default is {@link SystemProxyResolver} (the desktop's settings, else
 * the environment), and `GIO_USE_PROXY_RESOLVER` picks another as in GIO: `environment`
 * ({@link EnvironmentProxyResolver} alone) or `dummy` (always `direct://`). Created once, on
 * first use.
 */
export function getDefaultProxyResolver(): ProxyResolver {
  defaultResolver ??= createDefaultProxyResolver(process.env);
  return defaultResolver;
}

/** Replaces the process-wide default; `null` goes back to the automatic choice. */
export function setDefaultProxyResolver(resolver: ProxyResolver | null): void {
  defaultResolver = resolver;
}

/** @internal the automatic choice, for a given environment. */
export function createDefaultProxyResolver(env: NodeJS.ProcessEnv): ProxyResolver {
  const name = env.GIO_USE_PROXY_RESOLVER;
  if (name === 'dummy') return new DummyProxyResolver();
  if (name === 'environment') return new EnvironmentProxyResolver(env);
  if (name !== undefined && name !== '') {
    proxyWarning(`GIO_USE_PROXY_RESOLVER: no proxy resolver named '${name}'; using the default`);
  }
  return new SystemProxyResolver(env);
}

/**
 * `ProxyResolver.getDefault()` / `ProxyResolver.setDefault()`, the names GJS users know
 * (g_proxy_resolver_get_default).
 */
export const ProxyResolver = {
  /** g_proxy_resolver_get_default; see {@link getDefaultProxyResolver}. */
  getDefault: getDefaultProxyResolver,
  /** g_proxy_resolver_set_default; see {@link setDefaultProxyResolver}. */
  setDefault: setDefaultProxyResolver,
} as const;

/** GDummyProxyResolver: no proxies at all. */
class DummyProxyResolver implements ProxyResolver {
  isSupported(): boolean {
    return true;
  }
  async lookup(uri: string, opts?: CancelOptions): Promise<string[]> {
    return this.lookupSync(uri, opts);
  }
  lookupSync(uri: string, opts?: CancelOptions): string[] {
    checkLookup(uri, opts);
    return ['direct://'];
  }
  /** @internal this resolver as data (proxy-recipe.ts). */
  [proxyRecipe](): ProxyRecipe {
    return { kind: 'dummy' };
  }
  /** @internal lookup() without a Promise: always direct. */
  [decideQuickly](): ProxyDecision | null {
    return direct('proxy resolver', null);
  }
}

import {
  EnvironmentProxyResolver,
  SimpleProxyResolver,
  SystemProxyResolver,
  type ProxyEnvironment,
  type ProxyResolver,
} from '../index.js';

/**
 * The proxy resolver for --proxy and --no-proxy-for; null leaves the client's default (the
 * desktop's settings or the environment). --proxy makes a SimpleProxyResolver whose ignore-hosts are the --no-proxy-for
 * entries. --no-proxy-for alone keeps the environment's proxies and adds its entries to the
 * environment's own `no_proxy` list (`no_proxy`, else `NO_PROXY`): an EnvironmentProxyResolver
 * over a copy of the environment, so the process environment is never changed. --proxy-loopback
 * (`proxyLoopback`) lets the proxies carry loopback destinations too; alone, it keeps the default
 * resolver's choice (a SystemProxyResolver: the desktop's settings or the environment).
 */
export function cliProxyResolver(
  proxy: string | null,
  noProxyFor: readonly string[],
  env: ProxyEnvironment = process.env,
  proxyLoopback = false,
): ProxyResolver | null {
  if (proxy !== null) return new SimpleProxyResolver(proxy, noProxyFor.length > 0 ? noProxyFor : null);
  if (noProxyFor.length === 0 && !proxyLoopback) return null;
  // GIO_USE_PROXY_RESOLVER=dummy: no proxies at all, so nothing to except.
  if (env.GIO_USE_PROXY_RESOLVER === 'dummy') return null;
  // --proxy-loopback alone: the default resolver's choice (desktop or environment), loopback included.
  if (noProxyFor.length === 0 && env.GIO_USE_PROXY_RESOLVER !== 'environment') {
    return new SystemProxyResolver(env, { proxyLoopback });
  }
  const current = env.no_proxy !== undefined ? env.no_proxy : env.NO_PROXY;
  const merged = [...(current ? [current] : []), ...noProxyFor].join(',');
  return new EnvironmentProxyResolver(noProxyFor.length > 0 ? { ...env, no_proxy: merged } : env, {
    proxyLoopback,
  });
}

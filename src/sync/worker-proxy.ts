/**
 * The caller's built-in proxy resolver, rebuilt on the engine thread from its recipe
 * (src/proxy/proxy-recipe.ts), so a connect decides its proxies here instead of asking the
 * blocked thread. Rebuilt resolvers are kept by recipe: the same settings give the same object
 * (as the caller's default resolver is one object), and the cache is bounded.
 */
import { withoutProxyWarnings } from '../proxy/lookup-checks.js';
import { EnvironmentProxyResolver } from '../proxy/environment-proxy-resolver.js';
import { createDefaultProxyResolver, type ProxyResolver } from '../proxy/proxy-resolver.js';
import type { ProxyRecipe } from '../proxy/proxy-recipe.js';

/** Distinct recipes kept; a program normally has one or two (its default resolver). */
const KEPT = 16;

const rebuilt = new Map<string, ProxyResolver>();

export function resolverFromRecipe(recipe: ProxyRecipe): ProxyResolver {
  const key = JSON.stringify(recipe);
  let resolver = rebuilt.get(key);
  if (resolver === undefined) {
    // The caller's resolver already warned about these variables when it was made.
    resolver = withoutProxyWarnings(() => build(recipe));
    if (rebuilt.size >= KEPT) rebuilt.delete(rebuilt.keys().next().value as string);
    rebuilt.set(key, resolver);
  }
  return resolver;
}

function build(recipe: ProxyRecipe): ProxyResolver {
  if (recipe.kind === 'dummy') return createDefaultProxyResolver({ GIO_USE_PROXY_RESOLVER: 'dummy' });
  return new EnvironmentProxyResolver(recipe.env, { proxyLoopback: recipe.proxyLoopback });
}

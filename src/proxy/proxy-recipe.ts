// A built-in proxy resolver as plain data, so that another thread (the blocking API's engine
// thread, docs/sync.md) can build the same resolver and decide there instead of asking back.
/** The method a built-in resolver class defines on its own prototype to describe itself. */
export const proxyRecipe = Symbol('gsocketclient.proxyRecipe');

/**
 * What rebuilds a resolver whose answers depend on nothing but this data:
 * - `dummy`: GDummyProxyResolver, always `direct://`;
 * - `environment`: EnvironmentProxyResolver over these variables (only the proxy variables it
 *   reads, never the whole environment).
 */
export type ProxyRecipe =
  | { readonly kind: 'dummy' }
  | {
      readonly kind: 'environment';
      readonly env: Readonly<Record<string, string>>;
      readonly proxyLoopback: boolean;
    };

interface Describable {
  [proxyRecipe](): ProxyRecipe | null;
}

/**
 * The recipe of `resolver`, or null when it cannot be rebuilt from data: a user-defined
 * resolver, a subclass (it may override lookup), or settings read from the desktop (cached and
 * re-read over time, with warnings that belong to the resolver the caller holds).
 */
export function recipeOf(resolver: object): ProxyRecipe | null {
  const proto: unknown = Object.getPrototypeOf(resolver);
  if (proto === null || typeof proto !== 'object' || !Object.hasOwn(proto, proxyRecipe)) return null;
  return (resolver as Describable)[proxyRecipe]();
}

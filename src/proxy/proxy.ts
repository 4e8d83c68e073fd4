// The GProxy registry by protocol name (the `gio-proxy` extension point, gio/giomodule.c); the
// interface itself is in proxy-interface.ts.
import { builtinProxies } from './builtin.js';
import type { Proxy } from './proxy-interface.js';

export type { Proxy, ProxyConnectOptions } from './proxy-interface.js';

const registry = new Map<string, Proxy>();
let builtinsRegistered = false;

/**
 * Fills the registry with socks4, socks4a, socks5, http and https on first use rather than at
 * module evaluation, as GIO loads its extension points (g_io_modules_ensure_extension_points_registered).
 */
function ensureBuiltins(): void {
  if (builtinsRegistered) return;
  builtinsRegistered = true;
  for (const [name, proxy] of builtinProxies()) if (!registry.has(name)) registry.set(name, proxy);
}

/**
 * The GProxy extension point (`gio-proxy` in GIO): registers (or replaces) the implementation used
 * for proxy URIs of that scheme, matched lower-cased.
 */
export function registerProxy(protocol: string, proxy: Proxy): void {
  ensureBuiltins();
  registry.set(protocol.toLowerCase(), proxy);
}

/** g_proxy_get_default_for_protocol; names are matched lower-cased (docs/differences.md). */
export function getProxyForProtocol(protocol: string): Proxy | null {
  ensureBuiltins();
  return registry.get(protocol.toLowerCase()) ?? null;
}

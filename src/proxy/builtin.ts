// The five GProxy implementations GIO registers (gio/giomodule.c). proxy.ts asks for
// them on first use of the registry; nothing here touches the registry at module evaluation, so
// the import cycle proxy.ts → here → https-proxy.ts → network-address.ts → … → proxy.ts is safe.
import { HttpProxy } from './http-proxy.js';
import { HttpsProxy } from './https-proxy.js';
import type { Proxy } from './proxy-interface.js';
import { Socks4Proxy } from './socks4.js';
import { Socks5Proxy } from './socks5.js';

export function builtinProxies(): ReadonlyMap<string, Proxy> {
  return new Map<string, Proxy>([
    ['socks4', new Socks4Proxy({ supportsHostname: false })],
    ['socks4a', new Socks4Proxy({ supportsHostname: true })],
    ['socks5', new Socks5Proxy()],
    ['http', new HttpProxy()],
    ['https', new HttpsProxy()],
  ]);
}

import type { CancelOptions } from '../cancellable.js';

/** GProxyResolver: which proxies to use for a destination URI, in order (`direct://` = none). */
export interface ProxyResolver {
  isSupported(): boolean;
  lookup(uri: string, opts?: CancelOptions): Promise<string[]>;
}

// STUB — being written by the proxy helper (issue 4, §6.2). Until then: no proxies (direct://).
import type { Cancellable } from '../cancellable.js';
import {
  BaseAddressEnumerator,
  type EnumerateOptions,
  type SocketAddressEnumerator,
  type SocketConnectable,
} from '../address/connectable.js';
import type { SocketAddress } from '../address/socket-address.js';

export class ProxyAddressEnumerator extends BaseAddressEnumerator {
  readonly #inner: SocketAddressEnumerator;
  constructor(connectable: SocketConnectable, _uri: string, opts?: EnumerateOptions) {
    super();
    this.#inner = connectable.enumerate(opts);
  }
  protected nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    return this.#inner.next(cancellable);
  }
  override close(): void {
    this.#inner.close?.();
  }
}

import {
  BaseAddressEnumerator,
  NetworkService,
  type Cancellable,
  type EnumerateOptions,
  type SocketAddress,
  type SocketAddressEnumerator,
  type SrvTarget,
} from '../index.js';
import { NetworkServiceAddressEnumerator } from '../resolver/network-service.js';

/**
 * A NetworkService that remembers which SRV target each address it hands out came from, so the
 * timeline can name the target a CONNECTING belongs to. Connecting to it is exactly
 * connect_to_service (GIO builds `g_network_service_new(service, "tcp", domain)` and connects to
 * that; being a NetworkService, error messages and the TLS server identity use the domain as
 * usual); it only watches the enumerator. The event's address object is the one handed out, so
 * the lookup is exact even with Happy Eyeballs attempts in parallel.
 */
export class TrackedService extends NetworkService {
  readonly #targets = new WeakMap<SocketAddress, SrvTarget>();

  constructor(service: string, domain: string) {
    super(service, 'tcp', domain);
  }

  override enumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    return new TrackingEnumerator(super.enumerate(opts), this.#targets);
  }

  override proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    return new TrackingEnumerator(super.proxyEnumerate(opts), this.#targets);
  }

  /** The SRV target `address` was resolved from, or null if it is not one of ours. */
  targetOf(address: SocketAddress): SrvTarget | null {
    return this.#targets.get(address) ?? null;
  }
}

class TrackingEnumerator extends BaseAddressEnumerator {
  readonly #inner: SocketAddressEnumerator;
  readonly #targets: WeakMap<SocketAddress, SrvTarget>;

  constructor(inner: SocketAddressEnumerator, targets: WeakMap<SocketAddress, SrvTarget>) {
    super();
    this.#inner = inner;
    this.#targets = targets;
  }

  protected async nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    const address = await this.#inner.next(cancellable);
    const target = this.#inner instanceof NetworkServiceAddressEnumerator ? this.#inner.currentTarget : null;
    if (address && target) this.#targets.set(address, target);
    return address;
  }

  override close(): void {
    this.#inner.close?.();
  }
}

import type { Cancellable } from '../cancellable.js';
import type { Clock } from '../clock.js';
import type { Resolver } from '../resolver/resolver.js';
import type { ProxyResolver } from '../proxy/proxy-resolver.js';
import type { SocketAddress } from './socket-address.js';

/**
 * Extension over GIO: where GIO always uses the default resolvers, a SocketClient passes its own
 * (`resolver`, `proxyResolver`) down to the enumerators it creates.
 */
export interface EnumerateOptions {
  /** The resolver for name and SRV lookups; `Resolver.getDefault()` when absent. */
  readonly resolver?: Resolver | null;
  /** The proxy resolver asked by proxyEnumerate(); `ProxyResolver.getDefault()` when absent. */
  readonly proxyResolver?: ProxyResolver | null;
  /** Default port given to the proxy enumerator's destination URI parse. */
  readonly defaultPort?: number;
  /** The time source of the RFC 8305 resolution delay; the system clock when absent. */
  readonly clock?: Clock | null;
}

/**
 * GSocketAddressEnumerator: `next()` resolves to the next address, or null at the end. Also
 * async-iterable.
 *
 * @example
 * for await (const address of NetworkAddress.parse('localhost:80', 0).enumerate()) {
 *   console.log(String(address)); // [::1]:80, then 127.0.0.1:80
 * }
 */
export interface SocketAddressEnumerator extends AsyncIterable<SocketAddress> {
  /**
   * g_socket_address_enumerator_next_async: the next address, or null when there are no more.
   * Rejects with a GError (e.g. a ResolverError) when the lookup behind it fails.
   */
  next(cancellable?: Cancellable | null): Promise<SocketAddress | null>;
  /** Optional: stop background work (lookups, timers) when the caller abandons the enumeration. */
  close?(): void;
  /**
   * Optional hint: true once the next `next()` is known to answer null (a fixed list all handed
   * out). The client then arms no Happy Eyeballs attempt-delay timer for the last attempt;
   * without the hint it learns the end from one more request.
   */
  readonly exhausted?: boolean;
}

/**
 * GSocketConnectable: anything that can be turned into socket addresses — what
 * `SocketClient.connect()` takes. Implement it to connect to addresses of your own choosing.
 *
 * @example
 * const both: SocketConnectable = {
 *   enumerate: () => new ListAddressEnumerator([a, b]),
 *   proxyEnumerate: (opts) => new ProxyAddressEnumerator(both, 'none://example.com:443', opts),
 *   toString: () => 'example.com:443',
 * };
 */
export interface SocketConnectable {
  /** g_socket_connectable_enumerate: the addresses to try, in order, without asking about proxies. */
  enumerate(opts?: EnumerateOptions): SocketAddressEnumerator;
  /**
   * g_socket_connectable_proxy_enumerate: the addresses to try once the proxy resolver is asked (the client
   * uses this).
   */
  proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator;
  /** g_socket_connectable_to_string: for messages and events; must not reveal credentials. */
  toString(): string;
}

/** The internal, symbol-keyed synchronous counterpart of next() (not part of the public API). */
export const takeKnown: unique symbol = Symbol('takeKnown');

/**
 * The next address when the enumerator already knows it (an IP literal, addresses cached, a
 * `direct://` decision made without I/O), taken without a Promise; undefined when only `next()` can
 * tell (then nothing was taken). The client uses it to spare the Promises of a plain connect.
 */
export function takeKnownAddress(
  enumerator: SocketAddressEnumerator,
  cancellable: Cancellable | null,
): SocketAddress | null | undefined {
  return enumerator instanceof BaseAddressEnumerator ? enumerator[takeKnown](cancellable) : undefined;
}

/**
 * Base for enumerators: GIO's contract forbids overlapping `next()` calls; instead of corrupting
 * state (as overlapping calls can in GIO) requests are serialised here, so subclasses see one
 * request at a time.
 */
/** Where the first request of every enumerator starts from: a promise already settled, shared. */
const SETTLED: Promise<unknown> = Promise.resolve();

export abstract class BaseAddressEnumerator implements SocketAddressEnumerator {
  /** The previous request, settled or not; none before the first. */
  #tail: Promise<unknown> = SETTLED;
  /** next() calls not yet settled: while there are any, nothing is taken synchronously. */
  #pending = 0;

  /** The next address or null at the end; calls made before the previous one settled wait their turn. */
  next(cancellable?: Cancellable | null): Promise<SocketAddress | null> {
    this.#pending++;
    const run = this.#tail.then(
      () => this.nextAddress(cancellable ?? null),
      () => this.nextAddress(cancellable ?? null),
    );
    const settled = (): void => {
      this.#pending--;
    };
    this.#tail = run.then(settled, settled);
    return run;
  }

  /** See takeKnownAddress(): the next address if it is already known, without a Promise. */
  [takeKnown](cancellable: Cancellable | null): SocketAddress | null | undefined {
    if (this.#pending > 0 || cancellable?.isCancelled() === true) return undefined;
    return this.knownAddress(cancellable);
  }

  /**
   * Subclasses that can answer without waiting (an IP literal) override this: what nextAddress()
   * would resolve to, taken now, or undefined (nothing taken) when only nextAddress() can tell.
   */
  protected knownAddress(_cancellable: Cancellable | null): SocketAddress | null | undefined {
    return undefined;
  }

  /** What subclasses implement: the next address, or null; called one request at a time. */
  protected abstract nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null>;

  /** Subclasses with background work override this; the client calls it when it is done. */
  close(): void {}

  /** `for await (const address of enumerator)`: next() until null. */
  async *[Symbol.asyncIterator](): AsyncIterator<SocketAddress> {
    for (;;) {
      const address = await this.next();
      if (address === null) return;
      yield address;
    }
  }
}

/** An enumerator over a fixed list (GSocketAddress's own enumerator yields the address once). */
export class ListAddressEnumerator extends BaseAddressEnumerator {
  readonly #addresses: SocketAddress[];
  /** Yields `addresses` in order (the list is copied). */
  constructor(addresses: readonly SocketAddress[]) {
    super();
    this.#addresses = [...addresses];
  }
  /** Whether every address of the list has been handed out. */
  get exhausted(): boolean {
    return this.#addresses.length === 0;
  }

  /** The next address of the list; rejects with CANCELLED when `cancellable` is. */
  protected async nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    cancellable?.throwIfCancelled();
    return this.#addresses.shift() ?? null;
  }
}

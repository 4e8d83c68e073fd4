import type { Cancellable } from '../cancellable.js';
import type { Resolver } from '../resolver/resolver.js';
import type { ProxyResolver } from '../proxy/proxy-resolver.js';
import type { SocketAddress } from './socket-address.js';

/**
 * Extension over GIO: where GIO always uses the default resolvers, a SocketClient passes its own
 * (`resolver`, `proxyResolver`) down to the enumerators it creates.
 */
export interface EnumerateOptions {
  readonly resolver?: Resolver | null;
  readonly proxyResolver?: ProxyResolver | null;
  /** Default port given to the proxy enumerator's destination URI parse. */
  readonly defaultPort?: number;
}

/** GSocketAddressEnumerator: `next()` resolves to the next address, or null at the end. */
export interface SocketAddressEnumerator extends AsyncIterable<SocketAddress> {
  next(cancellable?: Cancellable | null): Promise<SocketAddress | null>;
  /** Optional: stop background work (lookups, timers) when the caller abandons the enumeration. */
  close?(): void;
}

/** GSocketConnectable: anything that can be turned into socket addresses. */
export interface SocketConnectable {
  enumerate(opts?: EnumerateOptions): SocketAddressEnumerator;
  proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator;
  toString(): string;
}

/**
 * Base for enumerators: GIO's contract forbids overlapping `next()` calls; instead of corrupting
 * state (GIO Q3) requests are serialised here, so subclasses see one request at a time.
 */
export abstract class BaseAddressEnumerator implements SocketAddressEnumerator {
  #tail: Promise<unknown> = Promise.resolve();

  next(cancellable?: Cancellable | null): Promise<SocketAddress | null> {
    const run = this.#tail.then(
      () => this.nextAddress(cancellable ?? null),
      () => this.nextAddress(cancellable ?? null),
    );
    this.#tail = run.catch(() => undefined);
    return run;
  }

  protected abstract nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null>;

  /** Subclasses with background work override this; the client calls it when it is done. */
  close(): void {}

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
  constructor(addresses: readonly SocketAddress[]) {
    super();
    this.#addresses = [...addresses];
  }
  protected async nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    cancellable?.throwIfCancelled();
    return this.#addresses.shift() ?? null;
  }
}

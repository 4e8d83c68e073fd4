import { Cancellable, LinkedCancellable } from '../cancellable.js';
import {
  BaseAddressEnumerator,
  type EnumerateOptions,
  type SocketAddressEnumerator,
  type SocketConnectable,
} from '../address/connectable.js';
import { NetworkAddress } from '../address/network-address.js';
import { getServiceByName } from '../address/services.js';
import type { SocketAddress } from '../address/socket-address.js';
import { IOErrorEnum, ResolverErrorEnum } from '../errors/enums.js';
import { GError, IOError, ResolverError, invalidArgument } from '../errors/gerror.js';
import { toGError } from '../errors/errno.js';
import { checkHostname, escapeForMessage } from '../address/hostname-check.js';
import { hostnameToAscii } from './host-checks.js';
import { Resolver } from './resolver.js';
import { SrvTarget } from './srv-target.js';

/**
 * GNetworkService (gio/gnetworkservice.c): a service on a domain, found through
 * DNS SRV records (`_service._protocol.domain`), each target then resolved as a NetworkAddress.
 *
 * Differences from GIO 2.74 (docs/differences.md): `proxyEnumerate()` hands each target to the target's own
 * proxy enumerator with the client's options, so the client's proxy resolver is honoured, and the
 * URI given to it uses `<scheme or service>` in every API style (GIO's async path used `none`).
 *
 * @example
 * // _xmpp-client._tcp.example.com SRV records, each target resolved and tried in RFC 2782 order
 * const conn = await new SocketClient().connect(new NetworkService('xmpp-client', 'tcp', 'example.com'));
 */
export class NetworkService implements SocketConnectable {
  /** g_network_service_get_service: the service name, e.g. `xmpp-client` (no leading `_`). */
  readonly service: string;
  /** g_network_service_get_protocol: `tcp` or `udp` (no leading `_`). */
  readonly protocol: string;
  /** g_network_service_get_domain: the domain whose SRV records are looked up. */
  readonly domain: string;
  #scheme: string | null = null;
  /** GIO resolves targets once per object; here once per resolver, as NetworkAddress caches. */
  readonly #targets = new WeakMap<Resolver, readonly SrvTarget[]>();

  /** g_network_service_new; throws INVALID_ARGUMENT for an empty part or one with control characters. */
  constructor(service: string, protocol: string, domain: string) {
    for (const [name, value] of [
      ['service', service],
      ['protocol', protocol],
      ['domain', domain],
    ] as const) {
      if (typeof value !== 'string' || value === '') {
        throw invalidArgument(`NetworkService ${name} must be a non-empty string`);
      }
      checkHostname(value, `NetworkService ${name}`);
    }
    this.service = service;
    this.protocol = protocol;
    this.domain = domain;
  }

  /**
   * The URI scheme given to the proxy resolver for each target. Reading it when it was never set
   * (or set to null) gives the service name, as g_network_service_get_scheme does.
   */
  get scheme(): string {
    return this.#scheme ?? this.service;
  }
  /** Sets the scheme; null returns to the default (the service name). */
  set scheme(value: string | null) {
    if (value !== null && typeof value !== 'string') throw invalidArgument('scheme must be a string or null');
    this.#scheme = value;
  }

  /** g_network_service_get_service. */
  getService(): string {
    return this.service;
  }
  /** g_network_service_get_protocol. */
  getProtocol(): string {
    return this.protocol;
  }
  /** g_network_service_get_domain. */
  getDomain(): string {
    return this.domain;
  }
  /** g_network_service_get_scheme: the scheme, or the service name when none was set. */
  getScheme(): string {
    return this.scheme;
  }
  /** g_network_service_set_scheme; null returns to the default (the service name). */
  setScheme(scheme: string | null): void {
    this.scheme = scheme;
  }

  /**
   * `(<service>, <protocol>, <domain>, <scheme>)`, GIO's to_string, the scheme as `scheme` reads
   * (the service when none was set). GIO prints its unset scheme pointer, which glibc shows as
   * `(null)`: C's artefact, not information (docs/differences.md).
   */
  toString(): string {
    return `(${this.service}, ${this.protocol}, ${this.domain}, ${this.scheme})`;
  }

  /**
   * g_socket_connectable_enumerate: looks up the SRV records once, then yields each target's
   * addresses in turn.
   */
  enumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    return new NetworkServiceAddressEnumerator(this, opts, false);
  }

  /** g_socket_connectable_proxy_enumerate: as enumerate(), each target asked about proxies. */
  proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    return new NetworkServiceAddressEnumerator(this, opts, true);
  }

  /**
   * @internal The targets in RFC 2782 order, looked up once per resolver. Without an SRV record
   * (NOT_FOUND only) a service name /etc/services knows falls back to `domain:port` (as gio/gnetworkservice.c
   * does).
   */
  async targets(resolver: Resolver, cancellable: Cancellable | null): Promise<readonly SrvTarget[]> {
    const cached = this.#targets.get(resolver);
    if (cached) return cached;
    let targets: readonly SrvTarget[];
    try {
      targets = await resolver.lookupService(this.service, this.protocol, this.domain, { cancellable });
    } catch (err) {
      // GIO asks getservbyname(service, "tcp") whatever the protocol (gio/gnetworkservice.c).
      const port =
        err instanceof ResolverError && err.code === ResolverErrorEnum.NOT_FOUND
          ? getServiceByName(this.service, 'tcp')
          : null;
      if (port === null) throw err;
      targets = [new SrvTarget(this.domain, port, 0, 0)];
    }
    if (targets.length === 0) {
      // A lone "." target: "decidedly not available" (RFC 2782). GIO 2.74 returns no address and
      // no error here, which its async connect asserts on (g_socket_client_connect_async); we report it.
      throw new ResolverError(
        ResolverErrorEnum.NOT_FOUND,
        `Service “${this.service}” is not available on “${this.domain}”`,
      );
    }
    this.#targets.set(resolver, targets);
    return targets;
  }
}

/**
 * GNetworkServiceAddressEnumerator: the SRV targets in order, each one's addresses exhausted
 * before the next target is tried. Each target is a NetworkAddress, so its own enumerator (Happy
 * Eyeballs ordering, or the proxy enumerator) applies per target.
 *
 * Errors: a target that fails (say, its name does not resolve) is skipped; the first such error
 * is reported at the end only if no address at all was returned. Once an address was handed out
 * errors are dropped, as the enumerator contract requires (GIO reports them anyway).
 */
export class NetworkServiceAddressEnumerator extends BaseAddressEnumerator {
  readonly #service: NetworkService;
  readonly #opts: EnumerateOptions;
  readonly #resolver: Resolver;
  readonly #useProxy: boolean;
  /** Cancelled by close(), to stop a lookup in flight. */
  readonly #closer = new Cancellable();
  #targets: readonly SrvTarget[] | null = null;
  #index = 0;
  #current: SocketAddressEnumerator | null = null;
  #currentTarget: SrvTarget | null = null;
  #returned = 0;
  #firstError: GError | null = null;
  #done = false;

  constructor(service: NetworkService, opts: EnumerateOptions | undefined, useProxy: boolean) {
    super();
    this.#service = service;
    this.#opts = opts ?? {};
    this.#resolver = opts?.resolver ?? Resolver.getDefault();
    this.#useProxy = useProxy;
  }

  /** The SRV target whose addresses are being handed out (null before the first, after the last). */
  get currentTarget(): SrvTarget | null {
    return this.#currentTarget;
  }

  get service(): NetworkService {
    return this.#service;
  }

  protected async nextAddress(cancellable: Cancellable | null): Promise<SocketAddress | null> {
    cancellable?.throwIfCancelled();
    if (this.#done) return null;
    const linked = new LinkedCancellable(cancellable, this.#closer);
    try {
      this.#targets ??= await this.#service.targets(this.#resolver, linked);
      // Bounded: each pass either returns or moves to the next target.
      for (;;) {
        if (this.#current === null && !this.#startNextTarget()) return this.#finish();
        const inner = this.#current!;
        try {
          const address = await inner.next(linked);
          if (address !== null) {
            this.#returned++;
            return address;
          }
        } catch (err) {
          const error = toGError(err);
          if (linked.isCancelled() || isCancelled(error)) throw error;
          this.#firstError ??= error;
        }
        inner.close?.();
        this.#current = null;
      }
    } finally {
      linked.dispose();
    }
  }

  /** Opens the next target's enumerator; false when there is none left. */
  #startNextTarget(): boolean {
    const targets = this.#targets!;
    while (this.#index < targets.length) {
      const target = targets[this.#index++];
      this.#currentTarget = target;
      // g_hostname_to_ascii on the target, as GIO's sync enumerator does.
      const ascii = hostnameToAscii(target.hostname);
      if (ascii === null || ascii === '' || target.hostname === '.') {
        this.#firstError ??= new IOError(
          IOErrorEnum.INVALID_ARGUMENT,
          `Received invalid hostname '${escapeForMessage(target.hostname)}' from GSrvTarget`,
        );
        continue;
      }
      const address = new NetworkAddress(ascii, target.port, this.#service.scheme);
      const opts: EnumerateOptions = { ...this.#opts, resolver: this.#resolver, defaultPort: target.port };
      this.#current = this.#useProxy ? address.proxyEnumerate(opts) : address.enumerate(opts);
      return true;
    }
    return false;
  }

  #finish(): null {
    this.#done = true;
    this.#currentTarget = null;
    if (this.#returned > 0) return null;
    if (this.#firstError) throw this.#firstError;
    // Targets existed but none gave an address or an error: never an empty success (GIO's async connect
    // asserts on one).
    throw new ResolverError(
      ResolverErrorEnum.NOT_FOUND,
      `Error resolving “${this.#service.domain}”: No valid addresses were found`,
    );
  }

  override close(): void {
    this.#done = true;
    this.#closer.cancel();
    this.#current?.close?.();
    this.#current = null;
    this.#currentTarget = null;
  }
}

function isCancelled(err: GError): boolean {
  return err instanceof IOError && err.code === IOErrorEnum.CANCELLED;
}

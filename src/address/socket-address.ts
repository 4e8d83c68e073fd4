import { SocketFamily } from '../errors/enums.js';
import { invalidArgument } from '../errors/gerror.js';
import { ProxyAddressEnumerator } from '../proxy/proxy-address-enumerator.js';
import {
  ListAddressEnumerator,
  type EnumerateOptions,
  type SocketAddressEnumerator,
  type SocketConnectable,
} from './connectable.js';
import { checkHostname } from './hostname-check.js';
import { InetAddress } from './inet-address.js';
import { redactUri } from './uri.js';

/** GSocketAddress: a concrete address, itself a connectable that yields just itself. */
export abstract class SocketAddress implements SocketConnectable {
  abstract readonly family: SocketFamily;
  abstract toString(): string;

  enumerate(_opts?: EnumerateOptions): SocketAddressEnumerator {
    return new ListAddressEnumerator([this]);
  }

  proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    return this.enumerate(opts);
  }
}

/** GInetSocketAddress: an IP address and a port. */
export class InetSocketAddress extends SocketAddress {
  readonly address: InetAddress;
  readonly port: number;

  constructor(address: InetAddress, port: number) {
    super();
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw invalidArgument(`Invalid port ${String(port)}: must be an integer from 0 to 65535`);
    }
    this.address = address;
    this.port = port;
  }

  /** g_inet_socket_address_new_from_string: null when `address` is not an IP literal. */
  static newFromString(address: string, port: number): InetSocketAddress | null {
    const inet = InetAddress.newFromString(address);
    return inet ? new InetSocketAddress(inet, port) : null;
  }

  get family(): SocketFamily.IPV4 | SocketFamily.IPV6 {
    return this.address.family;
  }

  /**
   * g_inet_socket_address_connectable_to_string: `127.0.0.1:80`, `[::1]:80`, `[fe80::1%eth0]:80`;
   * port 0 is left out, and with it the brackets (`127.0.0.1`, `::1`). GIO writes the numeric
   * scope id; the zone is shown here as given (docs/differences.md).
   */
  toString(): string {
    const host = this.address.toNodeHost();
    if (this.port === 0) return host;
    return this.family === SocketFamily.IPV6 ? `[${host}]:${this.port}` : `${host}:${this.port}`;
  }

  /** GIO: an InetSocketAddress is proxy-enumerated with the destination URI `none://ip:port`. */
  override proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    const host = this.family === SocketFamily.IPV6 ? `[${this.address.toString()}]` : this.address.toString();
    return new ProxyAddressEnumerator(this, `none://${host}:${this.port}`, opts);
  }
}

/**
 * GUnixSocketAddress: a filesystem path, or a Linux abstract name (no filesystem entry; Node
 * spells it with a leading NUL byte).
 */
export class UnixSocketAddress extends SocketAddress {
  readonly family = SocketFamily.UNIX;
  readonly path: string;
  readonly abstract: boolean;

  constructor(path: string, opts?: { abstract?: boolean }) {
    super();
    if (typeof path !== 'string' || path.length === 0) {
      throw invalidArgument('A Unix socket address needs a non-empty path');
    }
    this.abstract = opts?.abstract ?? false;
    this.path = path;
    if (Buffer.byteLength(this.nodePath) > 108) {
      throw invalidArgument(`Unix socket path is too long (${Buffer.byteLength(path)} bytes, at most 107)`);
    }
  }

  static newAbstract(name: string): UnixSocketAddress {
    return new UnixSocketAddress(name, { abstract: true });
  }

  /** What `net.connect({ path })` takes. */
  get nodePath(): string {
    return this.abstract ? `\0${this.path}` : this.path;
  }

  /**
   * g_unix_socket_address_connectable_to_string: the path or the abstract name (no `@` or NUL
   * before it), each byte outside printable ASCII written `\xNN`.
   */
  toString(): string {
    let out = '';
    for (const byte of Buffer.from(this.path, 'utf8')) {
      out +=
        byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return out;
  }
}

export interface ProxyAddressInit {
  readonly protocol: string;
  readonly destinationProtocol: string;
  readonly destinationHostname: string;
  readonly destinationPort: number;
  readonly username?: string | null;
  readonly password?: string | null;
  /** The proxy URI as the resolver returned it (userinfo included). */
  readonly uri?: string | null;
}

/**
 * GProxyAddress: the address of a proxy server plus where to go through it. Credentials live in
 * private fields so neither `util.inspect`, `JSON.stringify` nor `toString()` reveals them.
 */
export class ProxyAddress extends InetSocketAddress {
  readonly protocol: string;
  readonly destinationProtocol: string;
  readonly destinationHostname: string;
  readonly destinationPort: number;
  readonly #username: string | null;
  readonly #password: string | null;
  readonly #uri: string | null;

  constructor(address: InetAddress, port: number, init: ProxyAddressInit) {
    super(address, port);
    checkHostname(init.destinationHostname, 'destination hostname');
    this.protocol = init.protocol;
    this.destinationProtocol = init.destinationProtocol;
    this.destinationHostname = init.destinationHostname;
    this.destinationPort = init.destinationPort;
    this.#username = init.username ?? null;
    this.#password = init.password ?? null;
    this.#uri = init.uri ?? null;
  }

  get username(): string | null {
    return this.#username;
  }
  get password(): string | null {
    return this.#password;
  }
  /** The full proxy URI, credentials included (GIO's `uri` property). Never log it. */
  get uri(): string | null {
    return this.#uri;
  }
  /** The proxy URI with any userinfo replaced by `***`, safe for messages and logs. */
  get redactedUri(): string | null {
    return this.#uri === null ? null : redactUri(this.#uri);
  }

  override proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    // GIO: a ProxyAddress given as the connectable is enumerated plainly (and then negotiated).
    return this.enumerate(opts);
  }

  toJSON(): Record<string, unknown> {
    return {
      address: this.toString(),
      protocol: this.protocol,
      destinationProtocol: this.destinationProtocol,
      destinationHostname: this.destinationHostname,
      destinationPort: this.destinationPort,
      uri: this.redactedUri,
    };
  }
}

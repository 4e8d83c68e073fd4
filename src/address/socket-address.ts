import { SocketFamily } from '../errors/enums.js';
import { invalidArgument } from '../errors/gerror.js';
import {
  ListAddressEnumerator,
  type EnumerateOptions,
  type SocketAddressEnumerator,
  type SocketConnectable,
} from './connectable.js';
import { checkHostname } from './hostname-check.js';
import { InetAddress } from './inet-address.js';
import { DestinationUri, proxyEnumeratorFor } from './proxy-enumeration.js';
import { redactUri } from './uri.js';

/** GSocketAddress: a concrete address, itself a connectable that yields just itself. */
export abstract class SocketAddress implements SocketConnectable {
  /** g_socket_address_get_family: IPV4, IPV6 or UNIX. */
  abstract readonly family: SocketFamily;
  /** g_socket_connectable_to_string: the address as GIO prints it (no credentials). */
  abstract toString(): string;

  /** g_socket_connectable_enumerate: yields this address once. */
  enumerate(_opts?: EnumerateOptions): SocketAddressEnumerator {
    return new ListAddressEnumerator([this]);
  }

  /**
   * g_socket_connectable_proxy_enumerate: like enumerate(); IP addresses override it to ask the proxy
   * resolver.
   */
  proxyEnumerate(opts?: EnumerateOptions): SocketAddressEnumerator {
    return this.enumerate(opts);
  }
}

/**
 * GInetSocketAddress: an IP address and a port.
 *
 * @example
 * const addr = InetSocketAddress.newFromString('::1', 8080); // [::1]:8080
 * const conn = await new SocketClient().connect(addr!);
 */
export class InetSocketAddress extends SocketAddress {
  /** g_inet_socket_address_get_address. */
  readonly address: InetAddress;
  /** g_inet_socket_address_get_port: 0 to 65535. */
  readonly port: number;

  /** g_inet_socket_address_new; throws INVALID_ARGUMENT for a port outside 0..65535. */
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

  /** The family of {@link InetSocketAddress.address}. */
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
    const ip = this.address.toString();
    const host = this.family === SocketFamily.IPV6 ? `[${ip}]` : ip;
    // A zone (`fe80::1%eth0`) is written unescaped, as before: not plain.
    const destination = new DestinationUri(
      'none',
      ip,
      this.port,
      () => `none://${host}:${this.port}`,
      !ip.includes('%'),
    );
    return proxyEnumeratorFor(this, destination, opts);
  }
}

/**
 * GUnixSocketAddress: a filesystem path, or a Linux abstract name (no filesystem entry; Node
 * spells it with a leading NUL byte).
 */
export class UnixSocketAddress extends SocketAddress {
  /** Always UNIX. */
  readonly family = SocketFamily.UNIX;
  /** g_unix_socket_address_get_path: the file path, or the abstract name without its NUL. */
  readonly path: string;
  /** Whether `path` is a Linux abstract name (G_UNIX_SOCKET_ADDRESS_ABSTRACT) rather than a file. */
  readonly abstract: boolean;

  /**
   * g_unix_socket_address_new (or _new_with_type with `abstract`); throws INVALID_ARGUMENT for an
   * empty path or one longer than sun_path's 107 bytes.
   *
   * @example
   * await new SocketClient().connect(new UnixSocketAddress('/run/app.sock'));
   */
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

  /** g_unix_socket_address_new_abstract: a Linux abstract socket name (`@name` in ss/netstat). */
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

/** The properties of a {@link ProxyAddress} besides the proxy's own IP and port (g_proxy_address_new). */
export interface ProxyAddressInit {
  /** The proxy protocol: `socks5`, `socks4a`, `socks4`, `http` or `https`. */
  readonly protocol: string;
  /** The scheme of the destination URI (`none` when the connectable had none, e.g. `https`). */
  readonly destinationProtocol: string;
  /** The host the proxy is asked to reach: a name (resolved by the proxy) or an IP literal. */
  readonly destinationHostname: string;
  /** The port the proxy is asked to reach. */
  readonly destinationPort: number;
  /** The user name for the proxy (SOCKS5 or HTTP Basic), or null. */
  readonly username?: string | null;
  /** The password for the proxy, or null; never printed. */
  readonly password?: string | null;
  /** The proxy URI as the resolver returned it (userinfo included). */
  readonly uri?: string | null;
}

/**
 * GProxyAddress: the address of a proxy server plus where to go through it. Credentials live in
 * private fields so neither `util.inspect`, `JSON.stringify` nor `toString()` reveals them.
 */
export class ProxyAddress extends InetSocketAddress {
  /** g_proxy_address_get_protocol: the proxy protocol, e.g. `socks5`. */
  readonly protocol: string;
  /** g_proxy_address_get_destination_protocol: the destination URI's scheme (`none` if it had none). */
  readonly destinationProtocol: string;
  /** g_proxy_address_get_destination_hostname: where the proxy is asked to connect. */
  readonly destinationHostname: string;
  /** g_proxy_address_get_destination_port. */
  readonly destinationPort: number;
  readonly #username: string | null;
  readonly #password: string | null;
  readonly #uri: string | null;

  /** g_proxy_address_new: the proxy server at `address`:`port`, and the rest in `init`. */
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

  /** g_proxy_address_get_username, or null. */
  get username(): string | null {
    return this.#username;
  }
  /** g_proxy_address_get_password, or null. Private field: not shown by inspect or JSON. */
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

  /** For `JSON.stringify`: the public fields and the redacted URI, never the credentials. */
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

import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SocketFamily } from '../errors/enums.js';

/**
 * An IPv4 or IPv6 address (GInetAddress). IPv6 addresses may carry a scope (`fe80::1%eth0`):
 * `toString()` gives the bare address and `scopeId` the zone, as GIO separates them.
 */
export class InetAddress {
  readonly family: SocketFamily.IPV4 | SocketFamily.IPV6;
  /** The address text without any zone. */
  readonly #text: string;
  /** The zone given after `%` (an interface name or number), or '' when none. */
  readonly scope: string;

  private constructor(text: string, family: SocketFamily.IPV4 | SocketFamily.IPV6, scope: string) {
    this.#text = text;
    this.family = family;
    this.scope = scope;
  }

  /**
   * Strict parse (g_inet_address_new_from_string): a dotted quad or an IPv6 literal, optionally
   * with `%zone`. Legacy inet_aton forms (`3232235778`, `0xc0a80102`) are not addresses.
   */
  static newFromString(text: string): InetAddress | null {
    if (isIPv4(text)) return new InetAddress(text, SocketFamily.IPV4, '');
    const pct = text.indexOf('%');
    const bare = pct >= 0 ? text.slice(0, pct) : text;
    const scope = pct >= 0 ? text.slice(pct + 1) : '';
    if (pct >= 0 && scope === '') return null;
    if (isIPv6(bare)) return new InetAddress(bare.toLowerCase(), SocketFamily.IPV6, scope);
    return null;
  }

  static newLoopback(family: SocketFamily.IPV4 | SocketFamily.IPV6): InetAddress {
    return family === SocketFamily.IPV4
      ? new InetAddress('127.0.0.1', SocketFamily.IPV4, '')
      : new InetAddress('::1', SocketFamily.IPV6, '');
  }

  static newAny(family: SocketFamily.IPV4 | SocketFamily.IPV6): InetAddress {
    return family === SocketFamily.IPV4
      ? new InetAddress('0.0.0.0', SocketFamily.IPV4, '')
      : new InetAddress('::', SocketFamily.IPV6, '');
  }

  toString(): string {
    return this.#text;
  }

  /** The text Node's socket APIs take: the address with its zone, if any. */
  toNodeHost(): string {
    return this.scope ? `${this.#text}%${this.scope}` : this.#text;
  }

  /** Numeric scope id: a number as given, or the index of the named interface (0 if unknown). */
  get scopeId(): number {
    if (!this.scope) return 0;
    if (/^\d+$/.test(this.scope)) return Number(this.scope);
    return interfaceIndex(this.scope);
  }

  get isLoopback(): boolean {
    return this.family === SocketFamily.IPV4 ? this.#text.startsWith('127.') : this.#text === '::1';
  }

  get isAny(): boolean {
    return this.#text === '0.0.0.0' || this.#text === '::';
  }

  /** Network-order bytes: 4 for IPv4, 16 for IPv6. */
  toBytes(): Buffer {
    if (this.family === SocketFamily.IPV4) return Buffer.from(this.#text.split('.').map(Number));
    return ipv6ToBytes(this.#text);
  }

  equals(other: InetAddress): boolean {
    return this.family === other.family && this.toBytes().equals(other.toBytes()) && this.scope === other.scope;
  }
}

function ipv6ToBytes(text: string): Buffer {
  let head = text;
  let v4tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    v4tail = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const parse = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const l = parse(left);
  const r = parse(right);
  const groups = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const buf = Buffer.alloc(16);
  groups.forEach((g, i) => buf.writeUInt16BE(g, i * 2));
  if (v4tail.length === 4) Buffer.from(v4tail).copy(buf, 12);
  return buf;
}

// Interface indexes are not exposed by Node; the order of os.networkInterfaces() follows the
// kernel's index order on Linux, which is good enough for display and zone comparison.
function interfaceIndex(name: string): number {
  const names = Object.keys(networkInterfaces());
  const i = names.indexOf(name);
  return i >= 0 ? i + 1 : 0;
}

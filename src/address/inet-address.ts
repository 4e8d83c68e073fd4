import { isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { SocketFamily } from '../errors/enums.js';

/**
 * An IPv4 or IPv6 address (GInetAddress). IPv6 addresses may carry a scope (`fe80::1%eth0`):
 * `toString()` gives the bare address and `scopeId` the zone, as GIO separates them.
 *
 * @example
 * const ip = InetAddress.newFromString('::1');
 * ip?.isLoopback; // true
 */
export class InetAddress {
  /** IPV4 or IPV6 (g_inet_address_get_family). */
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
    if (typeof text !== 'string') return null;
    if (isIPv4(text)) return new InetAddress(text, SocketFamily.IPV4, '');
    const pct = text.indexOf('%');
    const bare = pct >= 0 ? text.slice(0, pct) : text;
    const scope = pct >= 0 ? text.slice(pct + 1) : '';
    if (pct >= 0 && scope === '') return null;
    // Canonical text (inet_ntop's, as g_inet_address_to_string gives): `0:0::1` is `::1`.
    if (isIPv6(bare)) return new InetAddress(ipv6BytesToString(ipv6ToBytes(bare)), SocketFamily.IPV6, scope);
    return null;
  }

  /** g_inet_address_new_loopback: `127.0.0.1` or `::1`. */
  static newLoopback(family: SocketFamily.IPV4 | SocketFamily.IPV6): InetAddress {
    return family === SocketFamily.IPV4
      ? new InetAddress('127.0.0.1', SocketFamily.IPV4, '')
      : new InetAddress('::1', SocketFamily.IPV6, '');
  }

  /** g_inet_address_new_any: the wildcard address `0.0.0.0` or `::`. */
  static newAny(family: SocketFamily.IPV4 | SocketFamily.IPV6): InetAddress {
    return family === SocketFamily.IPV4
      ? new InetAddress('0.0.0.0', SocketFamily.IPV4, '')
      : new InetAddress('::', SocketFamily.IPV6, '');
  }

  /** g_inet_address_to_string: the canonical text (inet_ntop's form), without the zone. */
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

  /** g_inet_address_get_is_loopback: `127.0.0.0/8` or `::1`. */
  get isLoopback(): boolean {
    return this.family === SocketFamily.IPV4 ? this.#text.startsWith('127.') : this.#text === '::1';
  }

  /** g_inet_address_get_is_any: the wildcard address of its family. */
  get isAny(): boolean {
    return this.#text === '0.0.0.0' || this.#text === '::';
  }

  /** Network-order bytes: 4 for IPv4, 16 for IPv6. */
  toBytes(): Buffer {
    if (this.family === SocketFamily.IPV4) return Buffer.from(this.#text.split('.').map(Number));
    return ipv6ToBytes(this.#text);
  }

  /**
   * g_inet_address_equal: same family and bytes (the zone is compared too). The text is canonical
   * (a strict dotted quad, inet_ntop's IPv6 form), so equal bytes means equal text: no Buffers.
   */
  equals(other: InetAddress): boolean {
    return this.family === other.family && this.#text === other.#text && this.scope === other.scope;
  }

  /** @internal a string equal for two addresses exactly when {@link InetAddress.equals} is true. */
  get key(): string {
    return this.scope ? `${this.#text}%${this.scope}` : this.#text;
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
  const groups =
    right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const buf = Buffer.alloc(16);
  groups.forEach((g, i) => buf.writeUInt16BE(g, i * 2));
  if (v4tail.length === 4) Buffer.from(v4tail).copy(buf, 12);
  return buf;
}

/**
 * glibc inet_ntop6: the longest run (first if tied) of two or more zero groups becomes `::`;
 * IPv4-compatible and IPv4-mapped addresses end in a dotted quad.
 */
function ipv6BytesToString(bytes: Buffer): string {
  const words = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [bestBase, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  const v4Tail =
    bestBase === 0 &&
    (bestLen === 6 || (bestLen === 7 && words[7] !== 1) || (bestLen === 5 && words[5] === 0xffff));
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && v4Tail) {
      out += `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
      break;
    }
    out += words[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

// Interface indexes are not exposed by Node; the order of os.networkInterfaces() follows the
// kernel's index order on Linux, which is good enough for display and zone comparison.
function interfaceIndex(name: string): number {
  const names = Object.keys(networkInterfaces());
  const i = names.indexOf(name);
  return i >= 0 ? i + 1 : 0;
}

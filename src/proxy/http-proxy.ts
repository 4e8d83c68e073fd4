// HTTP CONNECT (gio/ghttpproxy.c). Pure codec first, then the thin I/O layer.
import type { Duplex } from 'node:stream';
import { domainToASCII } from 'node:url';
import { escapeForMessage, hostnameProblem } from '../address/hostname-check.js';
import { InetAddress } from '../address/inet-address.js';
import type { ProxyAddress } from '../address/socket-address.js';
import type { IOStream } from '../connection/io-stream.js';
import { IOErrorEnum, SocketFamily } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import type { Proxy, ProxyConnectOptions } from './proxy-interface.js';
import { negotiate, type ProxyIO } from './read-exact.js';
import { done, fail, need, type Decoded } from './wire.js';

/** GIO sends `User-Agent: GLib/<major>.<minor>`; we keep the shape with our own name and version. */
export const HTTP_PROXY_USER_AGENT = 'gsocketclient/0.1';

/**
 * The largest response header GIO accepts: its buffer doubles from 1024 and gives up when it is
 * full at more than 98304 bytes, i.e. at 131072 bytes read, so 131071 is the effective maximum.
 */
export const HTTP_PROXY_MAX_RESPONSE = 131071;

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');

const proxyFailed = (message: string): IOError => new IOError(IOErrorEnum.PROXY_FAILED, message);

/**
 * `host:port` for the request line and Host header. Names go through IDNA like
 * g_hostname_to_ascii (`bücher.test` → `xn--bcher-kva.test`; pure-ASCII names are kept as
 * given). IPv6 literals are bracketed — GLib 2.74 sends `2001:db8::1:443` (docs/differences.md) — and a zone
 * is dropped, as for SOCKS5: it names one of *our* interfaces, which means nothing to the proxy.
 */
export function httpConnectAuthority(hostname: string, port: number): string {
  const literal = InetAddress.newFromString(hostname);
  if (literal !== null) {
    return literal.family === SocketFamily.IPV6
      ? `[${literal.toString()}]:${port}`
      : `${literal.toString()}:${port}`;
  }
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(hostname) ? hostname : domainToASCII(hostname);
  if (ascii === '') throw new IOError(IOErrorEnum.FAILED, 'Invalid hostname');
  // Defence in depth (entry points refuse control characters already): the authority-form target
  // (RFC 9112 section 3.2.3) holds a reg-name, RFC 3986 section 3.2.2, here without %-escapes. A CR or LF
  // would end the line and start a header or request of the caller's choosing, a space would split the
  // request line, and `@`, `/`, `?`, `#` or `%` could be read by the proxy as another authority.
  const bad = /[^A-Za-z0-9\-._~!$&'()*+,;=]/.exec(ascii);
  if (bad !== null) {
    const problem = hostnameProblem(hostname) ?? (bad[0] === ' ' ? 'a space' : `the character “${bad[0]}”`);
    throw new IOError(
      IOErrorEnum.INVALID_ARGUMENT,
      `Invalid hostname “${escapeForMessage(hostname)}” for an HTTP CONNECT request: it contains ${problem}`,
    );
  }
  return `${ascii}:${port}`;
}

export interface HttpConnectRequest {
  readonly bytes: Buffer;
  /** Whether Proxy-Authorization was sent: it turns a 407 into AUTH_FAILED instead of NEED_AUTH. */
  readonly hasCredentials: boolean;
}

/**
 * The exact request gio/ghttpproxy.c sends. Basic credentials are sent only when both user name and password
 * exist (`http://a@proxy` sends none, as GIO). The bytes carry the credentials: never log them.
 */
export function encodeHttpConnect(
  hostname: string,
  port: number,
  username: string | null,
  password: string | null,
): HttpConnectRequest {
  return {
    bytes: Buffer.from(httpConnectText(hostname, port, username, password), 'utf8'),
    hasCredentials: username !== null && password !== null,
  };
}

/**
 * encodeHttpConnect's request as text: the socket writes it as UTF-8 itself, without a Buffer
 * made first. It carries the credentials: never log it.
 */
function httpConnectText(
  hostname: string,
  port: number,
  username: string | null,
  password: string | null,
): string {
  const authority = httpConnectAuthority(hostname, port);
  let text =
    `CONNECT ${authority} HTTP/1.0\r\n` +
    `Host: ${authority}\r\n` +
    'Proxy-Connection: keep-alive\r\n' +
    `User-Agent: ${HTTP_PROXY_USER_AGENT}\r\n`;
  if (username !== null && password !== null) {
    text += `Proxy-Authorization: Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}\r\n`;
  }
  return `${text}\r\n`;
}

/** glibc atoi: leading isspace, optional sign, digits; strtol saturates, then the cast to int wraps. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d*)/.exec(s);
  if (m === null || m[2] === '') return 0;
  // Up to 9 digits fits an int32 as is (every real status): no BigInt per reply.
  if (m[2].length <= 9) return m[1] === '-' ? -Number(m[2]) : Number(m[2]);
  const LONG_MAX = (1n << 63n) - 1n;
  let v = BigInt(m[2]);
  if (v > LONG_MAX) v = m[1] === '-' ? LONG_MAX + 1n : LONG_MAX;
  if (m[1] === '-') v = -v;
  return Number(BigInt.asIntN(32, v));
}

const HTTP_1 = Buffer.from('HTTP/1.', 'latin1');

/**
 * atoi at `start` for the common shape — optional whitespace, then 1 to 9 digits not followed by
 * another digit — read straight from the bytes; null for anything else (a sign, a longer
 * number), which the string atoi handles. A NUL or the end of the buffer ends the number as the
 * C string's end would.
 */
function byteStatus(bytes: Buffer, start: number): number | null {
  let i = start;
  while (bytes[i] === 0x20 || (bytes[i] >= 0x09 && bytes[i] <= 0x0d)) i++;
  let value = 0;
  const first = i;
  while (i < bytes.length && bytes[i] >= 0x30 && bytes[i] <= 0x39) {
    if (i - first === 9) return null;
    value = value * 10 + (bytes[i] - 0x30);
    i++;
  }
  return i === first && (bytes[i] === 0x2b || bytes[i] === 0x2d) ? null : value;
}

/** The bytes GIO's C-string handling sees: everything before the first NUL. */
function cString(bytes: Buffer): Buffer {
  const nul = bytes.indexOf(0);
  return nul >= 0 ? bytes.subarray(0, nul) : bytes;
}

/**
 * GIO's check_reply: the reply must start with `HTTP/1.0` or `HTTP/1.1`; then spaces are skipped
 * and `atoi` gives the status. Headers are not parsed. Returns null for a 2xx status.
 */
export function checkHttpConnectStatus(header: Buffer, hasCredentials: boolean): IOError | null {
  // Read from the bytes: no string is made of a reply that is well-formed (the usual case).
  if (header.length < 8 || header.compare(HTTP_1, 0, HTTP_1.length, 0, HTTP_1.length) !== 0)
    return proxyFailed('Bad HTTP proxy reply');
  if (header[7] !== 0x30 && header[7] !== 0x31) return proxyFailed('Bad HTTP proxy reply');
  let i = 8;
  while (header[i] === 0x20) i++;
  const status = byteStatus(header, i) ?? atoi(cString(header.subarray(i)).toString('latin1'));
  if (status >= 200 && status < 300) return null;
  switch (status) {
    case 403:
      return new IOError(IOErrorEnum.PROXY_NOT_ALLOWED, 'HTTP proxy connection not allowed');
    case 407:
      return hasCredentials
        ? new IOError(IOErrorEnum.PROXY_AUTH_FAILED, 'HTTP proxy authentication failed')
        : new IOError(IOErrorEnum.PROXY_NEED_AUTH, 'HTTP proxy authentication required');
    default:
      return proxyFailed(`HTTP proxy connection failed: ${status}`);
  }
}

/**
 * The response header, which ends at the first `\r\n\r\n` (searched, like GIO's strlen-based
 * suffix test, only before any NUL byte). `length` is the header's length: bytes after it belong
 * to the destination. EOF ends the header too: with nothing read it is PROXY_FAILED, otherwise
 * the partial header is judged (`HTTP/1.1 200 OK\r\n` then close is a success, as in GIO).
 */
export function decodeHttpConnectReply(bytes: Buffer, eof: boolean, hasCredentials: boolean): Decoded<true> {
  const end = headerEnd(bytes);
  if (end >= 0 && end + HEADER_END.length <= HTTP_PROXY_MAX_RESPONSE) {
    const length = end + HEADER_END.length;
    const error = checkHttpConnectStatus(bytes.subarray(0, length), hasCredentials);
    return error ? fail(error) : done(true, length);
  }
  if (bytes.length > HTTP_PROXY_MAX_RESPONSE) return fail(proxyFailed('HTTP proxy response too big'));
  if (!eof) return need(bytes.length + 1);
  if (bytes.length === 0) return fail(proxyFailed('HTTP proxy server closed connection unexpectedly.'));
  const error = checkHttpConnectStatus(bytes, hasCredentials);
  return error ? fail(error) : done(true, bytes.length);
}

/**
 * Where `\r\n\r\n` starts in the C string `bytes` holds (before any NUL), or -1, in one pass: a
 * usual reply (70 bytes or so) costs less this way than cString() and a native search.
 */
function headerEnd(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0) return -1;
    if (c === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) return i;
  }
  return -1;
}

/** EOF is judged by the decoder; this only fires if a decoder asked for more after EOF. */
const httpLostError = (): IOError => proxyFailed('HTTP proxy server closed connection unexpectedly.');

/** The CONNECT exchange over any byte stream (plain TCP, or TLS for the HTTPS proxy). */
export function httpConnectExchange(io: ProxyIO, proxyAddress: ProxyAddress): Promise<unknown> {
  const { username, password } = proxyAddress;
  io.write(
    httpConnectText(proxyAddress.destinationHostname, proxyAddress.destinationPort, username, password),
  );
  const hasCredentials = username !== null && password !== null;
  return io.readReply((bytes, eof) => decodeHttpConnectReply(bytes, eof, hasCredentials), 'chunks');
}

/**
 * Runs the exchange on `connection.stream` with the negotiation's cleanup rules (see
 * `negotiate`); `lowerStreams` are the streams under it (HTTPS: the TCP socket under TLS).
 */
export function negotiateHttpConnect(
  connection: IOStream,
  proxyAddress: ProxyAddress,
  opts?: ProxyConnectOptions,
  lowerStreams?: readonly Duplex[],
): Promise<unknown> {
  const cancellable = opts?.cancellable ?? null;
  return negotiate(connection.stream, { cancellable, lostError: httpLostError, lowerStreams }, (io) =>
    httpConnectExchange(io, proxyAddress),
  );
}

/** GHttpProxy (`http`). */
export class HttpProxy implements Proxy {
  supportsHostname(): boolean {
    return true;
  }

  connect(connection: IOStream, proxyAddress: ProxyAddress, opts?: ProxyConnectOptions): Promise<IOStream> {
    return negotiateHttpConnect(connection, proxyAddress, opts).then(() => connection);
  }
}

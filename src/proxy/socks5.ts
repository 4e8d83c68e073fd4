// SOCKS5 (gio/gsocks5proxy.c; RFC 1928, RFC 1929 username/password).
// Pure codec first, then the thin I/O layer.
import { checkHostname } from '../address/hostname-check.js';
import { InetAddress } from '../address/inet-address.js';
import type { ProxyAddress } from '../address/socket-address.js';
import type { IOStream } from '../connection/io-stream.js';
import { CONNECTION_CLOSED, IOErrorEnum, SocketFamily } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import type { Proxy, ProxyConnectOptions } from './proxy-interface.js';
import { negotiate } from './read-exact.js';
import { done, fail, need, type Decoded } from './wire.js';

const SOCKS5_VERSION = 0x05;
const SOCKS5_CMD_CONNECT = 0x01;
const SOCKS5_AUTH_VERSION = 0x01; // RFC 1929 section 2: the sub-negotiation has its own version byte
const AUTH_NONE = 0x00;
const AUTH_USR_PASS = 0x02;
const AUTH_NO_ACCEPT = 0xff;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAINNAME = 0x03;
const ATYP_IPV6 = 0x04;
/** Every SOCKS5 length field is one byte. */
export const SOCKS5_MAX_LEN = 255;

const proxyFailed = (message: string): IOError => new IOError(IOErrorEnum.PROXY_FAILED, message);
const notSocks5 = (): IOError => proxyFailed('The server is not a SOCKSv5 proxy server.');
const unsupportedAuth = (): IOError =>
  new IOError(
    IOErrorEnum.PROXY_AUTH_FAILED,
    'The SOCKSv5 proxy requires an authentication method that is not supported by GLib.',
  );
const needAuth = (): IOError =>
  new IOError(IOErrorEnum.PROXY_NEED_AUTH, 'The SOCKSv5 proxy requires authentication.');

/** EOF mid-negotiation (GLib 2.69+, untranslated), used for the sync path too (gio/gsocks5proxy.c). */
export const socks5LostError = (): IOError =>
  new IOError(CONNECTION_CLOSED, 'Connection to SOCKSv5 proxy server lost');

/** GIO's has_auth: a user name or a password was given (`socks5://user@host` counts). */
export function socks5HasAuth(username: string | null, password: string | null): boolean {
  return username !== null || password !== null;
}

/** Greeting: `05 01 00`, or `05 02 00 02` when credentials are available (offers NONE and USR/PASS). */
export function encodeSocks5Greeting(hasAuth: boolean): Buffer {
  // A fresh buffer each time: a caller (or a test) may keep or change what it was given.
  return Buffer.from(hasAuth ? GREETING_WITH_AUTH : GREETING);
}

const GREETING: readonly number[] = [SOCKS5_VERSION, 1, AUTH_NONE];
const GREETING_WITH_AUTH: readonly number[] = [SOCKS5_VERSION, 2, AUTH_NONE, AUTH_USR_PASS];
/** The greetings as written by Socks5Proxy: shared, never handed out, never changed. */
const GREETING_BYTES = encodeSocks5Greeting(false);
const GREETING_WITH_AUTH_BYTES = encodeSocks5Greeting(true);

/** The 2-byte method choice. `value` is whether the username/password step must follow. */
export function decodeSocks5MethodReply(bytes: Buffer, hasAuth: boolean): Decoded<boolean> {
  if (bytes.length < 2) return need(2);
  if (bytes[0] !== SOCKS5_VERSION) return fail(notSocks5());
  switch (bytes[1]) {
    case AUTH_NONE:
      return done(false, 2);
    case AUTH_USR_PASS:
      return hasAuth ? done(true, 2) : fail(needAuth());
    case AUTH_NO_ACCEPT:
      // Without credentials only NONE was offered, so "no acceptable method" really means
      // "authentication required" (GLib 2.65+, issue #1988).
      return hasAuth ? fail(unsupportedAuth()) : fail(needAuth());
    default:
      return fail(unsupportedAuth()); // GSSAPI (01) or anything else
  }
}

/** RFC 1929 request `01 ULEN USER PLEN PASS`; null counts as empty. Lengths are UTF-8 bytes. */
export function encodeSocks5Auth(username: string | null, password: string | null): Buffer {
  const userLength = Buffer.byteLength(username ?? '', 'utf8');
  const passLength = Buffer.byteLength(password ?? '', 'utf8');
  if (userLength > SOCKS5_MAX_LEN || passLength > SOCKS5_MAX_LEN) {
    throw proxyFailed('Username or password is too long for SOCKSv5 protocol.');
  }
  const request = Buffer.alloc(3 + userLength + passLength);
  request[0] = SOCKS5_AUTH_VERSION;
  request[1] = userLength;
  request.write(username ?? '', 2, 'utf8');
  request[2 + userLength] = passLength;
  request.write(password ?? '', 3 + userLength, 'utf8');
  return request;
}

/** RFC 1929 reply: anything but `01 00` is a failure (GLib before 2.65 wrongly expected 05). */
export function decodeSocks5AuthReply(bytes: Buffer): Decoded<true> {
  if (bytes.length < 2) return need(2);
  if (bytes[0] !== SOCKS5_AUTH_VERSION || bytes[1] !== 0x00) {
    return fail(
      new IOError(
        IOErrorEnum.PROXY_AUTH_FAILED,
        'SOCKSv5 authentication failed due to wrong username or password.',
      ),
    );
  }
  return done(true, 2);
}

/**
 * Connect request `05 01 00 ATYP DST.ADDR DST.PORT(2, BE)`. IP literals are sent as addresses;
 * a scoped IPv6 literal (`fe80::1%lo`) has its zone dropped — it means nothing to the proxy, and
 * GLib 2.74 crashed on it (docs/differences.md). Anything else is a domain name (ATYP 03).
 */
export function encodeSocks5Connect(hostname: string, port: number): Buffer {
  const literal = InetAddress.newFromString(hostname);
  if (literal !== null && literal.family === SocketFamily.IPV4) {
    const request = connectRequest(ATYP_IPV4, 4);
    writeDottedQuad(request, 4, literal.toString());
    request.writeUInt16BE(port, 8);
    return request;
  }
  if (literal !== null) {
    const ip = literal.toBytes();
    const request = connectRequest(ATYP_IPV6, ip.length);
    ip.copy(request, 4);
    request.writeUInt16BE(port, 4 + ip.length);
    return request;
  }
  // Length-prefixed, so a control character cannot break the framing; refused anyway, as at
  // every entry point: no proxy should be handed a name no DNS can hold.
  checkHostname(hostname, 'hostname for SOCKSv5');
  const nameLength = Buffer.byteLength(hostname, 'utf8');
  if (nameLength > SOCKS5_MAX_LEN)
    throw proxyFailed(`Hostname “${hostname}” is too long for SOCKSv5 protocol`);
  const request = connectRequest(ATYP_DOMAINNAME, 1 + nameLength);
  request[4] = nameLength;
  request.write(hostname, 5, 'utf8');
  request.writeUInt16BE(port, 5 + nameLength);
  return request;
}

/**
 * The four bytes of a canonical dotted quad (as InetAddress prints one) written at `offset`,
 * straight from its digits: no array or Buffer on the way.
 */
function writeDottedQuad(target: Buffer, offset: number, text: string): void {
  let byte = 0;
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      target[at++] = byte;
      byte = 0;
    } else byte = byte * 10 + (c - 0x30);
  }
  target[at] = byte;
}

/** `05 01 00 ATYP`, room for an address of `addressLength` bytes, then the port: one buffer. */
function connectRequest(atyp: number, addressLength: number): Buffer {
  const request = Buffer.alloc(4 + addressLength + 2);
  request[0] = SOCKS5_VERSION;
  request[1] = SOCKS5_CMD_CONNECT;
  request[2] = 0x00;
  request[3] = atyp;
  return request;
}

/**
 * REP → error (the REP table of RFC 1928 section 6, with gio/gsocks5proxy.c's messages). Only reached for REP
 * ≠ 00.
 */
function replyError(rep: number): IOError {
  switch (rep) {
    case 0x01:
      return proxyFailed('Internal SOCKSv5 proxy server error.');
    case 0x02:
      return new IOError(IOErrorEnum.PROXY_NOT_ALLOWED, 'SOCKSv5 connection not allowed by ruleset.');
    case 0x03:
      return new IOError(IOErrorEnum.NETWORK_UNREACHABLE, 'Network unreachable through SOCKSv5 proxy.');
    case 0x04:
    case 0x06:
      return new IOError(IOErrorEnum.HOST_UNREACHABLE, 'Host unreachable through SOCKSv5 server.');
    case 0x05:
      return new IOError(IOErrorEnum.CONNECTION_REFUSED, 'Connection refused through SOCKSv5 proxy.');
    case 0x07:
      return proxyFailed('SOCKSv5 proxy does not support “connect” command.');
    case 0x08:
      return proxyFailed('SOCKSv5 proxy does not support provided address type.');
    default:
      return proxyFailed('Unknown SOCKSv5 proxy error.');
  }
}

/**
 * Reply `VER REP RSV ATYP BND.ADDR BND.PORT`. The header decides success or failure; on success
 * the bound address and port are read too (and thrown away) so no byte of the reply is left
 * for the application.
 */
export function decodeSocks5ConnectReply(bytes: Buffer): Decoded<true> {
  if (bytes.length < 4) return need(4);
  if (bytes[0] !== SOCKS5_VERSION) return fail(notSocks5());
  if (bytes[1] !== 0x00) return fail(replyError(bytes[1]));
  if (bytes[2] !== 0x00) return fail(notSocks5());
  let total: number;
  switch (bytes[3]) {
    case ATYP_IPV4:
      total = 4 + 4 + 2;
      break;
    case ATYP_IPV6:
      total = 4 + 16 + 2;
      break;
    case ATYP_DOMAINNAME:
      if (bytes.length < 5) return need(5);
      total = 5 + bytes[4] + 2;
      break;
    default:
      return fail(proxyFailed('The SOCKSv5 proxy server uses unknown address type.'));
  }
  return bytes.length < total ? need(total) : done(true, total);
}

/** GSocks5Proxy (`socks5`). */
export class Socks5Proxy implements Proxy {
  supportsHostname(): boolean {
    return true;
  }

  connect(connection: IOStream, proxyAddress: ProxyAddress, opts?: ProxyConnectOptions): Promise<IOStream> {
    const cancellable = opts?.cancellable ?? null;
    const { username, password } = proxyAddress;
    const hasAuth = socks5HasAuth(username, password);
    const negotiated = negotiate(
      connection.stream,
      { cancellable, lostError: socks5LostError },
      async (io) => {
        io.write(hasAuth ? GREETING_WITH_AUTH_BYTES : GREETING_BYTES);
        const mustAuth = await io.readReply((b) => decodeSocks5MethodReply(b, hasAuth));
        if (mustAuth) {
          io.write(encodeSocks5Auth(username, password));
          await io.readReply(decodeSocks5AuthReply);
        }
        // Built only now, as GIO does: a server's NEED_AUTH wins over our own length error.
        io.write(encodeSocks5Connect(proxyAddress.destinationHostname, proxyAddress.destinationPort));
        await io.readReply(decodeSocks5ConnectReply);
      },
    );
    return negotiated.then(() => connection);
  }
}

// SOCKS4 and SOCKS4a (gio/gsocks4aproxy.c; gio/gsocks4proxy.c is the subclass without hostname
// support). Pure codec first, then the thin I/O layer.
import { checkHostname, hostnameProblem } from '../address/hostname-check.js';
import { InetAddress } from '../address/inet-address.js';
import type { ProxyAddress } from '../address/socket-address.js';
import { CONNECTION_CLOSED, IOErrorEnum, SocketFamily } from '../errors/enums.js';
import { IOError } from '../errors/gerror.js';
import type { IOStream } from '../connection/io-stream.js';
import type { Proxy, ProxyConnectOptions } from './proxy-interface.js';
import { negotiate } from './read-exact.js';
import { done, fail, need, type Decoded } from './wire.js';

const SOCKS4_VERSION = 0x04;
const SOCKS4_CMD_CONNECT = 0x01;
/** CD = 90: "request granted"; 91, 92 and 93 are all rejections and GIO does not tell them apart. */
const SOCKS4_REP_GRANTED = 0x5a;
/** GIO's SOCKS4_MAX_LEN for the user id and the host name. */
export const SOCKS4_MAX_LEN = 255;
export const SOCKS4_REPLY_LENGTH = 8;

const proxyFailed = (message: string): IOError => new IOError(IOErrorEnum.PROXY_FAILED, message);

/**
 * GLib leaves EOF unhandled here (garbage or an endless loop, gio/gsocks4aproxy.c); we report it as SOCKS5
 * does (docs/differences.md), with the analogous message.
 */
export const socks4LostError = (): IOError =>
  new IOError(CONNECTION_CLOSED, 'Connection to SOCKSv4 proxy server lost');

/**
 * The CONNECT request: `04 01 PORT(2, BE) IP(4) USERID 00 [HOST 00]`. An IPv4 literal goes in
 * DSTIP; anything else that is not an IP literal is sent SOCKS4a-style (DSTIP 0.0.0.1, then the
 * name), as GIO does for both registered names. The password is never sent. Throws PROXY_FAILED
 * for an IPv6 destination or an over-long user id or host name (before anything is written).
 */
export function encodeSocks4Connect(hostname: string, port: number, username: string | null): Buffer {
  const literal = InetAddress.newFromString(hostname);
  if (literal !== null && literal.family !== SocketFamily.IPV4) {
    throw proxyFailed(`SOCKSv4 does not support IPv6 address “${hostname}”`);
  }
  // The user id and the name are NUL-terminated: a NUL inside either would end it early and
  // the rest would reach the destination as data. The user id is a credential: never shown.
  const userProblem = hostnameProblem(username ?? '');
  if (userProblem !== null) {
    throw new IOError(IOErrorEnum.INVALID_ARGUMENT, `Invalid SOCKSv4 user id: it contains ${userProblem}`);
  }
  const userLength = Buffer.byteLength(username ?? '', 'utf8');
  if (userLength > SOCKS4_MAX_LEN) throw proxyFailed('Username is too long for SOCKSv4 protocol');
  let hostLength = 0;
  if (literal === null) {
    checkHostname(hostname, 'hostname for SOCKSv4a');
    hostLength = Buffer.byteLength(hostname, 'utf8');
    if (hostLength > SOCKS4_MAX_LEN)
      throw proxyFailed(`Hostname “${hostname}” is too long for SOCKSv4 protocol`);
  }
  // One buffer, written in place: header, DSTIP, USERID NUL, [HOST NUL].
  const request = Buffer.alloc(8 + userLength + 1 + (literal === null ? hostLength + 1 : 0));
  request[0] = SOCKS4_VERSION;
  request[1] = SOCKS4_CMD_CONNECT;
  request.writeUInt16BE(port, 2);
  if (literal !== null) writeIpv4(request, 4, literal.toString());
  else request[7] = 1; // SOCKS4a marks "name follows" with the invalid 0.0.0.x, x ≠ 0; GIO uses 0.0.0.1
  // Buffer.alloc zero-fills, so each NUL terminator is already in place.
  request.write(username ?? '', 8, 'utf8');
  if (literal === null) request.write(hostname, 8 + userLength + 1, 'utf8');
  return request;
}

/** A dotted quad's four bytes at `offset` (the text is a strict dotted quad). */
function writeIpv4(target: Buffer, offset: number, dotted: string): void {
  const parts = dotted.split('.');
  for (let i = 0; i < 4; i++) target[offset + i] = Number(parts[i]);
}

/** The 8-byte reply `VN CD PORT(2) IP(4)`; only VN and CD matter (the rest is ignored, as in GIO). */
export function decodeSocks4Reply(bytes: Buffer): Decoded<true> {
  if (bytes.length < SOCKS4_REPLY_LENGTH) return need(SOCKS4_REPLY_LENGTH);
  if (bytes[0] !== 0x00) return fail(proxyFailed('The server is not a SOCKSv4 proxy server.'));
  if (bytes[1] !== SOCKS4_REP_GRANTED)
    return fail(proxyFailed('Connection through SOCKSv4 server was rejected'));
  return done(true, SOCKS4_REPLY_LENGTH);
}

/** GSocks4aProxy (`socks4a`) and, with `supportsHostname` false, GSocks4Proxy (`socks4`). */
export class Socks4Proxy implements Proxy {
  readonly #supportsHostname: boolean;

  constructor(opts?: { readonly supportsHostname?: boolean }) {
    this.#supportsHostname = opts?.supportsHostname ?? false;
  }

  supportsHostname(): boolean {
    return this.#supportsHostname;
  }

  async connect(
    connection: IOStream,
    proxyAddress: ProxyAddress,
    opts?: ProxyConnectOptions,
  ): Promise<IOStream> {
    const cancellable = opts?.cancellable ?? null;
    await negotiate(connection.stream, { cancellable, lostError: socks4LostError }, async (io) => {
      io.write(
        encodeSocks4Connect(
          proxyAddress.destinationHostname,
          proxyAddress.destinationPort,
          proxyAddress.username,
        ),
      );
      await io.readReply(decodeSocks4Reply);
    });
    return connection;
  }
}

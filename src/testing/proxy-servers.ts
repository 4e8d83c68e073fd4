import { isIP } from 'node:net';
import { ByteReader } from './byte-reader.js';
import type { VirtualSocket } from './virtual-socket.js';
import type { AcceptInfo, ConnectionHandler, VirtualNetwork } from './virtual-network.js';

/** Options of the proxy servers of a VirtualNetwork. */
export interface VirtualProxyOptions {
  /** Credentials the proxy demands (SOCKS5 username/password, RFC 1929; HTTP Basic); none by default. */
  readonly username?: string;
  /** The password that goes with `username`. */
  readonly password?: string;
  /**
   * Accept the connection, then never answer: a stalled proxy. Only the client's own deadlines
   * (`timeout`, `connectTimeout`, cancellation) end the wait.
   */
  readonly stall?: boolean;
}

/** SOCKS5 reply codes (RFC 1928 section 6). */
const SOCKS_OK = 0x00;
const SOCKS_NET_UNREACHABLE = 0x03;
const SOCKS_HOST_UNREACHABLE = 0x04;
const SOCKS_REFUSED = 0x05;
const SOCKS_COMMAND_NOT_SUPPORTED = 0x07;
const SOCKS_ADDRESS_NOT_SUPPORTED = 0x08;

/**
 * A SOCKS5 proxy (RFC 1928, with RFC 1929 username/password when `username` is set) that
 * connects onwards to hosts of the same VirtualNetwork, resolving names itself (the `socks5h`
 * behaviour) from the network's hosts, IPv6 first.
 *
 * @example
 * net.accept('192.0.2.50', 1080, socks5Proxy({ username: 'u', password: 'p' }));
 */
export function socks5Proxy(opts: VirtualProxyOptions = {}): ConnectionHandler {
  return (socket, info) => {
    if (opts.stall) return;
    void runSocks5(socket, info, opts).catch(() => socket.destroy());
  };
}

async function runSocks5(socket: VirtualSocket, info: AcceptInfo, opts: VirtualProxyOptions): Promise<void> {
  const reader = new ByteReader(socket);
  const head = await reader.read(2);
  if (!head || head[0] !== 5) return void socket.destroy();
  const methods = await reader.read(head[1]);
  if (!methods) return void socket.destroy();
  const wantAuth = opts.username !== undefined;
  const method = wantAuth ? 0x02 : 0x00;
  if (!methods.includes(method)) {
    socket.end(Buffer.from([5, 0xff]));
    return;
  }
  socket.write(Buffer.from([5, method]));
  if (wantAuth) {
    const ok = await readSocksCredentials(reader, opts);
    socket.write(Buffer.from([1, ok ? 0 : 1]));
    if (!ok) return void socket.end();
  }
  const request = await reader.read(4);
  if (!request || request[0] !== 5) return void socket.destroy();
  const target = await readSocksTarget(reader, request[3]);
  if (target === undefined) return void socket.destroy();
  if (target === null) return void socket.end(socksReply(SOCKS_ADDRESS_NOT_SUPPORTED));
  if (request[1] !== 1) return void socket.end(socksReply(SOCKS_COMMAND_NOT_SUPPORTED));
  const address = resolveTarget(info.network, target.host);
  if (address === null) return void socket.end(socksReply(SOCKS_HOST_UNREACHABLE));
  forward(socket, reader, info, address, target.port, {
    connected: () => socksReply(SOCKS_OK),
    failed: (code) =>
      socksReply(
        code === 'ECONNREFUSED'
          ? SOCKS_REFUSED
          : code === 'ENETUNREACH'
            ? SOCKS_NET_UNREACHABLE
            : SOCKS_HOST_UNREACHABLE,
      ),
  });
}

async function readSocksCredentials(reader: ByteReader, opts: VirtualProxyOptions): Promise<boolean> {
  const head = await reader.read(2);
  if (!head || head[0] !== 1) return false;
  const user = await reader.read(head[1]);
  const plen = await reader.read(1);
  const pass = plen ? await reader.read(plen[0]) : null;
  if (!user || !pass) return false;
  return user.toString('utf8') === opts.username && pass.toString('utf8') === (opts.password ?? '');
}

/** The request's destination; null for an unknown address type, undefined if the client left. */
async function readSocksTarget(
  reader: ByteReader,
  atyp: number,
): Promise<{ readonly host: string; readonly port: number } | null | undefined> {
  let host: string;
  if (atyp === 1) {
    const a = await reader.read(4);
    if (!a) return undefined;
    host = [...a].join('.');
  } else if (atyp === 4) {
    const a = await reader.read(16);
    if (!a) return undefined;
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(a.readUInt16BE(i).toString(16));
    host = groups.join(':');
  } else if (atyp === 3) {
    const len = await reader.read(1);
    const name = len ? await reader.read(len[0]) : null;
    if (!name) return undefined;
    host = name.toString('latin1');
  } else {
    return null;
  }
  const port = await reader.read(2);
  if (!port) return undefined;
  return { host, port: port.readUInt16BE(0) };
}

function socksReply(code: number): Buffer {
  // BND.ADDR 0.0.0.0:0: clients must not rely on it (RFC 1928 section 6).
  return Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
}

/**
 * An HTTP proxy that serves CONNECT (RFC 9110 section 9.3.6) to hosts of the same
 * VirtualNetwork; with `username` set it demands Basic credentials (407 otherwise). Other
 * methods get 405.
 *
 * @example
 * net.accept('192.0.2.50', 3128, httpConnectProxy());
 */
export function httpConnectProxy(opts: VirtualProxyOptions = {}): ConnectionHandler {
  return (socket, info) => {
    if (opts.stall) return;
    void runHttpConnect(socket, info, opts).catch(() => socket.destroy());
  };
}

async function runHttpConnect(
  socket: VirtualSocket,
  info: AcceptInfo,
  opts: VirtualProxyOptions,
): Promise<void> {
  const reader = new ByteReader(socket);
  const header = await reader.readUntil('\r\n\r\n', 16384);
  if (!header) return void socket.destroy();
  const lines = header.toString('latin1').split('\r\n');
  const [method, authority] = lines[0].split(' ');
  if (method !== 'CONNECT' || authority === undefined) {
    return void socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n');
  }
  if (opts.username !== undefined) {
    const expected = `basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
    const given = lines
      .slice(1)
      .find((l) => l.toLowerCase().startsWith('proxy-authorization:'))
      ?.slice('proxy-authorization:'.length)
      .trim();
    const [scheme, token] = (given ?? '').split(/\s+/, 2);
    if (`${scheme?.toLowerCase()} ${token}` !== expected) {
      return void socket.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="virtual"\r\nContent-Length: 0\r\n\r\n',
      );
    }
  }
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(authority);
  const port = match ? Number(match[3]) : NaN;
  if (!match || !(port > 0 && port < 65536)) {
    return void socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
  }
  const address = resolveTarget(info.network, match[1] ?? match[2]);
  const badGateway = 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n';
  if (address === null) return void socket.end(badGateway);
  forward(socket, reader, info, address, port, {
    connected: () => Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n'),
    failed: () => Buffer.from(badGateway),
  });
}

/** An IP literal as is, else the network's first address for the name (IPv6 first); null if unknown. */
function resolveTarget(network: VirtualNetwork, host: string): string | null {
  if (isIP(host)) return host;
  return network.addressesOf(host)[0] ?? null;
}

/** Connects onwards from the proxy's address, answers, then relays both ways. */
function forward(
  client: VirtualSocket,
  reader: ByteReader,
  info: AcceptInfo,
  address: string,
  port: number,
  replies: { readonly connected: () => Buffer; readonly failed: (code: string | undefined) => Buffer },
): void {
  const upstream = info.network.connectFrom(info.localAddress, address, port);
  const onClientGone = (): void => void upstream.destroy();
  client.once('close', onClientGone);
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    if (upstream.connecting || upstream.remoteAddress === undefined) client.end(replies.failed(err.code));
    else client.destroy();
  });
  upstream.once('connect', () => {
    client.write(replies.connected());
    const early = reader.detach();
    if (early.length > 0) upstream.write(early);
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.once('close', () => client.destroy());
  });
}

// A small but real forwarding SOCKS4/4a server on loopback, for the SOCKS4a success paths: no
// Debian daemon speaks SOCKS4a (dante takes 0.0.0.1 for an address), so this one does, from the
// protocol note (SOCKS 4A, Ying-Da Lee): `04 01 PORT IP USERID 00 [HOST 00]`, where IP 0.0.0.x
// (x ≠ 0) means "the name follows". It resolves names itself, through an injected map (never
// DNS), connects to the result, answers 90 or 91, and then forwards bytes both ways. Every
// request is recorded, so tests can check what the client sent (the user id, the name).
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface Socks4Request {
  /** The USERID field as sent. */
  readonly userId: string;
  /** The name (SOCKS4a) or the dotted DSTIP (SOCKS4). */
  readonly host: string;
  readonly port: number;
  /** True when DSTIP was 0.0.0.x and a name followed. */
  readonly socks4a: boolean;
  /** The request's bytes exactly as received. */
  readonly raw: Buffer;
}

export interface Socks4aServer {
  readonly port: number;
  readonly requests: Socks4Request[];
  /** Connections whose first byte was not 4 (a SOCKS5 greeting, say): dropped at once. */
  readonly refusedOther: number;
  close(): Promise<void>;
}

/** A request longer than this is garbage: the connection is dropped. */
const MAX_REQUEST = 1024;
const GRANTED = 90;
const REJECTED = 91;

/**
 * Starts the server on 127.0.0.1. `names` maps a destination name (case-insensitive) to the IPv4
 * address the server connects to instead; an unknown name is rejected with 91.
 */
export async function startSocks4aServer(names: Readonly<Record<string, string>>): Promise<Socks4aServer> {
  const table = new Map(Object.entries(names).map(([k, v]) => [k.toLowerCase(), v]));
  const sockets = new Set<Socket>();
  const requests: Socks4Request[] = [];
  let refusedOther = 0;
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const server = createServer((client) => {
    track(client);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered[0] !== 4) {
        refusedOther++;
        client.destroy();
        return;
      }
      const parsed = parseRequest(buffered);
      if (parsed === 'more') {
        if (buffered.length > MAX_REQUEST) client.destroy();
        return;
      }
      client.off('data', onData);
      client.pause();
      if (parsed === 'bad') {
        client.end(reply(REJECTED));
        return;
      }
      const { request, rest } = parsed;
      requests.push(request);
      const target = request.socks4a ? table.get(request.host.toLowerCase()) : request.host;
      if (target === undefined) {
        client.end(reply(REJECTED));
        return;
      }
      const upstream = connect({ host: target, port: request.port });
      track(upstream);
      upstream.once('error', () => client.end(reply(REJECTED)));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.write(reply(GRANTED));
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    get refusedOther() {
      return refusedOther;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function reply(code: number): Buffer {
  return Buffer.from([0, code, 0, 0, 0, 0, 0, 0]);
}

/** The request at the start of `bytes`, 'more' when incomplete, 'bad' when not CONNECT. */
function parseRequest(bytes: Buffer): { request: Socks4Request; rest: Buffer } | 'more' | 'bad' {
  if (bytes.length < 9) return 'more';
  const userEnd = bytes.indexOf(0, 8);
  if (userEnd < 0) return 'more';
  const socks4a = bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] !== 0;
  let end = userEnd + 1;
  let host = `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}`;
  if (socks4a) {
    const hostEnd = bytes.indexOf(0, end);
    if (hostEnd < 0) return 'more';
    host = bytes.subarray(end, hostEnd).toString('utf8');
    end = hostEnd + 1;
  }
  if (bytes[1] !== 1) return 'bad';
  return {
    request: {
      userId: bytes.subarray(8, userEnd).toString('utf8'),
      host,
      port: bytes.readUInt16BE(2),
      socks4a,
      raw: Buffer.from(bytes.subarray(0, end)),
    },
    rest: bytes.subarray(end),
  };
}

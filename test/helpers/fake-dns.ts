import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/**
 * A hand-written DNS server on loopback (UDP only) for replies no real server sends: truncated
 * packets, wrong record types, bad rcodes. Plus small encoders to build those replies.
 */

export const RR_A = 1;
export const RR_AAAA = 28;
export const RR_SRV = 33;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;

export interface DnsQuery {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  /** The question section as received (name + type + class), to echo back. */
  readonly question: Buffer;
  readonly raw: Buffer;
}

/** What the handler answers: bytes to send, or null to stay silent (a timeout for the client). */
export type DnsHandler = (query: DnsQuery) => Buffer | null;

export interface FakeDnsServer {
  readonly port: number;
  /** `127.0.0.1:<port>`, the form DnsResolver's `servers` takes. */
  readonly server: string;
  readonly queries: DnsQuery[];
  close(): Promise<void>;
}

/** Parses the header and first question of a query; null when it is not a parsable query. */
export function parseQuery(raw: Buffer): DnsQuery | null {
  if (raw.length < 12 || raw.readUInt16BE(4) < 1) return null;
  const labels: string[] = [];
  let off = 12;
  for (let guard = 0; guard < 128; guard++) {
    if (off >= raw.length) return null;
    const len = raw[off];
    if (len === 0) {
      off++;
      break;
    }
    if (len > 63 || off + 1 + len > raw.length) return null;
    labels.push(raw.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  if (off + 4 > raw.length) return null;
  return {
    id: raw.readUInt16BE(0),
    name: labels.join('.'),
    type: raw.readUInt16BE(off),
    question: Buffer.from(raw.subarray(12, off + 4)),
    raw,
  };
}

/** A name in wire format (no compression). */
export function encodeName(name: string): Buffer {
  const parts = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l.length > 0);
  return Buffer.concat([
    ...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
}

export interface ResponseInit {
  readonly rcode?: number;
  readonly answers?: readonly Buffer[];
  /** Set the TC bit (RFC 1035 §4.1.1). */
  readonly truncated?: boolean;
}

/** A response to `q`: header (QR, RD, RA, the rcode), the question echoed, then the answers. */
export function response(q: DnsQuery, init: ResponseInit = {}): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  const flags = 0x8000 | 0x0100 | 0x0080 | (init.truncated ? 0x0200 : 0) | ((init.rcode ?? 0) & 0xf);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(init.answers?.length ?? 0, 6);
  return Buffer.concat([header, q.question, ...(init.answers ?? [])]);
}

/** One resource record with raw rdata. */
export function rr(name: string, type: number, rdata: Buffer, ttl = 60): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), fixed, rdata]);
}

export function srvRdata(priority: number, weight: number, port: number, target: string): Buffer {
  const fixed = Buffer.alloc(6);
  fixed.writeUInt16BE(priority, 0);
  fixed.writeUInt16BE(weight, 2);
  fixed.writeUInt16BE(port, 4);
  return Buffer.concat([fixed, encodeName(target)]);
}

export function aRdata(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

/**
 * Starts the server on 127.0.0.1 with a free port (or `port`: 53 for glibc, whose resolv.conf
 * takes no port, inside a network namespace); `close()` releases it.
 */
export async function startFakeDns(handler: DnsHandler, port = 0): Promise<FakeDnsServer> {
  const socket: Socket = createSocket('udp4');
  const queries: DnsQuery[] = [];
  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const q = parseQuery(msg);
    if (!q) return;
    queries.push(q);
    const reply = handler(q);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const bound = socket.address().port;
  return {
    port: bound,
    server: `127.0.0.1:${bound}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

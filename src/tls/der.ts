/**
 * The little DER (ITU-T X.690) reading the certificate checks need and node:crypto does not
 * offer: a CRL's issuer, dates and revoked serials, and a certificate's raw issuer name, serial
 * and signature algorithm. Definite lengths only, as DER requires; anything malformed throws.
 */

export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  /** `[0]` constructed, e.g. a certificate's version or a CRL's extensions. */
  CONTEXT_0: 0xa0,
  /** `[3]` constructed: a certificate's extensions. */
  CONTEXT_3: 0xa3,
} as const;

/** One X.509 extension (RFC 5280 section 4.1): its OID, criticality and the DER inside extnValue. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Buffer;
}

/** One TLV: `tag`, the whole encoding `der` (header included) and the `content` bytes. */
export interface DerElement {
  readonly tag: number;
  readonly der: Buffer;
  readonly content: Buffer;
}

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** Reads the element at `offset`; returns it and the offset just past it. */
export function readElement(buf: Buffer, offset = 0): { element: DerElement; next: number } {
  if (offset + 2 > buf.length) throw new DerError('truncated DER header');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let length = buf[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    // DER forbids the indefinite form (n = 0); four length bytes are far beyond any certificate.
    if (n === 0 || n > 4) throw new DerError('unsupported DER length');
    if (offset + 2 + n > buf.length) throw new DerError('truncated DER length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i];
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError('DER element runs past its container');
  return {
    element: { tag, der: buf.subarray(offset, end), content: buf.subarray(offset + header, end) },
    next: end,
  };
}

/** The elements inside a constructed element, in order. */
export function children(parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < parent.content.length) {
    const { element, next } = readElement(parent.content, offset);
    out.push(element);
    offset = next;
  }
  return out;
}

/** Reads the only element of `der` and checks its tag. */
export function parseRoot(der: Buffer, tag: number): DerElement {
  const { element, next } = readElement(der, 0);
  if (next !== der.length) throw new DerError('trailing bytes after DER element');
  expectTag(element, tag);
  return element;
}

export function expectTag(element: DerElement | undefined, tag: number): DerElement {
  if (!element || element.tag !== tag) {
    throw new DerError(
      `expected DER tag 0x${tag.toString(16)}, got ${element ? `0x${element.tag.toString(16)}` : 'nothing'}`,
    );
  }
  return element;
}

/** Dotted form of an OBJECT IDENTIFIER. */
export function decodeOid(element: DerElement): string {
  expectTag(element, DerTag.OID);
  const bytes = element.content;
  if (bytes.length === 0) throw new DerError('empty OID');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/**
 * An INTEGER as upper-case hex without leading zero bytes, the form X509Certificate's
 * `serialNumber` uses, so serials compare as strings.
 */
export function integerHex(element: DerElement): string {
  expectTag(element, DerTag.INTEGER);
  let bytes = element.content;
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  return bytes.toString('hex').toUpperCase();
}

/** UTCTime (`YYMMDDHHMMSSZ`, RFC 5280 section 4.1.2.5.1: years 50-99 → 19xx) or GeneralizedTime. */
export function decodeTime(element: DerElement): Date {
  const text = element.content.toString('latin1');
  let m: RegExpExecArray | null;
  if (element.tag === DerTag.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    const yy = Number(m[1]);
    return utc(yy >= 50 ? 1900 + yy : 2000 + yy, m[2], m[3], m[4], m[5], m[6]);
  }
  if (
    element.tag === DerTag.GENERALIZED_TIME &&
    (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))
  ) {
    return utc(Number(m[1]), m[2], m[3], m[4], m[5], m[6]);
  }
  throw new DerError(`unsupported DER time ${JSON.stringify(text)}`);
}

function utc(year: number, mo: string, d: string, h: string, mi: string, s: string): Date {
  return new Date(Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
}

/** The bytes of a BIT STRING with no unused bits (signatures are whole bytes). */
export function bitStringBytes(element: DerElement): Buffer {
  expectTag(element, DerTag.BIT_STRING);
  if (element.content.length === 0 || element.content[0] !== 0)
    throw new DerError('BIT STRING with unused bits');
  return element.content.subarray(1);
}

/** PEM blocks of one label (e.g. `CERTIFICATE`, `X509 CRL`) decoded to DER, in order. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const out: Buffer[] = [];
  for (const m of text.matchAll(re)) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

/** `Extensions ::= SEQUENCE OF Extension` (certificates and CRLs alike, RFC 5280 sections 4.1 and 5.1). */
export function decodeExtensions(sequence: DerElement): Extension[] {
  return children(expectTag(sequence, DerTag.SEQUENCE)).map((ext) => {
    const parts = children(expectTag(ext, DerTag.SEQUENCE));
    const critical = parts[1]?.tag === DerTag.BOOLEAN && parts[1].content[0] !== 0;
    const value = expectTag(parts[critical || parts[1]?.tag === DerTag.BOOLEAN ? 2 : 1], DerTag.OCTET_STRING);
    return { oid: decodeOid(parts[0]), critical, value: value.content };
  });
}

// The HTTP/1.1 response that carries a PAC script (RFC 9112): status line, header fields, then a
// body framed by Transfer-Encoding: chunked, Content-Length, or the end of the connection. The
// whole response is read first (the request says `Connection: close`), within a size limit.
import { IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';

/** Longest header section accepted. */
export const MAX_HEADER_BYTES = 32 * 1024;

/** A parsed response: status, lower-cased header fields, the body bytes. */
export interface PacHttpResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

function invalid(message: string): IOError {
  return new IOError(IOErrorEnum.INVALID_DATA, `Invalid HTTP response for the PAC script: ${message}`);
}

/** Where the header section ends (the index after CRLF CRLF), or -1 while incomplete. */
export function headerEnd(data: Buffer): number {
  const end = data.indexOf('\r\n\r\n');
  return end < 0 ? -1 : end + 4;
}

/** Parses a complete response (the connection has ended); INVALID_DATA when malformed or truncated. */
export function parsePacHttpResponse(data: Buffer): PacHttpResponse {
  const end = headerEnd(data);
  if (end < 0 && data.length > MAX_HEADER_BYTES) throw invalid('header too long');
  if (end < 0) throw invalid(data.length === 0 ? 'empty reply' : 'incomplete header');
  if (end > MAX_HEADER_BYTES) throw invalid('header too long');
  const lines = data
    .subarray(0, end - 4)
    .toString('latin1')
    .split('\r\n');
  const status = /^HTTP\/1\.[01] ([0-9]{3})(?: (.*))?$/.exec(lines[0]);
  if (status === null) throw invalid('bad status line');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw invalid('bad header field');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  const rest = data.subarray(end);
  return { status: Number(status[1]), reason: status[2] ?? '', headers, body: bodyOf(headers, rest) };
}

function bodyOf(headers: ReadonlyMap<string, string>, rest: Buffer): Buffer {
  const encoding = headers.get('transfer-encoding');
  if (encoding !== undefined) {
    if (encoding.toLowerCase() !== 'chunked') throw invalid(`unsupported transfer coding ‘${encoding}’`);
    return dechunk(rest);
  }
  const length = headers.get('content-length');
  if (length === undefined) return rest; // framed by the end of the connection
  if (!/^[0-9]{1,15}$/.test(length)) throw invalid('bad Content-Length');
  const n = Number(length);
  if (rest.length < n) throw invalid('the body is shorter than its Content-Length');
  return rest.subarray(0, n);
}

/** RFC 9112 section 7.1: chunks until the zero-size one; extensions and trailers are ignored. */
function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  // Bounded: each turn consumes at least the size line.
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) throw invalid('truncated chunked body');
    const sizeText = data.subarray(at, lineEnd).toString('latin1').split(';')[0].trim();
    if (!/^[0-9A-Fa-f]{1,8}$/.test(sizeText)) throw invalid('bad chunk size');
    const size = parseInt(sizeText, 16);
    at = lineEnd + 2;
    if (size === 0) return Buffer.concat(parts);
    if (at + size + 2 > data.length) throw invalid('truncated chunked body');
    parts.push(data.subarray(at, at + size));
    if (data[at + size] !== 0x0d || data[at + size + 1] !== 0x0a) throw invalid('bad chunk framing');
    at += size + 2;
  }
}

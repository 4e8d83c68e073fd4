// Fetches a PAC script over http: or https: with this package's own client, directly (a proxy
// must not be asked how to reach the script that names the proxies). Installed into the proxy
// layer's hook when the package entry point is loaded (docs/architecture.md "Layering").
import type { Duplex } from 'node:stream';
import { IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';
import { toGError } from '../errors/errno.js';
import { redactUri } from '../address/uri.js';
import {
  decodeScript,
  installPacFetcher,
  tooLarge,
  type PacFetchOptions,
} from '../proxy/pac-script-source.js';
import { MAX_HEADER_BYTES, headerEnd, parsePacHttpResponse } from './pac-http-response.js';
import { SocketClient } from './socket-client.js';

/** Redirects followed, as browsers follow them for a PAC URL. */
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The script at `url`, following up to 3 redirects to `http:`/`https:` URLs (never from
 * `https:` down to `http:`), all within the one fetch time limit.
 */
async function fetchPacScript(url: URL, opts: PacFetchOptions): Promise<string> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const answer = await fetchOnce(current, opts);
    if (answer.kind === 'script') return answer.text;
    if (hop >= MAX_REDIRECTS) {
      throw new IOError(
        IOErrorEnum.FAILED,
        `Fetching ${redactUri(url.href)}: more than ${MAX_REDIRECTS} redirects`,
      );
    }
    current = redirectTarget(current, answer.location);
  }
}

function redirectTarget(from: URL, location: string | undefined): URL {
  let next: URL | null;
  try {
    next = location === undefined ? null : new URL(location, from);
  } catch {
    next = null;
  }
  if (next === null || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
    throw new IOError(
      IOErrorEnum.FAILED,
      `Fetching ${redactUri(from.href)}: redirect without a usable Location`,
    );
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new IOError(
      IOErrorEnum.FAILED,
      `Fetching ${redactUri(from.href)}: refused redirect from https to http`,
    );
  }
  return next;
}

type FetchAnswer =
  | { readonly kind: 'script'; readonly text: string }
  | { readonly kind: 'redirect'; readonly location: string | undefined };

async function fetchOnce(url: URL, opts: PacFetchOptions): Promise<FetchAnswer> {
  const https = url.protocol === 'https:';
  const client = new SocketClient({
    enableProxy: false,
    resolver: opts.resolver,
    tls: https,
    tlsOptions: opts.tlsOptions,
  });
  const conn = await client.connectToHost(url.host, https ? 443 : 80, { cancellable: opts.cancellable });
  try {
    const target = `${url.pathname === '' ? '/' : url.pathname}${url.search}`;
    conn.stream.write(
      `GET ${target} HTTP/1.1\r\nHost: ${url.host}\r\n` +
        'Accept: application/x-ns-proxy-autoconfig, */*\r\nConnection: close\r\n' +
        'User-Agent: gsocketclient\r\n\r\n',
    );
    const data = await readAll(conn.stream, opts);
    const response = parsePacHttpResponse(data);
    if (REDIRECTS.has(response.status))
      return { kind: 'redirect', location: response.headers.get('location') };
    if (response.status !== 200) {
      throw new IOError(
        IOErrorEnum.FAILED,
        `Fetching ${redactUri(url.href)} answered HTTP ${response.status} ${response.reason}`.trimEnd(),
      );
    }
    if (response.body.length > opts.maxBytes) throw tooLarge(opts.maxBytes);
    return { kind: 'script', text: decodeScript(response.body) };
  } finally {
    await conn.close();
  }
}

/** Every byte until the peer ends the connection, within the header and script size limits. */
function readAll(stream: Duplex, opts: PacFetchOptions): Promise<Buffer> {
  const limit = MAX_HEADER_BYTES + opts.maxBytes + 64 * 1024; // chunk framing included
  return new Promise<Buffer>((resolve, reject) => {
    if (opts.cancellable.isCancelled()) {
      reject(opts.cancellable.error());
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    let headerSeen = false;
    const cancelId = opts.cancellable.connect((c) => finish(c.error()));
    function onData(chunk: Buffer): void {
      chunks.push(chunk);
      length += chunk.length;
      if (length > limit) return finish(tooLarge(opts.maxBytes));
      if (!headerSeen && length > MAX_HEADER_BYTES) {
        headerSeen = headerEnd(Buffer.concat(chunks)) >= 0;
        if (!headerSeen) {
          finish(
            new IOError(
              IOErrorEnum.INVALID_DATA,
              'Invalid HTTP response for the PAC script: header too long',
            ),
          );
        }
      }
    }
    function finish(error: Error | null): void {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onEnd);
      opts.cancellable.disconnect(cancelId);
      if (error !== null) reject(error);
      else resolve(Buffer.concat(chunks));
    }
    function onEnd(): void {
      finish(null);
    }
    function onError(err: Error): void {
      finish(toGError(err));
    }
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onError);
  });
}

installPacFetcher(fetchPacScript);

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

async function fetchPacScript(url: URL, opts: PacFetchOptions): Promise<string> {
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
    if (response.status !== 200) {
      throw new IOError(
        IOErrorEnum.FAILED,
        `Fetching ${redactUri(url.href)} answered HTTP ${response.status} ${response.reason}`.trimEnd(),
      );
    }
    if (response.body.length > opts.maxBytes) throw tooLarge(opts.maxBytes);
    return decodeScript(response.body);
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

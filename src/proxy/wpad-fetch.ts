// Fetching a discovered `wpad.dat`: one plain HTTP GET, straight to an address the client's resolver
// gave (never through a proxy — the script is what says which proxy to use — and never through the
// system's DNS).
import { request } from 'node:http';
import type { InetAddress } from '../address/inet-address.js';
import type { Clock, ClockTimer } from '../clock.js';
import { SocketFamily } from '../errors/enums.js';

/** A PAC script larger than this is refused (real ones are a few kilobytes). */
export const MAX_SCRIPT_BYTES = 1 << 20;

/** What a fetch needs: the URL's host name (for `Host:`), the port and path, and where to connect. */
export interface ScriptRequest {
  readonly hostname: string;
  readonly port: number;
  readonly path: string;
  readonly address: InetAddress;
  /** Milliseconds for the whole exchange. */
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

/**
 * The body of a `200` answer, or an Error saying why there is none (another status — redirects
 * are not followed —, a body over {@link MAX_SCRIPT_BYTES}, a connection failure, the time limit).
 */
export function fetchScript(req: ScriptRequest): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let timer: ClockTimer | null = null;
    let settled = false;
    const finish = (error: Error | null, body?: string): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) req.clock.clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      outgoing.destroy();
      if (error === null) resolve(body ?? '');
      else reject(error);
    };
    const onAbort = (): void => finish(new Error('cancelled'));
    const defaultPort = req.port === 80;
    const outgoing = request(
      {
        host: req.address.toString(),
        family: req.address.family === SocketFamily.IPV6 ? 6 : 4,
        port: req.port,
        path: req.path,
        method: 'GET',
        agent: false,
        setHost: false,
        headers: {
          Host: defaultPort ? req.hostname : `${req.hostname}:${req.port}`,
          Accept: 'application/x-ns-proxy-autoconfig, */*',
          Connection: 'close',
        },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          finish(new Error(`HTTP status ${res.statusCode ?? 'none'}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_SCRIPT_BYTES) finish(new Error(`larger than ${MAX_SCRIPT_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (err) => finish(err));
        res.on('close', () => {
          if (!res.complete) finish(new Error('connection closed before the end of the body'));
        });
      },
    );
    outgoing.on('error', (err) => finish(err));
    timer = req.clock.setTimeout(
      () => finish(new Error(`no answer within ${req.timeoutMs} ms`)),
      req.timeoutMs,
    );
    if (req.signal?.aborted === true) finish(new Error('cancelled'));
    else req.signal?.addEventListener('abort', onAbort, { once: true });
    outgoing.end();
  });
}

// Where a PAC script comes from: the text itself, a `file:` URL read here, or an `http:`/`https:`
// URL fetched by the client layer through the hook below (the proxy layer cannot import the
// client; docs/architecture.md "Layering"). libproxy's `pac+` prefix is accepted on each URL.
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ConnectionOptions } from 'node:tls';
import type { Cancellable } from '../cancellable.js';
import { GError, IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';
import { toGError } from '../errors/errno.js';
import { redactUri } from '../address/uri.js';
import type { Resolver } from '../resolver/resolver.js';

/** A PAC source: the script URL (without `pac+`), or the script text. */
export type PacSource =
  { readonly kind: 'url'; readonly url: URL } | { readonly kind: 'script'; readonly text: string };

const URL_FORM = /^(?:pac\+)?(?:https?|file):\S*$/i;

/**
 * Tells a URL from a script: one line without blanks that starts with `http:`, `https:` or
 * `file:` (optionally `pac+http:` …) is a URL; anything else is the script text. A script never
 * looks like that (it must define `function FindProxyForURL`).
 */
export function pacSourceOf(urlOrScript: string): PacSource {
  const trimmed = urlOrScript.trim();
  if (!URL_FORM.test(trimmed)) return { kind: 'script', text: urlOrScript };
  const plain = trimmed.replace(/^pac\+/i, '');
  let url: URL;
  try {
    url = new URL(plain);
  } catch {
    throw new IOError(IOErrorEnum.INVALID_ARGUMENT, `Invalid PAC URL ‘${redactUri(trimmed)}’`);
  }
  if (url.protocol !== 'file:' && url.hostname === '') {
    throw new IOError(IOErrorEnum.INVALID_ARGUMENT, `Invalid PAC URL ‘${redactUri(trimmed)}’: no host`);
  }
  return { kind: 'url', url };
}

/** Whether a proxy URI names a PAC script (libproxy's `pac+http://`, `pac+https://`, `pac+file://`). */
export function isPacUri(proxy: string): boolean {
  return /^pac\+(?:https?|file):/i.test(proxy);
}

/** What a fetch may use and how long it may take. */
export interface PacFetchOptions {
  readonly resolver: Resolver | null;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly tlsOptions: ConnectionOptions | null;
  readonly cancellable: Cancellable;
}

/** Fetches an `http:`/`https:` script, directly (no proxy); rejects with a GError. */
export type PacFetcher = (url: URL, opts: PacFetchOptions) => Promise<string>;

let fetcher: PacFetcher | null = null;

/** Installed by src/client/pac-fetch.ts when the package entry point is loaded. */
export function installPacFetcher(fn: PacFetcher): void {
  fetcher = fn;
}

/** The script at `url`: read from disk for `file:`, fetched for `http:`/`https:`. */
export async function loadPacScript(url: URL, opts: PacFetchOptions): Promise<string> {
  if (url.protocol === 'file:') return readPacFile(url, opts);
  if (fetcher === null) {
    throw new IOError(
      IOErrorEnum.NOT_SUPPORTED,
      'Fetching a PAC script needs the client layer (import from the gsocketclient package entry point)',
    );
  }
  return fetcher(url, opts);
}

async function readPacFile(url: URL, opts: PacFetchOptions): Promise<string> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (err) {
    throw new IOError(IOErrorEnum.INVALID_ARGUMENT, `Invalid PAC URL ‘${url.href}’`, { cause: err });
  }
  let file;
  try {
    file = await open(path, 'r');
    // One byte more than allowed tells "too large" from "exactly the limit".
    const buffer = Buffer.alloc(opts.maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      opts.cancellable.throwIfCancelled();
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > opts.maxBytes) throw tooLarge(opts.maxBytes);
    return decodeScript(buffer.subarray(0, length));
  } catch (err) {
    throw err instanceof GError ? err : toGError(err);
  } finally {
    await file?.close();
  }
}

/** MESSAGE_TOO_LARGE for a script over the size limit. */
export function tooLarge(maxBytes: number): IOError {
  return new IOError(IOErrorEnum.MESSAGE_TOO_LARGE, `The PAC script is larger than ${maxBytes} bytes`);
}

/** UTF-8 text; INVALID_DATA for bytes that are not (a PAC script is text). */
export function decodeScript(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (err) {
    throw new IOError(IOErrorEnum.INVALID_DATA, 'The PAC script is not UTF-8 text', { cause: err });
  }
}

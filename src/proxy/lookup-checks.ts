// The lookup checks and the warning channel shared by every ProxyResolver of this package; apart
// from proxy-resolver.ts so that the resolvers and the default-resolver choice do not import each
// other (docs/architecture.md).
import { errorForAbortReason, type CancelOptions } from '../cancellable.js';
import { invalidArgument } from '../errors/gerror.js';
import { isValidUri, redactUri } from '../address/uri.js';

/**
 * The checks of GIO's g_proxy_resolver_lookup wrapper (gio/gproxyresolver.c): an invalid URI is
 * INVALID_ARGUMENT `Invalid URI ‘<uri>’`; then a cancelled lookup reports its cancellation.
 * Userinfo is masked: a caller's own URI may carry a password.
 */
export function checkLookup(uri: string, opts?: CancelOptions): void {
  if (typeof uri !== 'string' || !isValidUri(uri)) {
    throw invalidArgument(`Invalid URI ‘${typeof uri === 'string' ? redactUri(uri) : String(uri)}’`);
  }
  opts?.cancellable?.throwIfCancelled();
  if (opts?.signal?.aborted) throw errorForAbortReason(opts.signal.reason);
}

/**
 * A URI as it may appear in a warning: userinfo replaced by `***`. A value too broken for that
 * (no scheme) is cut after its last `@`, so a password never reaches a log.
 */
export function redactForLog(uri: string): string {
  const redacted = redactUri(uri);
  const at = redacted.lastIndexOf('@');
  return printable(at < 0 || redacted !== uri ? redacted : `***${redacted.slice(at)}`);
}

/** Control characters escaped and length bounded, so a hostile value cannot flood or garble a log. */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x1f\x7f]/g;
  const escaped = text.replace(control, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

let muted = 0;

/**
 * Runs `build` without proxy warnings: for a resolver rebuilt from a recipe on another thread,
 * whose warnings the original already gave.
 */
export function withoutProxyWarnings<T>(build: () => T): T {
  muted++;
  try {
    return build();
  } finally {
    muted--;
  }
}

/** GIO's g_warning: a process warning, never an exception. */
export function proxyWarning(message: string): void {
  if (muted > 0) return;
  process.emitWarning(message, { type: 'GioWarning', code: 'GSOCKETCLIENT_PROXY' });
}

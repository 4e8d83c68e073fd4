// libproxy's `pac+http://`, `pac+https://` and `pac+file://` proxy URIs in the answer of another
// resolver (a default proxy, a proxy variable, the desktop's autoconfig URL): each is replaced by
// what its script answers, in place. One PacProxyResolver per script URL is shared by every
// resolver, so a script is fetched and compiled once for the process (docs/differences.md "PAC").
import type { CancelOptions } from '../cancellable.js';
import { IOError } from '../errors/gerror.js';
import { IOErrorEnum } from '../errors/enums.js';
import { decideProxy, type PacOutcome, type ProxyDecision } from './proxy-explanation.js';
import { PacProxyResolver } from './pac-proxy-resolver.js';
import { isPacUri } from './pac-script-source.js';

const MAX_SHARED = 16;
const MAX_REMEMBERED = 256;
const shared = new Map<string, PacProxyResolver>();
const remembered = new WeakMap<object, Map<string, ProxyDecision>>();

/** Whether a decision names a PAC script to run. */
export function hasPacUri(decision: ProxyDecision): boolean {
  return decision.proxies.some(isPacUri);
}

/** The process-wide resolver of a `pac+` URI (default options: the default Resolver). */
export function sharedPacResolver(pacUri: string): PacProxyResolver {
  const key = pacUri.replace(/^pac\+/i, '');
  let resolver = shared.get(key);
  if (resolver === undefined) {
    resolver = new PacProxyResolver(key);
    if (shared.size >= MAX_SHARED) shared.delete(shared.keys().next().value as string);
    shared.set(key, resolver);
  }
  return resolver;
}

/**
 * `decision` with each `pac+` URI replaced by its script's answer for `uri`; the source names
 * both (`default proxy: PAC http://… returned '…'`). Remembered per `owner` for
 * {@link rememberedExpansion}.
 */
export async function expandPacUris(
  owner: object,
  uri: string,
  decision: ProxyDecision,
  opts?: CancelOptions,
): Promise<ProxyDecision> {
  if (!hasPacUri(decision)) return decision;
  const proxies: string[] = [];
  const sources: string[] = [];
  let pacOutcome: PacOutcome | undefined;
  for (const proxy of decision.proxies) {
    if (!isPacUri(proxy)) {
      proxies.push(proxy);
      continue;
    }
    const pac = sharedPacResolver(proxy);
    proxies.push(...(await pac.lookup(uri, opts)));
    const pacDecision = pac[decideProxy](uri);
    sources.push(pacDecision.source);
    pacOutcome ??= pacDecision.pac;
  }
  const expanded: ProxyDecision = {
    source: `${decision.source}: ${sources.join('; ')}`,
    matchedIgnoreHost: decision.matchedIgnoreHost,
    proxies,
    ...(pacOutcome === undefined ? {} : { pac: pacOutcome }),
  };
  let byUri = remembered.get(owner);
  if (byUri === undefined) {
    byUri = new Map();
    remembered.set(owner, byUri);
  }
  byUri.delete(uri);
  byUri.set(uri, expanded);
  if (byUri.size > MAX_REMEMBERED) byUri.delete(byUri.keys().next().value as string);
  return expanded;
}

/** The last expansion `owner` made for `uri`, so the enumerator can name a proxy's source. */
export function rememberedExpansion(owner: object, uri: string): ProxyDecision | null {
  return remembered.get(owner)?.get(uri) ?? null;
}

/** `decision` for a synchronous lookup, or NOT_SUPPORTED when one of its entries is a PAC script. */
export function withoutScripts(decision: ProxyDecision): ProxyDecision {
  if (hasPacUri(decision)) throw pacNeedsAsync();
  return decision;
}

/** NOT_SUPPORTED for a synchronous lookup that meets a PAC script (scripts resolve names). */
export function pacNeedsAsync(): IOError {
  return new IOError(
    IOErrorEnum.NOT_SUPPORTED,
    'A PAC script (pac+ proxy URI or automatic configuration) needs the asynchronous lookup()',
  );
}

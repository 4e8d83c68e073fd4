import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';

/**
 * The tls.connect options that go into a SecureContext (tls.createSecureContext); everything
 * else (servername, session, ALPN, socket…) is per connection.
 */
const CONTEXT_KEYS = [
  'ca',
  'cert',
  'key',
  'pfx',
  'passphrase',
  'ciphers',
  'ecdhCurve',
  'dhparam',
  'honorCipherOrder',
  'minVersion',
  'maxVersion',
  'secureProtocol',
  'secureOptions',
  'sigalgs',
  'privateKeyEngine',
  'privateKeyIdentifier',
  'clientCertEngine',
  'sessionIdContext',
  'ticketKeys',
  'sessionTimeout',
] as const satisfies readonly (keyof ConnectionOptions)[];

const CACHE_SIZE = 16;

interface Entry {
  readonly values: readonly unknown[];
  readonly context: SecureContext;
}

/** Most recently used last. */
const entries: Entry[] = [];

/**
 * A SecureContext for `options`, reused while the same values (compared with Object.is, so the
 * same Buffer or string) come back. tls.connect builds a fresh context from `ca` on every call;
 * with the system store as `ca` that means parsing a few hundred roots per handshake, which
 * would cost more than the handshake itself.
 */
export function cachedSecureContext(options: ConnectionOptions): SecureContext {
  const values = CONTEXT_KEYS.map((key) => options[key]);
  const i = entries.findIndex(
    (entry) => entry.values.length === values.length && entry.values.every((v, k) => sameValue(v, values[k])),
  );
  if (i >= 0) {
    const [hit] = entries.splice(i, 1);
    entries.push(hit);
    return hit.context;
  }
  const contextOptions: Record<string, unknown> = {};
  CONTEXT_KEYS.forEach((key, k) => {
    if (values[k] !== undefined) contextOptions[key] = values[k];
  });
  const context = createSecureContext(contextOptions);
  entries.push({ values: values.map((v) => (Array.isArray(v) ? [...v] : v)), context });
  if (entries.length > CACHE_SIZE) entries.shift();
  return context;
}

/** Object.is; arrays (a `ca` list may be edited in place) by their elements. */
function sameValue(stored: unknown, current: unknown): boolean {
  if (Array.isArray(stored) && Array.isArray(current)) {
    return stored.length === current.length && stored.every((v, i) => Object.is(v, current[i]));
  }
  return Object.is(stored, current);
}

/** Drops every remembered context (tests that change the environment between handshakes). */
export function clearSecureContextCache(): void {
  entries.length = 0;
}

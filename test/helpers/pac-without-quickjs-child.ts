// Run with a module hook that hides `quickjs-wasi` (test/proxy/pac-packaging.test.ts): what a
// PacProxyResolver does when the optional package is not installed, as one JSON object.
import { GError, PacProxyResolver } from '../../src/index.js';

const out: Record<string, unknown> = {};
for (const onError of ['direct', 'error'] as const) {
  const resolver = new PacProxyResolver('function FindProxyForURL() { return "DIRECT"; }', { onError });
  try {
    out[onError] = await resolver.lookup('http://a.example:80');
  } catch (err) {
    out[onError] =
      err instanceof GError ? { domain: err.domain, code: err.code, message: err.message } : String(err);
  }
}
process.stdout.write(JSON.stringify(out));

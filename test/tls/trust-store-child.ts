// Child process of system-trust-store.test.ts: connects with TLS to 127.0.0.1:$PORT without a
// `ca` option, so the default (system) trust store decides, and prints the outcome as JSON.
import { SocketClient } from '../../src/index.js';
import { findSystemTrustStore } from '../../src/tls/system-trust-store.js';
import { DIRECT } from '../helpers/resolvers.js';

const store = findSystemTrustStore();
const client = new SocketClient({ tls: true, proxyResolver: DIRECT, enableProxy: false, timeout: 10 });
let outcome: { accepted: boolean; error: string | null; flags: number | null };
try {
  const connection = await client.connectToHost(`127.0.0.1:${process.env.PORT ?? '0'}`, 0);
  await connection.close();
  outcome = { accepted: true, error: null, flags: null };
} catch (err) {
  const flags = (err as { certificateErrors?: number }).certificateErrors;
  outcome = { accepted: false, error: (err as Error).message, flags: flags ?? null };
}
process.stdout.write(`${JSON.stringify({ ...outcome, source: store.source, extraFile: store.extraFile })}\n`);

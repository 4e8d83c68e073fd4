// The blocking API from the built package (dist/), where the engine worker is the single-file
// bundle scripts/postbuild.mjs makes: a connect, a round trip and a close work, in a child
// process (this thread would block). Needs `npm run build` first (CI's `npm test` does it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { requireOrSkip } from '../helpers/env.js';
import { startPeer } from './peer.js';

const DIST_INDEX = new URL('../../dist/src/index.js', import.meta.url);
const BUNDLE = fileURLToPath(new URL('../../dist/src/sync/worker-bundle.js', import.meta.url));
const BOUND_MS = 20_000;

const SCRIPT = `
const { SocketClient, SimpleProxyResolver } = await import(process.argv[1]);
const client = new SocketClient({ proxyResolver: new SimpleProxyResolver(), timeout: 5 });
const t0 = performance.now();
const conn = client.connectToHostSync('127.0.0.1:' + process.argv[2], 0);
const firstMs = performance.now() - t0;
conn.writeAll('ping');
const echo = conn.readAll(4).toString();
conn.close();
process.stdout.write(JSON.stringify({ echo, firstMs }) + '\\n');
`;

describe('blocking API from the built package', () => {
  it('the bundled engine worker connects, echoes and closes', async (t) => {
    if (!requireOrSkip(t, existsSync(BUNDLE), 'needs `npm run build` (dist/src/sync/worker-bundle.js)'))
      return;
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', SCRIPT, DIST_INDEX.href, String(peer.port)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child did not finish within ${BOUND_MS} ms`));
        }, BOUND_MS);
        child.once('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      assert.equal(code, 0, stdout);
      const report = JSON.parse(stdout) as { echo: string; firstMs: number };
      assert.equal(report.echo, 'ping');
      t.diagnostic(`first blocking call from dist/: ${report.firstMs.toFixed(1)} ms`);
    } finally {
      await peer.stop();
    }
  });
});

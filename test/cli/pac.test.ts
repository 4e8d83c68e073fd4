// The CLI with a PAC script: `--proxy pac+http://…` (libproxy's convention) for --explain-proxy
// and for a connect whose PAC-chosen proxy fails, named in the one-line error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unusedPort } from '../helpers/servers.js';
import { cleanEnv, runCli } from './spawn.js';

async function servePac(script: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => res.end(script));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/proxy.pac`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('gsocketclient with a PAC script', () => {
  test('--explain-proxy --proxy pac+http://…: the script, its answer and the list, in words and JSON', async () => {
    const pac = await servePac(
      `function FindProxyForURL(url, host) { return shExpMatch(host, '*.test') ? 'PROXY 127.0.0.1:3128; DIRECT' : 'DIRECT'; }`,
    );
    try {
      const env = cleanEnv();
      const words = await runCli(['--explain-proxy', '--proxy', `pac+${pac.url}`, 'db.example.test:5432'], {
        env,
      });
      assert.equal(words.status, 0, words.stderr);
      assert.equal(
        words.stdout,
        [
          'destination: none://db.example.test:5432',
          'decision:    through http://127.0.0.1:3128, then direct://',
          `source:      default proxy: PAC ${pac.url} returned 'PROXY 127.0.0.1:3128; DIRECT' (simple resolver)`,
          '',
        ].join('\n'),
      );
      const json = await runCli(
        ['--explain-proxy', '--json', '--proxy', `pac+${pac.url}`, 'example.org:22'],
        {
          env,
        },
      );
      assert.equal(json.status, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout), {
        explain_proxy: {
          uri: 'none://example.org:22',
          resolver: 'simple',
          source: `default proxy: PAC ${pac.url} returned 'DIRECT'`,
          matchedIgnoreHost: null,
          proxies: ['direct://'],
          pac: { url: pac.url, answer: 'DIRECT', error: null },
        },
      });
    } finally {
      await pac.close();
    }
  });

  test('a connect through the proxy the script chose names it and the script in the error', async () => {
    const dead = await unusedPort();
    const pac = await servePac(`function FindProxyForURL(url, host) { return 'PROXY 127.0.0.1:${dead}'; }`);
    try {
      const r = await runCli(['--proxy', `pac+${pac.url}`, '127.0.0.1:9'], { env: cleanEnv() });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /Connection refused/);
      assert.ok(r.stderr.includes(`http://127.0.0.1:${dead}`), r.stderr);
      assert.ok(r.stderr.includes(`PAC ${pac.url} returned 'PROXY 127.0.0.1:${dead}'`), r.stderr);
    } finally {
      await pac.close();
    }
  });
});

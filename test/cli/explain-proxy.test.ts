// gsocketclient --explain-proxy, --proxy-loopback, and the proxy named in the one-line error.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startServer, unusedPort } from '../helpers/servers.js';
import { cleanEnv, ndjson, runCli } from './spawn.js';

describe('gsocketclient --explain-proxy', () => {
  test('in words: the variable, the proxy (redacted), exit 0, nothing connected', async () => {
    const hits: string[] = [];
    const proxy = await startServer('127.0.0.1', 0, (s) => {
      hits.push('connection');
      s.destroy();
    });
    try {
      const env = cleanEnv({ https_proxy: `http://alice:s3cret@127.0.0.1:${proxy.port}` });
      const r = await runCli(['--explain-proxy', 'https://www.example.test:443/'], { env });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          'destination: https://www.example.test:443',
          `decision:    through http://***@127.0.0.1:${proxy.port}`,
          'source:      https_proxy (environment resolver)',
          '',
        ].join('\n'),
      );
      assert.doesNotMatch(r.stdout + r.stderr, /alice|s3cret/);
      assert.deepEqual(hits, [], 'no connection was made');
    } finally {
      await proxy.close();
    }
  });

  test('--json: one object; a loopback target is direct, naming the rule', async () => {
    const env = cleanEnv({ http_proxy: 'http://127.0.0.1:3128', no_proxy: '.corp.test' });
    const r = await runCli(['--explain-proxy', '--json', '127.0.0.1:5432'], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      explain_proxy: {
        uri: 'none://127.0.0.1:5432',
        resolver: 'environment',
        source: 'loopback',
        matchedIgnoreHost: '127.0.0.0/8',
        proxies: ['direct://'],
      },
    });
    const corp = await runCli(['--explain-proxy', 'db.corp.test:5432'], { env });
    assert.match(
      corp.stdout,
      /decision: {4}direct \(no proxy\)\nsource: {6}no_proxy \(environment resolver\)\nmatched: {5}\.corp\.test\n/,
    );
    const loop = await runCli(['--explain-proxy', '--proxy-loopback', 'localhost:6379'], { env });
    assert.match(loop.stdout, /through http:\/\/127\.0\.0\.1:3128\nsource: {6}http_proxy/);
  });

  test('--proxy, --no-proxy and a bad target', async () => {
    const env = cleanEnv({ http_proxy: 'http://127.0.0.1:3128' });
    const simple = await runCli(
      ['--explain-proxy', '--proxy', 'socks5://u:p@127.0.0.1:1080', 'example.test:22'],
      {
        env,
      },
    );
    assert.match(
      simple.stdout,
      /through socks5:\/\/\*\*\*@127\.0\.0\.1:1080\nsource: {6}default proxy \(simple resolver\)/,
    );
    const off = await runCli(['--explain-proxy', '--no-proxy', 'example.test:22'], { env });
    assert.match(off.stdout, /source: {6}enableProxy is false \(disabled resolver\)/);
    const bad = await runCli(['--explain-proxy', 'example.test'], { env });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /No port/);
    const service = await runCli(['--explain-proxy', '--service', 'imap', 'example.test'], { env });
    assert.equal(service.status, 2);
  });
});

describe('the proxy in the one-line error', () => {
  test('text and --json name the proxy (redacted) and its variable; GIO’s message unchanged', async () => {
    const port = await unusedPort('127.0.0.1');
    const env = cleanEnv({ ALL_PROXY: `socks5h://bob:pw@127.0.0.1:${port}` });
    const text = await runCli(['-z', 'db.example.test:5432'], { env });
    assert.equal(text.status, 4, text.stderr);
    assert.equal(
      text.stderr,
      `gsocketclient: g-io-error-quark CONNECTION_REFUSED: Could not connect to proxy server 127.0.0.1: ` +
        `Connection refused (proxy socks5://***@127.0.0.1:${port} from ALL_PROXY)\n`,
    );
    const json = await runCli(['-z', '--json', 'db.example.test:5432'], { env });
    const failure = ndjson(json.stderr).find((x) => 'error' in x)!;
    assert.deepEqual(failure.proxy, { uri: `socks5://***@127.0.0.1:${port}`, source: 'ALL_PROXY' });
    assert.doesNotMatch(text.stderr + json.stderr, /bob|pw@/);
  });
});

// --proxy, --no-proxy and the proxy environment, with refused ports and real daemons on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hasCommand, startMicrosocks, startTinyproxy } from '../../bench/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer, unusedPort, type TestServer } from '../helpers/servers.js';
import { cleanEnv, ndjson, runCli, startCli, type CliResult } from './spawn.js';

/**
 * Sends `line` and closes stdin only once the echo came back: tinyproxy (unlike a TCP peer)
 * tears the whole tunnel down at the client's FIN, so an early EOF would lose the reply.
 */
async function echoThrough(args: string[], line: string): Promise<CliResult> {
  const run = startCli(args, { stdin: 'open', timeoutMs: 10_000 });
  run.child.stdin!.write(line);
  await run.waitForStdout(line);
  run.child.stdin!.end();
  return run.done;
}

const events = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => /^\+\d+ms [A-Z_]+ /.test(l))
    .map((l) => l.split(' ')[1]);

describe('gsocketclient and proxies (loopback only)', () => {
  let echo: TestServer;
  before(async () => {
    echo = await startEchoServer('127.0.0.1');
  });
  after(async () => {
    await echo.close();
  });

  test('http_proxy from the environment is used for http:// URIs; --no-proxy connects directly', async () => {
    const proxyPort = await unusedPort('127.0.0.1');
    const env = cleanEnv({ http_proxy: `http://user:s3cret@127.0.0.1:${proxyPort}` });
    // A loopback destination goes to the environment's proxy only when asked (--proxy-loopback).
    const viaProxy = await runCli(['-z', '-v', '--proxy-loopback', `http://127.0.0.1:${echo.port}/`], {
      env,
    });
    assert.equal(viaProxy.status, 4);
    assert.ok(
      viaProxy.stderr.includes(
        `CONNECTING http:127.0.0.1:${echo.port} → http proxy 127.0.0.1:${proxyPort} → 127.0.0.1:${echo.port}`,
      ),
      viaProxy.stderr,
    );
    assert.match(viaProxy.stderr, /Could not connect to proxy server 127\.0\.0\.1: Connection refused/);
    assert.doesNotMatch(viaProxy.stderr, /s3cret|user/);

    const direct = await runCli(['-z', '--no-proxy', `http://127.0.0.1:${echo.port}/`], { env });
    assert.equal(direct.status, 0, direct.stderr);
  });

  test('--proxy overrides the environment and never shows credentials (text or JSON)', async () => {
    const proxyPort = await unusedPort('127.0.0.1');
    const proxy = `socks5://alice:pa55word@127.0.0.1:${proxyPort}`;
    for (const mode of ['-v', '--json']) {
      const r = await runCli(['-z', mode, '--proxy', proxy, `127.0.0.1:${echo.port}`]);
      assert.equal(r.status, 4);
      assert.doesNotMatch(r.stderr, /alice|pa55word/);
      assert.match(r.stderr, /socks5/);
    }
  });

  test('--proxy http:// through tinyproxy: PROXY_* events, relay through the tunnel', async (t) => {
    if (!requireOrSkip(t, hasCommand('tinyproxy'), 'tinyproxy not installed')) return;
    const proxy = await startTinyproxy();
    try {
      const r = await echoThrough(
        ['-v', '--proxy', `http://127.0.0.1:${proxy.port}`, `127.0.0.1:${echo.port}`],
        'tunnelled\n',
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'tunnelled\n');
      assert.deepEqual(events(r.stderr), [
        'RESOLVING',
        'RESOLVED',
        'CONNECTING',
        'CONNECTED',
        'PROXY_NEGOTIATING',
        'PROXY_NEGOTIATED',
        'COMPLETE',
      ]);
      assert.ok(r.stderr.includes(`→ http proxy 127.0.0.1:${proxy.port} → 127.0.0.1:${echo.port}`), r.stderr);
    } finally {
      await proxy.stop();
    }
  });

  test('--proxy socks5:// through microsocks with credentials: relay works, credentials never shown', async (t) => {
    if (!requireOrSkip(t, hasCommand('microsocks'), 'microsocks not installed')) return;
    const proxy = await startMicrosocks({ user: 'alice', password: 'pa55word' });
    try {
      const uri = `socks5://alice:pa55word@127.0.0.1:${proxy.port}`;
      const r = await echoThrough(['--json', '--proxy', uri, `127.0.0.1:${echo.port}`], 'socks\n');
      assert.equal(r.killed, false, 'the CLI hung');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'socks\n');
      const records = ndjson(r.stderr);
      assert.deepEqual(
        records.filter((rec) => 'event' in rec).map((rec) => rec.event),
        [
          'RESOLVING',
          'RESOLVED',
          'CONNECTING',
          'CONNECTED',
          'PROXY_NEGOTIATING',
          'PROXY_NEGOTIATED',
          'COMPLETE',
        ],
      );
      assert.deepEqual(records.find((rec) => rec.event === 'CONNECTING')?.proxy, {
        protocol: 'socks5',
        destination: `127.0.0.1:${echo.port}`,
      });
      assert.doesNotMatch(r.stderr, /alice|pa55word/);

      const wrong = await runCli(
        ['-z', '--proxy', `socks5://alice:nope@127.0.0.1:${proxy.port}`, `127.0.0.1:${echo.port}`],
        {
          timeoutMs: 10_000,
        },
      );
      assert.equal(wrong.status, 6);
      assert.match(wrong.stderr, /g-io-error-quark PROXY_AUTH_FAILED: /);
      assert.doesNotMatch(wrong.stderr, /alice|nope/);
    } finally {
      await proxy.stop();
    }
  });
});

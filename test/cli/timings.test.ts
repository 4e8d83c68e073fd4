// --timings, --waterfall, failed attempts with --json, --resolve and --no-proxy-for, against real
// loopback servers, refused ports, microsocks and a TLS server. Structure and order only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HAS_OPENSSL, testPki } from '../helpers/certs.js';
import { hasDaemon, startMicrosocks } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer, unusedPort, type TestServer } from '../helpers/servers.js';
import { startTlsServer } from '../tls/tls-peers.js';
import { cleanEnv, ndjson, runCli } from './spawn.js';

/** The `--timings` block as numbers (null for `-`). */
function summary(stderr: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const m of stderr.matchAll(/^ *(resolve|connect|proxy|tls|total): +(-|[\d.]+ ms)$/gm)) {
    out[m[1]] = m[2] === '-' ? null : Number.parseFloat(m[2]);
  }
  return out;
}

function assertOrdered(s: Record<string, number | null>): void {
  const phases = ['resolve', 'connect', 'proxy', 'tls', 'total']
    .map((k) => s[k])
    .filter((v): v is number => v !== null && v !== undefined);
  for (let i = 1; i < phases.length; i++) assert.ok(phases[i - 1] <= phases[i], phases.join(' <= '));
}

/** Waterfall rows: label, bar, outcome text. */
function bars(stderr: string): { label: string; bar: string; outcome: string }[] {
  return [...stderr.matchAll(/^(.+?) +\|([ =PTx]+)\| (.+)$/gm)].map((m) => ({
    label: m[1],
    bar: m[2],
    outcome: m[3],
  }));
}

const connectLines = (stderr: string): string[] =>
  stderr
    .split('\n')
    .filter((l) => /^\+\d+ms CONNECTING /.test(l))
    .map((l) => l.replace(/^\+\d+ms /, ''));

describe('gsocketclient timings and attempts', () => {
  let echo: TestServer;
  before(async () => {
    echo = await startEchoServer('127.0.0.1');
  });
  after(async () => {
    await echo.close();
  });

  test('--timings: a curl-style summary in phase order; the refused ::1 attempt counted', async () => {
    const r = await runCli(['-z', '--timings', `localhost:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    const s = summary(r.stderr);
    assert.deepEqual(Object.keys(s), ['resolve', 'connect', 'proxy', 'tls', 'total']);
    assert.equal(s.proxy, null);
    assert.equal(s.tls, null);
    assertOrdered(s);
    assert.match(r.stderr, /^ attempts: 2 \(1 failed\)$/m);
  });

  test('--waterfall on a refused port: one bar per attempt, each failed, in start order', async () => {
    const port = await unusedPort('127.0.0.1');
    const r = await runCli(['-z', '--waterfall', `localhost:${port}`]);
    assert.equal(r.status, 4);
    const rows = bars(r.stderr);
    assert.deepEqual(
      rows.map((b) => [b.label, b.outcome]),
      [
        [`[::1]:${port}`, 'failed at connect: Connection refused'],
        [`127.0.0.1:${port}`, 'failed at connect: Connection refused'],
      ],
    );
    const [first, second] = rows;
    assert.equal(first.bar.length, second.bar.length);
    assert.ok(first.bar.includes('x') && second.bar.includes('x'));
    // The second attempt starts once the first was refused.
    assert.ok(first.bar.indexOf('x') <= second.bar.search(/[=x]/), `${first.bar}\n${second.bar}`);
    // The error line is still GIO's, last.
    assert.match(r.stderr, /CONNECTION_REFUSED: Could not connect to localhost: Connection refused\n$/);
  });

  test('--json: the result carries timings and every attempt; a live record for the failed one', async () => {
    const r = await runCli(['-z', '--json', '--timings', `localhost:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    const records = ndjson(r.stderr);
    assert.ok(
      records.every((rec) => typeof rec.t_ms === 'number'),
      'JSON only, no text summary',
    );
    const result = records.at(-1)!;
    const timings = result.timings as Record<string, unknown>;
    const attempts = timings.attempts as Record<string, unknown>[];
    assert.deepEqual(
      attempts.map((a) => [a.remote, a.stage, a.outcome]),
      [
        [`[::1]:${echo.port}`, 'connect', 'failed'],
        [`127.0.0.1:${echo.port}`, 'complete', 'succeeded'],
      ],
    );
    const ms = ['resolve_ms', 'connect_ms', 'total_ms'].map((k) => timings[k] as number);
    assert.ok(ms[0] <= ms[1] && ms[1] <= ms[2], ms.join(' <= '));
    assert.equal(timings.proxy_ms, null);
    const live = records.filter((rec) => 'attempt' in rec).map((rec) => rec.attempt);
    assert.deepEqual(live, [attempts[0]]);
  });

  test('--sync --timings -v: the same summary and failed attempt from the blocking API', async () => {
    const r = await runCli(['-z', '--sync', '-v', '--timings', `localhost:${echo.port}`]);
    assert.equal(r.status, 0, r.stderr);
    assertOrdered(summary(r.stderr));
    assert.ok(
      connectLines(r.stderr).includes(
        `CONNECTING localhost:${echo.port} → [::1]:${echo.port} failed: Connection refused`,
      ),
      r.stderr,
    );
  });

  test('--timings through microsocks: the proxy phase is between connect and total', async (t) => {
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    const socks = await startMicrosocks();
    try {
      const r = await runCli([
        '-z',
        '--timings',
        '--waterfall',
        '--proxy',
        `socks5://127.0.0.1:${socks.port}`,
        `127.0.0.1:${echo.port}`,
      ]);
      assert.equal(r.status, 0, r.stderr);
      const s = summary(r.stderr);
      assert.ok(s.proxy !== null, r.stderr);
      assertOrdered(s);
      const rows = bars(r.stderr);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].outcome, 'succeeded');
      assert.equal(rows[0].label, `socks5 proxy 127.0.0.1:${socks.port}`);
      assert.match(rows[0].bar, /=+P+/, 'connect, then proxy negotiation');
    } finally {
      await socks.stop();
    }
  });

  test('--timings with --tls: the handshake phase is timed', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)')) return;
    const pki = testPki();
    const server = await startTlsServer('127.0.0.1', pki.valid);
    try {
      const r = await runCli(['-z', '--timings', '--tls', '--ca', pki.caFile, `localhost:${server.port}`]);
      assert.equal(r.status, 0, r.stderr);
      const s = summary(r.stderr);
      assert.ok(s.tls !== null && s.connect !== null && s.tls >= s.connect, r.stderr);
      assertOrdered(s);
    } finally {
      await server.close();
    }
  });

  test('-v names the stage a failed attempt reached: TLS_HANDSHAKING and PROXY_NEGOTIATING', async (t) => {
    if (!requireOrSkip(t, HAS_OPENSSL, 'openssl CLI (test PKI)')) return;
    if (!requireOrSkip(t, hasDaemon('microsocks'), 'microsocks is not installed')) return;
    const pki = testPki();
    const server = await startTlsServer('127.0.0.1', pki.valid);
    const socks = await startMicrosocks();
    try {
      // No --ca: the test CA is unknown, the handshake fails.
      const tls = await runCli(['-z', '-v', '--waterfall', '--tls', `127.0.0.1:${server.port}`]);
      assert.equal(tls.status, 7, tls.stderr);
      const line = tls.stderr.split('\n').find((l) => / failed: /.test(l)) ?? '';
      assert.match(
        line,
        new RegExp(
          `^\\+\\d+ms TLS_HANDSHAKING 127\\.0\\.0\\.1:${server.port} → 127\\.0\\.0\\.1:${server.port} failed: `,
        ),
      );
      const [row] = bars(tls.stderr);
      assert.match(row.bar, /=+T*x/, row.bar);
      assert.match(row.outcome, /^failed at tls: /);

      const refused = await unusedPort('127.0.0.1');
      const proxy = await runCli([
        '-z',
        '-v',
        '--proxy',
        `socks5://127.0.0.1:${socks.port}`,
        `127.0.0.1:${refused}`,
      ]);
      assert.equal(proxy.status, 4, proxy.stderr); // SOCKS5 "connection refused" is CONNECTION_REFUSED
      assert.match(
        proxy.stderr,
        new RegExp(
          `\\+\\d+ms PROXY_NEGOTIATING 127\\.0\\.0\\.1:${refused} → socks5 proxy 127\\.0\\.0\\.1:${socks.port} → 127\\.0\\.0\\.1:${refused} failed: `,
        ),
      );
    } finally {
      await socks.stop();
      await server.close();
    }
  });

  test('--resolve pins a name for its port; entries for other ports are ignored; [v6] and lists', async () => {
    const name = 'pinned.test';
    const r = await runCli([
      '-z',
      '-v',
      '--resolve',
      `${name}:1:[::1]`,
      '--resolve',
      `${name}:${echo.port}:127.0.0.1`,
      `${name}:${echo.port}`,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(connectLines(r.stderr), [`CONNECTING ${name}:${echo.port} → 127.0.0.1:${echo.port}`]);

    const both = await runCli(['-z', '-v', '--resolve', `${name}:*:[::1],127.0.0.1`, `${name}:${echo.port}`]);
    assert.equal(both.status, 0, both.stderr);
    assert.deepEqual(connectLines(both.stderr), [
      `CONNECTING ${name}:${echo.port} → [::1]:${echo.port}`,
      `CONNECTING ${name}:${echo.port} → [::1]:${echo.port} failed: Connection refused`,
      `CONNECTING ${name}:${echo.port} → 127.0.0.1:${echo.port}`,
    ]);

    const blocking = await runCli([
      '-z',
      '--sync',
      '--resolve',
      `${name}:${echo.port}:127.0.0.1`,
      `${name}:${echo.port}`,
    ]);
    assert.equal(blocking.status, 0, blocking.stderr);
  });

  test('--resolve mistakes are usage errors (exit 2), before any connection', async () => {
    for (const bad of [
      'nocolon',
      'h:80',
      'localhost:80:127.0.0.1',
      '127.0.0.1:80:127.0.0.2',
      'h:x:127.0.0.1',
      'h:80:nope',
      'h:0:127.0.0.1',
    ]) {
      const r = await runCli(['-z', '--resolve', bad, `h:${echo.port}`]);
      assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /^gsocketclient: --resolve: /, bad);
    }
  });

  test('--no-proxy-for: listed hosts bypass --proxy and the environment’s proxy; the rest still use it', async () => {
    const deadProxy = await unusedPort('127.0.0.1');
    const proxied = await runCli([
      '-z',
      '--proxy',
      `socks5://127.0.0.1:${deadProxy}`,
      `127.0.0.1:${echo.port}`,
    ]);
    assert.equal(proxied.status, 4, 'without --no-proxy-for the dead proxy is used');
    const bypass = await runCli([
      '-z',
      '--proxy',
      `socks5://127.0.0.1:${deadProxy}`,
      '--no-proxy-for',
      'other.test, 127.0.0.0/8',
      `127.0.0.1:${echo.port}`,
    ]);
    assert.equal(bypass.status, 0, bypass.stderr);

    // The environment's proxy, for an http:// URI: the extra entry joins its no_proxy list.
    const env = cleanEnv({ http_proxy: `http://127.0.0.1:${deadProxy}`, no_proxy: 'other.test' });
    const uri = `http://127.0.0.1:${echo.port}/`;
    // --proxy-loopback: a loopback destination goes to the environment's proxy only when asked.
    const loop = '--proxy-loopback';
    assert.equal((await runCli(['-z', loop, uri], { env })).status, 4, 'the environment proxy applies');
    const direct = await runCli(['-z', loop, '--no-proxy-for', '127.0.0.1', uri], { env });
    assert.equal(direct.status, 0, direct.stderr);
    const usage = await runCli(['-z', '--no-proxy', '--no-proxy-for', 'a', uri], { env });
    assert.equal(usage.status, 2);
  });
});

// --service and --dns-server against a real dnsmasq on loopback (never the system DNS).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dnsmasqAvailable, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { requireOrSkip } from '../helpers/env.js';
import { startEchoServer, unusedPort, type TestServer } from '../helpers/servers.js';
import { ndjson, runCli } from './spawn.js';

describe('gsocketclient --service', () => {
  let dns: Dnsmasq | null = null;
  let echo: TestServer;
  let refused: number;

  before(async () => {
    echo = await startEchoServer('127.0.0.1');
    refused = await unusedPort('127.0.0.1');
    if (!dnsmasqAvailable()) return;
    dns = await startDnsmasq({
      srv: [
        // The preferred target (lower priority value) refuses; the backup answers.
        { name: '_echo._tcp.svc.test', target: 'first.svc.test', port: refused, priority: 0, weight: 0 },
        { name: '_echo._tcp.svc.test', target: 'backup.svc.test', port: echo.port, priority: 10, weight: 5 },
        { name: '_dead._tcp.svc.test', target: 'first.svc.test', port: refused, priority: 0, weight: 0 },
      ],
      hosts: [
        { name: 'first.svc.test', ipv4: '127.0.0.1' },
        { name: 'backup.svc.test', ipv4: '127.0.0.1' },
        { name: 'plain.svc.test', ipv4: '127.0.0.1' },
      ],
    });
  });
  after(async () => {
    await dns?.stop();
    await echo.close();
  });

  test('-v names the SRV target of each CONNECTING; the backup target is reached', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const r = await runCli(['-v', '--dns-server', dns!.servers[0], '--service', 'echo', 'svc.test'], {
      stdin: 'via srv\n',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'via srv\n');
    const connecting = r.stderr
      .split('\n')
      .filter((l) => /^\+\d+ms CONNECTING /.test(l) && !l.includes(' failed: '));
    assert.deepEqual(
      connecting.map((l) => l.replace(/^\+\d+ms /, '')),
      [
        `CONNECTING (echo, tcp, svc.test, echo) → 127.0.0.1:${refused} via SRV first.svc.test:${refused} (priority 0, weight 0)`,
        `CONNECTING (echo, tcp, svc.test, echo) → 127.0.0.1:${echo.port} via SRV backup.svc.test:${echo.port} (priority 10, weight 5)`,
      ],
    );
  });

  test('--json carries srv_target on the CONNECTING events', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const r = await runCli([
      '-z',
      '--json',
      '--dns-server',
      dns!.servers[0],
      '--service',
      'echo',
      'svc.test',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const targets = ndjson(r.stderr)
      .filter((rec) => rec.event === 'CONNECTING')
      .map((rec) => (rec.srv_target as { hostname: string }).hostname);
    assert.deepEqual(targets, ['first.svc.test', 'backup.svc.test']);
  });

  test('every target refused: the error names the domain, as connect_to_service does; exit 4', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const r = await runCli(['-z', '--dns-server', dns!.servers[0], '--service', 'dead', 'svc.test']);
    assert.equal(r.status, 4);
    assert.equal(
      r.stderr,
      'gsocketclient: g-io-error-quark CONNECTION_REFUSED: Could not connect to svc.test: Connection refused\n',
    );
  });

  test('no SRV record and no such service: a resolver error, exit 3', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const r = await runCli(['-z', '--dns-server', dns!.servers[0], '--service', 'no-such-svc', 'svc.test']);
    assert.equal(r.status, 3);
    assert.match(
      r.stderr,
      /^gsocketclient: g-resolver-error-quark NOT_FOUND: .*_no-such-svc\._tcp\.svc\.test/,
    );
  });

  test('--dns-server also serves host:port targets; an unknown name is exit 3', async (t) => {
    if (!requireOrSkip(t, dns !== null, 'dnsmasq not installed')) return;
    const ok = await runCli(['-z', '--dns-server', dns!.servers[0], `plain.svc.test:${echo.port}`]);
    assert.equal(ok.status, 0, ok.stderr);
    const missing = await runCli(['-z', '--dns-server', dns!.servers[0], `missing.svc.test:${echo.port}`]);
    assert.equal(missing.status, 3);
    assert.match(missing.stderr, /g-resolver-error-quark NOT_FOUND: Error resolving “missing\.svc\.test”/);
  });

  test('--service takes a domain: host:port or a URI as TARGET is a usage error', async () => {
    const r = await runCli(['-z', '--service', 'echo', 'svc.test:80']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /with --service, TARGET is a domain name/);
  });
});

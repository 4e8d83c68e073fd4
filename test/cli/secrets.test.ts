// Issue 10 item 5: no password from a URI on the command line ever reaches the output, and with
// --json every stderr line is JSON (usage errors and process warnings too).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { unusedPort } from '../helpers/servers.js';
import { cleanEnv, ndjson, runCli } from './spawn.js';

const SECRET = /alice|pa55word|s3cret/;

describe('gsocketclient never prints a URI password', () => {
  let closed: number;
  before(async () => {
    closed = await unusedPort('127.0.0.1');
  });

  test('a forgotten --proxy: "expected one TARGET" shows the proxy URI redacted', async () => {
    const r = await runCli([`socks5://alice:pa55word@127.0.0.1:1080`, `127.0.0.1:${closed}`]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `expected one TARGET, got 2: socks5://\\*\\*\\*@127\\.0\\.0\\.1:1080 127\\.0\\.0\\.1:${closed}`,
      ),
    );
    assert.doesNotMatch(r.stderr, SECRET);
  });

  test('an invalid destination URI: Invalid URI ‘http://***@h:99999/’', async () => {
    for (const mode of [[], ['-v'], ['--json'], ['--sync']]) {
      const r = await runCli([...mode, 'http://alice:pa55word@h:99999/']);
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.includes('Invalid URI ‘http://***@h:99999/’'), r.stderr);
      assert.doesNotMatch(r.stderr, SECRET);
    }
  });

  test('a URI TARGET without a port: "No port in" shows it redacted', async () => {
    const r = await runCli(['-z', 'http://alice:pa55word@127.0.0.1/']);
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes('No port in ‘http://***@127.0.0.1/’'), r.stderr);
    assert.doesNotMatch(r.stderr, SECRET);
  });

  test('--service with a URI TARGET: the usage error shows it redacted', async () => {
    const r = await runCli(['--service', 'http', 'http://alice:pa55word@good.test/']);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.includes("not 'http://***@good.test/'"), r.stderr);
    assert.doesNotMatch(r.stderr, SECRET);
  });
});

describe('--json: every stderr line is JSON', () => {
  test('a usage error is one JSON object (redacted), exit status 2', async () => {
    const r = await runCli(['--json', 'socks5://alice:pa55word@127.0.0.1:1080', '127.0.0.1:1']);
    assert.equal(r.status, 2);
    const records = ndjson(r.stderr);
    assert.deepEqual(records, [
      { usage_error: 'expected one TARGET, got 2: socks5://***@127.0.0.1:1080 127.0.0.1:1', exit_status: 2 },
    ]);
    const bad = ndjson((await runCli(['--json', '--no-such-option', '127.0.0.1:1'])).stderr);
    assert.equal(bad.length, 1);
    assert.equal(bad[0].exit_status, 2);
    // Without --json, the usual text.
    assert.match((await runCli(['--no-such-option', '127.0.0.1:1'])).stderr, /^gsocketclient: /);
  });

  for (const sync of [false, true]) {
    test(`a proxy warning from the environment is a JSON record, redacted${sync ? ' (--sync)' : ''}`, async () => {
      const port = await unusedPort('127.0.0.1');
      const env = cleanEnv({ http_proxy: 'http://alice:s3cret@[bad' });
      const args = ['--json', '-z', ...(sync ? ['--sync'] : []), `http://127.0.0.1:${port}/`];
      const r = await runCli(args, { env });
      assert.equal(r.status, 4, r.stderr);
      const records = ndjson(r.stderr); // throws on any non-JSON line
      const warnings = records.filter((x) => 'warning' in x);
      assert.deepEqual(
        warnings.map((x) => x.warning),
        [
          {
            type: 'GioWarning',
            code: 'GSOCKETCLIENT_PROXY',
            message: 'Environment variable http_proxy specifies invalid proxy URL http://***@[bad',
          },
        ],
      );
      assert.doesNotMatch(r.stderr, SECRET);
      // Without --json the warning is Node's usual line (still redacted).
      const text = await runCli(['-z', `http://127.0.0.1:${port}/`], { env });
      assert.match(
        text.stderr,
        /GioWarning: Environment variable http_proxy specifies invalid proxy URL http:\/\/\*\*\*@\[bad/,
      );
      assert.doesNotMatch(text.stderr, SECRET);
    });
  }
});

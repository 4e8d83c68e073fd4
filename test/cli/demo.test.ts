import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { runDemo } from '../../src/cli/demo.js';
import type { CliIO } from '../../src/cli/io.js';
import { activeResources, settleLeaks } from '../helpers/leaks.js';
import { runCli } from './spawn.js';

test('gsocketclient demo: exits 0 on its own, prints the timeline and the round trip', async () => {
  const r = await runCli(['demo']);
  assert.equal(r.killed, false);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^echo server listening on (::1 and )?127\.0\.0\.1, port \d+$/m);
  assert.match(r.stdout, /^\+\d+ms RESOLVING localhost:\d+$/m);
  assert.match(r.stdout, /^\+\d+ms COMPLETE localhost:\d+ → (\[::1\]|127\.0\.0\.1):\d+$/m);
  assert.match(r.stdout, /^sent 'hello from gsocketclient', got it back in \d+\.\d{3} ms$/m);
  // The second part shows a failure the way the CLI reports it.
  assert.match(
    r.stdout,
    /CONNECTION_REFUSED: Could not connect to localhost: Connection refused \(exit status 4\)$/m,
  );
});

test('runDemo in-process leaves no socket, server or timer behind', async () => {
  const baseline = activeResources();
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const io: CliIO = {
    stdin: new PassThrough(),
    stdout: out,
    stderr: out,
    onInterrupt: () => () => undefined,
  };
  assert.equal(await runDemo(io), 0, text);
  assert.match(text, /got it back in/);
  assert.deepEqual(await settleLeaks(baseline), {});
});

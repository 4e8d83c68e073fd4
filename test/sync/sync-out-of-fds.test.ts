// The blocking API when the process is out of file descriptors: the first …Sync call cannot
// start the engine thread. It must fail at once with TOO_MANY_OPEN_FILES (not block forever),
// and work once descriptors are free. Runs in a child process under a lowered `ulimit -n`, so
// the limit never touches the test runner.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { IOErrorEnum } from '../../src/index.js';
import { startPeer } from './peer.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/out-of-fds-child.ts', import.meta.url));
const BOUND_MS = 40_000;

function runLimited(port: number): Promise<{ code: number | null; stdout: string }> {
  // `ulimit -n` lowers this shell's limit (ignored if it cannot), then exec keeps the PID.
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      'ulimit -n 256 2>/dev/null; exec "$0" "$@"',
      process.execPath,
      '--import',
      'tsx',
      FIXTURE,
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish within ${BOUND_MS} ms (output: ${stdout})`));
    }, BOUND_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

describe('blocking API out of file descriptors', () => {
  it('the first call fails at once with TOO_MANY_OPEN_FILES; the next one, with fds free, connects', async () => {
    const peer = await startPeer({ kind: 'tcp' });
    try {
      const r = await runLimited(peer.port);
      assert.equal(r.code, 0, r.stdout);
      const report = JSON.parse(r.stdout) as {
        exhausted: boolean;
        outOfFds: { domain: string; code: number; message: string; ms: number };
        afterwards: { result?: string };
      };
      assert.equal(report.exhausted, true, 'the fixture ran out of descriptors');
      assert.deepEqual(
        { domain: report.outOfFds.domain, code: report.outOfFds.code, message: report.outOfFds.message },
        { domain: 'g-io-error-quark', code: IOErrorEnum.TOO_MANY_OPEN_FILES, message: 'Too many open files' },
      );
      assert.ok(report.outOfFds.ms < 1000, `promptly (${report.outOfFds.ms} ms)`);
      assert.deepEqual(report.afterwards, { result: 'connected' });
    } finally {
      await peer.stop();
    }
  });
});

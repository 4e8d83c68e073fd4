// The README's SSH recipe for real: OpenSSH's client runs `gsocketclient %h:%p` as its
// ProxyCommand against an sshd on 127.0.0.1, runs a command, and both ends close cleanly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { canStartSshSocks, startSshd } from '../helpers/daemons.js';
import { requireOrSkip } from '../helpers/env.js';
import { cleanEnv } from './spawn.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('SSH ProxyCommand through the CLI', { timeout: 60_000 }, () => {
  it('ssh -o ProxyCommand="gsocketclient %h:%p" runs a remote command', async (t) => {
    if (!requireOrSkip(t, canStartSshSocks(), 'needs root, sshd, ssh and ssh-keygen')) return;
    const server = await startSshd();
    try {
      // The CLI from source under the network guard, as the other CLI tests run it.
      const proxyCommand = `${process.execPath} --import tsx --import ./test/helpers/network-guard.ts src/cli/main.ts %h:%p`;
      const args = [
        '-F',
        '/dev/null',
        '-o',
        `ProxyCommand=${proxyCommand}`,
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'BatchMode=yes',
        '-o',
        'LogLevel=ERROR',
        '-i',
        server.clientKey,
        '-p',
        String(server.port),
        'root@127.0.0.1',
        'echo hello from sshd',
      ];
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile('ssh', args, { cwd: ROOT, env: cleanEnv(), timeout: 30_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      });
      assert.equal(result.code, 0, `${result.stderr}\n${server.output()}`);
      assert.equal(result.stdout, 'hello from sshd\n');
    } finally {
      await server.stop();
    }
  });
});

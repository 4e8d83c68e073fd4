// The README's SSH recipe for real: OpenSSH's client runs `gsocketclient %h:%p` as its
// ProxyCommand against an sshd on 127.0.0.1, runs a command, and both ends close cleanly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonPath, startDaemon } from '../helpers/daemons.js';
import { hasCommand, isRoot, requireOrSkip } from '../helpers/env.js';
import { cleanEnv } from './spawn.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('SSH ProxyCommand through the CLI', { timeout: 60_000 }, () => {
  it('ssh -o ProxyCommand="gsocketclient %h:%p" runs a remote command', async (t) => {
    const sshd = daemonPath('sshd');
    const ok = isRoot() && sshd !== null && hasCommand('ssh') && hasCommand('ssh-keygen');
    if (!requireOrSkip(t, ok, 'needs root, sshd, ssh and ssh-keygen')) return;
    const keys = mkdtempSync(join(tmpdir(), 'gsc-ssh-keys-'));
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
    const server = await (async () => {
      try {
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'host')]);
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'client')]);
        writeFileSync(join(keys, 'authorized_keys'), readFileSync(join(keys, 'client.pub')));
        return await startDaemon('sshd', (port, dir) => ({
          cmd: sshd as string,
          args: ['-D', '-e', '-f', join(dir, 'sshd_config')],
          files: {
            sshd_config: [
              `Port ${port}`,
              'ListenAddress 127.0.0.1',
              `HostKey ${join(keys, 'host')}`,
              `AuthorizedKeysFile ${join(keys, 'authorized_keys')}`,
              `PidFile ${join(dir, 'sshd.pid')}`,
              'PermitRootLogin prohibit-password',
              'PasswordAuthentication no',
              'KbdInteractiveAuthentication no',
              'UsePAM no',
              'StrictModes no',
              '',
            ].join('\n'),
          },
        }));
      } catch (err) {
        rmSync(keys, { recursive: true, force: true });
        throw err;
      }
    })();
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
        join(keys, 'client'),
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
      rmSync(keys, { recursive: true, force: true });
    }
  });
});

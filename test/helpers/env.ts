import { execFileSync, spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** True under CI, where nothing may be skipped. */
export const IN_CI = process.env.CI === 'true';

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Whether this process may add ip(6)tables rules (root plus a working iptables). */
export function canFirewall(): boolean {
  if (!isRoot() || !hasCommand('ip6tables') || !hasCommand('iptables')) return false;
  try {
    execFileSync('ip6tables', ['-L', 'INPUT', '-n'], { stdio: 'ignore' });
    execFileSync('iptables', ['-L', 'INPUT', '-n'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Gate for tests that need something this machine may lack (a daemon, root). Returns true when
 * the test can run. Otherwise it skips with the reason — except under CI=true, where a missing
 * requirement is a failure (CI must run everything).
 */
export function requireOrSkip(t: TestContext, ok: boolean, reason: string): boolean {
  if (ok) return true;
  if (IN_CI) throw new Error(`required in CI but unavailable: ${reason}`);
  t.skip(reason);
  return false;
}

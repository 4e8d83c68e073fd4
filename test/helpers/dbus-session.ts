import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCommand } from './env.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Whether GNOME's settings can be written and read here: gsettings, dconf and dbus-run-session. */
export function canRunGsettings(): boolean {
  return ['gsettings', 'dbus-run-session', 'dconf'].every(hasCommand);
}

/**
 * Runs the TypeScript file `script` (with tsx) inside `dbus-run-session`, with a throw-away HOME
 * and the dconf backend, so the user's own settings are never read or changed; resolves with its
 * stdout. `env` is added to the child's environment.
 */
export async function runInPrivateDbusSession(
  script: string,
  env: Readonly<Record<string, string>>,
): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'gsc-dbus-session-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(
        'dbus-run-session',
        ['--', process.execPath, '--import', 'tsx', script],
        {
          cwd: ROOT,
          timeout: 60_000,
          env: {
            ...process.env,
            HOME: home,
            XDG_CONFIG_HOME: join(home, 'config'),
            GSETTINGS_BACKEND: 'dconf',
            ...env,
          },
        },
        (error, out, err) => (error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`))),
      );
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

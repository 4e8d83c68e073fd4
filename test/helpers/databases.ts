// Real database servers for the client recipes: redis-server and PostgreSQL on 127.0.0.1, each in a
// fresh temp dir, stopped by PID (see daemons.ts). PostgreSQL refuses to run as root, so under root
// it runs as the `postgres` user the Debian package creates.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { daemonPath, startDaemon, type Daemon } from './daemons.js';
import { isRoot } from './env.js';

/** redis-server without persistence, on loopback. */
export function startRedis(): Promise<Daemon> {
  const bin = daemonPath('redis-server');
  if (!bin) throw new Error('redis-server is not installed');
  return startDaemon('redis', (port, dir) => ({
    cmd: bin,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
  }));
}

/** The directory of PostgreSQL's server binaries (Debian keeps them per major version), or null. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** A throw-away cluster (user `postgres`, trust authentication) listening on 127.0.0.1 only. */
export function startPostgres(): Promise<Daemon> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const user = postgresUser();
  return startDaemon('postgres', (port, dir) => {
    const data = join(dir, 'data');
    if (user) chownSync(dir, user.uid, user.gid);
    execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync'], {
      stdio: 'ignore',
      ...user,
    });
    return {
      cmd: join(bin, 'postgres'),
      args: ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F'],
      ...(user ? { user } : {}),
    };
  });
}

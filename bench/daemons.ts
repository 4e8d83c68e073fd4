import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A daemon this process started on loopback; `stop()` ends it by its PID and removes its files. */
export interface Daemon {
  readonly port: number;
  stop(): Promise<void>;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** A free TCP port on 127.0.0.1 (bound, then released for the daemon to take). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls until 127.0.0.1:port accepts a connection: at most 50 tries, 50 ms apart. */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`daemon exited with status ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`daemon did not listen on 127.0.0.1:${port}`);
}

/** SIGTERM by PID, then SIGKILL if it has not exited within 2 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

async function startDaemon(
  command: string,
  args: string[],
  port: number,
  dir: string | null,
): Promise<Daemon> {
  const child = spawn(command, args, { stdio: 'ignore' });
  child.on('error', () => undefined);
  const cleanup = async (): Promise<void> => {
    await stopChild(child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { port, stop: cleanup };
}

/** microsocks (SOCKS5) on 127.0.0.1, optionally requiring a username and password. */
export async function startMicrosocks(auth?: { user: string; password: string }): Promise<Daemon> {
  const port = await freePort();
  const args = ['-i', '127.0.0.1', '-p', String(port)];
  if (auth) args.push('-u', auth.user, '-P', auth.password);
  return startDaemon('microsocks', args, port, null);
}

/** tinyproxy (HTTP CONNECT) on 127.0.0.1, in the foreground (-d), config in a temp dir. */
export async function startTinyproxy(): Promise<Daemon> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gsc-bench-tinyproxy-'));
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      'MaxClients 200',
      'Allow 127.0.0.1',
      'LogLevel Critical',
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  return startDaemon('tinyproxy', ['-d', '-c', conf], port, dir);
}

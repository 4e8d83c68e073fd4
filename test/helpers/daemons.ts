// Real proxy daemons for the interop tests: microsocks (SOCKS5), dante's danted (SOCKS4 and 5; it
// has no SOCKS4a), OpenSSH's dynamic forwarding `ssh -D` (SOCKS4, 4a and 5) and tinyproxy (HTTP
// CONNECT). Each listens on 127.0.0.1 only, with its config in a fresh temp dir,
// and is stopped by its PID (SIGTERM, then SIGKILL) — never by name.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, isRoot } from './env.js';
import { unusedPort } from './servers.js';

export interface Daemon {
  readonly name: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  /** The tail of the daemon's stdout and stderr, for failure messages. */
  output(): string;
  /** SIGTERM by PID, SIGKILL if it lingers; removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** The path of a daemon binary (sbin directories included, they are not always on PATH), or null. */
export function daemonPath(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/usr/local/sbin', '/usr/local/bin']) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return hasCommand(name) ? name : null;
}

const READY_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 3000;
const START_ATTEMPTS = 3;

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

function probe(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port, autoSelectFamily: false });
    const timer = setTimeout(() => finish(false), 500);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => finish(true));
    s.once('error', () => finish(false));
  });
}

interface Launch {
  readonly cmd: string;
  readonly args: readonly string[];
  /** Files to write into the temp dir first (name → content). */
  readonly files?: Readonly<Record<string, string>>;
  /** Run as this user (daemons that refuse root, such as postgres). */
  readonly user?: { readonly uid: number; readonly gid: number };
}

export async function startDaemon(
  name: string,
  launch: (port: number, dir: string) => Launch,
): Promise<Daemon> {
  let lastOutput = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await unusedPort();
    const dir = mkdtempSync(join(tmpdir(), `gsc-${name}-`));
    const { cmd, args, files, user } = launch(port, dir);
    for (const [file, content] of Object.entries(files ?? {})) writeFileSync(join(dir, file), content);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...user });
    let out = '';
    const collect = (d: Buffer): void => {
      out = (out + d.toString()).slice(-16384);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (err) => collect(Buffer.from(`spawn error: ${err.message}\n`)));
    const stop = async (): Promise<void> => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, 'SIGTERM');
        if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
          process.kill(child.pid, 'SIGKILL');
          await waitExit(child, STOP_TIMEOUT_MS);
        }
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    };
    // Ready once the port accepts (bounded); a daemon that exits first (port taken) is retried.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let ready = false;
    while (!ready && Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      ready = await probe(port);
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    if (ready && child.pid !== undefined) {
      const pid = child.pid;
      return { name, host: '127.0.0.1', port, pid, output: () => out, stop };
    }
    lastOutput = out;
    await stop();
  }
  throw new Error(`${name} did not start on 127.0.0.1:\n${lastOutput}`);
}

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** microsocks: SOCKS5 only; with `auth`, username/password is required. */
export function startMicrosocks(opts: { auth?: Credentials } = {}): Promise<Daemon> {
  const bin = daemonPath('microsocks');
  if (!bin) throw new Error('microsocks is not installed');
  return startDaemon('microsocks', (port) => ({
    cmd: bin,
    args: [
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      ...(opts.auth ? ['-u', opts.auth.user, '-P', opts.auth.password] : []),
    ],
  }));
}

/**
 * danted: SOCKS4 and 5 without authentication (a SOCKS4a request, DSTIP 0.0.0.1, is taken for
 * that address and refused). Clients from loopback may connect only to
 * `allowTo` (default 127.0.0.1/32); anything else is refused by the ruleset before any traffic.
 */
export function startDanted(opts: { allowTo?: string } = {}): Promise<Daemon> {
  const bin = daemonPath('danted');
  if (!bin) throw new Error('danted is not installed');
  return startDaemon('danted', (port, dir) => ({
    cmd: bin,
    args: ['-f', join(dir, 'danted.conf'), '-N', '1'],
    files: {
      'danted.conf': [
        'logoutput: stderr',
        `internal: 127.0.0.1 port = ${port}`,
        'external: 127.0.0.1',
        'socksmethod: none',
        'clientmethod: none',
        ...(isRoot() ? ['user.privileged: root', 'user.unprivileged: nobody'] : []),
        'client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }',
        `socks pass {\n  from: 127.0.0.0/8 to: ${opts.allowTo ?? '127.0.0.1/32'}\n  command: connect\n  log: error\n}`,
        'socks block {\n  from: 0.0.0.0/0 to: 0.0.0.0/0\n  log: connect error\n}',
        '',
      ].join('\n'),
    },
  }));
}

/**
 * tinyproxy: HTTP CONNECT from 127.0.0.1 to the listed `connectPorts` only (others get 403);
 * with `auth`, Basic authentication is required.
 */
export function startTinyproxy(opts: {
  connectPorts: readonly number[];
  auth?: Credentials;
}): Promise<Daemon> {
  const bin = daemonPath('tinyproxy');
  if (!bin) throw new Error('tinyproxy is not installed');
  return startDaemon('tinyproxy', (port, dir) => ({
    cmd: bin,
    args: ['-d', '-c', join(dir, 'tinyproxy.conf')],
    files: {
      'tinyproxy.conf': [
        `Port ${port}`,
        'Listen 127.0.0.1',
        'Timeout 30',
        'Allow 127.0.0.1',
        'MaxClients 20',
        'DisableViaHeader Yes',
        'LogLevel Info',
        ...opts.connectPorts.map((p) => `ConnectPort ${p}`),
        ...(opts.auth ? [`BasicAuth ${opts.auth.user} ${opts.auth.password}`] : []),
        '',
      ].join('\n'),
    },
  }));
}

/** Whether the interop daemon `name` can be started here. */
export function hasDaemon(name: 'microsocks' | 'danted' | 'tinyproxy'): boolean {
  return daemonPath(name) !== null;
}

/** Whether {@link startSshd} and {@link startSshSocks} can run here: root (sshd's privilege separation), sshd, ssh. */
export function canStartSshSocks(): boolean {
  return isRoot() && daemonPath('sshd') !== null && hasCommand('ssh') && hasCommand('ssh-keygen');
}

/** An sshd on 127.0.0.1 that lets root in with `clientKey` only; stopping it removes the keys. */
export interface Sshd extends Daemon {
  /** The private key `ssh -i` logs in with. */
  readonly clientKey: string;
}

/** A throw-away sshd on 127.0.0.1: its own host key, one authorized client key, no passwords. */
export async function startSshd(): Promise<Sshd> {
  const sshd = daemonPath('sshd');
  if (sshd === null) throw new Error('sshd is not installed');
  const keys = mkdtempSync(join(tmpdir(), 'gsc-sshd-'));
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'host')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'client')]);
    writeFileSync(join(keys, 'authorized_keys'), readFileSync(join(keys, 'client.pub')));
    const server = await startDaemon('sshd', (port, dir) => ({
      cmd: sshd,
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
          'AllowTcpForwarding yes',
          '',
        ].join('\n'),
      },
    }));
    return {
      ...server,
      clientKey: join(keys, 'client'),
      stop: async () => {
        await server.stop();
        rmSync(keys, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(keys, { recursive: true, force: true });
    throw err;
  }
}

/**
 * OpenSSH as a SOCKS proxy: a {@link startSshd} server and `ssh -N -D 127.0.0.1:PORT` logged in
 * to it. The client side speaks SOCKS4, SOCKS4a and SOCKS5 (channels.c
 * channel_decode_socks4/5) and the sshd connects to the destination, resolving a name itself.
 * The returned Daemon is the `ssh -D` process; stopping it stops the sshd too.
 */
export async function startSshSocks(): Promise<Daemon> {
  const server = await startSshd();
  try {
    const sshdPort = server.port;
    const client = await startDaemon('ssh-socks', (port) => ({
      cmd: 'ssh',
      args: [
        '-F',
        '/dev/null',
        '-N',
        '-D',
        `127.0.0.1:${port}`,
        '-o',
        'ExitOnForwardFailure=yes',
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
        String(sshdPort),
        'root@127.0.0.1',
      ],
    }));
    const sshdDaemon = server;
    return {
      ...client,
      name: 'ssh -D',
      output: () => `${client.output()}\n--- sshd ---\n${sshdDaemon.output()}`,
      stop: async () => {
        await client.stop();
        await sshdDaemon.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { promises as dnsPromises } from 'node:dns';
import { DnsResolver, type DnsResolverOptions } from '../../src/resolver/dns-resolver.js';
import { isRoot } from './env.js';
import { RCODE_SERVFAIL, response, startFakeDns, type FakeDnsServer } from './fake-dns.js';

/**
 * A real dnsmasq on 127.0.0.1:<free port> answering only from the records a test gives it, so
 * resolver and SRV tests never touch the system DNS. Stopped by PID (`stop()`), always in `finally`.
 *
 *   const dns = await startDnsmasq({ srv: [...], hosts: [...] });
 *   try { ... dns.resolver ... } finally { await dns.stop(); }
 */

export const DNSMASQ_PATH = '/usr/sbin/dnsmasq';

/** For `requireOrSkip(t, dnsmasqAvailable(), 'dnsmasq not installed')`. */
export function dnsmasqAvailable(): boolean {
  return existsSync(DNSMASQ_PATH);
}

/** One SRV record (`--srv-host`). */
export interface SrvRecordSpec {
  /** The full owner name, e.g. `_http._tcp.svc.test`. */
  readonly name: string;
  /** Target host name. Omitted or `"."`: the RFC 2782 "service decidedly not available" record. */
  readonly target?: string;
  readonly port?: number;
  readonly priority?: number;
  readonly weight?: number;
}

/** A name with A and/or AAAA records (`--host-record`). */
export interface HostRecordSpec {
  readonly name: string;
  readonly ipv4?: string;
  readonly ipv6?: string;
}

export interface DnsmasqOptions {
  readonly srv?: readonly SrvRecordSpec[];
  readonly hosts?: readonly HostRecordSpec[];
  /** `--address=/name/ip`: the name *and all its subdomains* answer with this address. */
  readonly addresses?: readonly { readonly name: string; readonly ip: string }[];
  /** Names (with their subdomains) answering NXDOMAIN for every type. */
  readonly nxdomain?: readonly string[];
  /** Names (with subdomains) forwarded to a server that answers SERVFAIL, which dnsmasq passes on. */
  readonly servfail?: readonly string[];
  /** Names (with subdomains) forwarded to a server that never answers: the client times out. */
  readonly silent?: readonly string[];
  /**
   * Zones answered from local data only: unknown names get NXDOMAIN, known names asked for a type
   * they lack get NODATA (so "a name with no SRV record" is any name here without `srv`).
   * Default `['test']`. Names outside these zones get REFUSED (dnsmasq has no upstream).
   */
  readonly localZones?: readonly string[];
  /** Passed to the DnsResolver in `resolver` (e.g. a short `timeout` for `silent` names). */
  readonly resolverOptions?: Omit<DnsResolverOptions, 'servers'>;
  /** Log queries (see `log()`). */
  readonly logQueries?: boolean;
  readonly extraArgs?: readonly string[];
}

export interface Dnsmasq {
  /** `['127.0.0.1:<port>']`, as DnsResolver's `servers` takes it. */
  readonly servers: readonly string[];
  readonly port: number;
  readonly pid: number;
  /** A DnsResolver asking only this dnsmasq. */
  readonly resolver: DnsResolver;
  /** dnsmasq's stderr so far (startup, and queries with `logQueries`). */
  log(): string;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_NAME = 'dnsmasq-ready.helper.invalid';
const STARTUP_MS = 5000;
const STOP_MS = 3000;
const START_TRIES = 3;

export async function startDnsmasq(opts: DnsmasqOptions = {}): Promise<Dnsmasq> {
  const fakes: FakeDnsServer[] = [];
  try {
    const forwards: string[] = [];
    if (opts.servfail?.length) {
      const fake = await startFakeDns((q) => response(q, { rcode: RCODE_SERVFAIL }));
      fakes.push(fake);
      for (const name of opts.servfail) forwards.push(`--server=/${name}/127.0.0.1#${fake.port}`);
    }
    if (opts.silent?.length) {
      const fake = await startFakeDns(() => null);
      fakes.push(fake);
      for (const name of opts.silent) forwards.push(`--server=/${name}/127.0.0.1#${fake.port}`);
    }
    const records = [...recordArgs(opts), ...forwards, ...(opts.extraArgs ?? [])];
    let lastError: unknown = null;
    // A free port can be taken between probing and dnsmasq's bind(): retry a few times.
    for (let attempt = 0; attempt < START_TRIES; attempt++) {
      const port = await freeUdpTcpPort();
      try {
        return await launch(port, records, opts, fakes);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('dnsmasq did not start');
  } catch (err) {
    await Promise.all(fakes.map((f) => f.close()));
    throw err;
  }
}

function recordArgs(opts: DnsmasqOptions): string[] {
  const args: string[] = [];
  for (const zone of opts.localZones ?? ['test']) args.push(`--local=/${zone}/`);
  for (const s of opts.srv ?? []) {
    if (s.target === undefined || s.target === '.') {
      // dnsmasq answers a target-less --srv-host with the "." target (RFC 2782 "not available").
      args.push(`--srv-host=${s.name}`);
    } else {
      args.push(`--srv-host=${s.name},${s.target},${s.port ?? 0},${s.priority ?? 0},${s.weight ?? 0}`);
    }
  }
  for (const h of opts.hosts ?? []) {
    const ips = [h.ipv4, h.ipv6].filter((ip): ip is string => typeof ip === 'string');
    if (ips.length === 0) throw new Error(`host record ${h.name} needs ipv4 and/or ipv6`);
    args.push(`--host-record=${h.name},${ips.join(',')}`);
  }
  for (const a of opts.addresses ?? []) args.push(`--address=/${a.name}/${a.ip}`);
  for (const n of opts.nxdomain ?? []) args.push(`--address=/${n}/`);
  return args;
}

async function launch(
  port: number,
  records: readonly string[],
  opts: DnsmasqOptions,
  fakes: readonly FakeDnsServer[],
): Promise<Dnsmasq> {
  const args = [
    '--no-daemon',
    '--no-resolv',
    '--no-hosts',
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--conf-file=/dev/null',
    // Answers must never be cached across a test's reconfiguration (each test starts its own anyway).
    '--cache-size=0',
    `--host-record=${READY_NAME},127.0.0.1`,
    ...(isRoot() ? ['--user=root'] : []),
    ...(opts.logQueries ? ['--log-queries'] : []),
    ...records,
  ];
  const child = spawn(DNSMASQ_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 1_000_000) stderr += chunk;
  });
  let spawnError: Error | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    // A failed spawn (no binary) may never emit 'close'.
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
  });
  const server = `127.0.0.1:${port}`;
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await killAndWait(child, exited);
      await Promise.all(fakes.map((f) => f.close()));
    })();
    return stopped;
  };
  try {
    await waitUntilAnswering(server, child, () => spawnError);
  } catch (err) {
    await killAndWait(child, exited);
    throw new Error(`dnsmasq did not start on ${server}: ${(err as Error).message}\n${stderr}`, {
      cause: err,
    });
  }
  return {
    servers: [server],
    port,
    pid: child.pid!,
    resolver: new DnsResolver({ servers: [server], ...opts.resolverOptions }),
    log: () => stderr,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Polls (bounded) until dnsmasq answers the sentinel name, or fails if it exited. */
async function waitUntilAnswering(
  server: string,
  child: ChildProcess,
  spawnError: () => Error | null,
): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  for (let i = 0; i < 200; i++) {
    const failed = spawnError();
    if (failed) throw failed;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode})`);
    const r = new dnsPromises.Resolver({ timeout: 200, tries: 1 });
    r.setServers([server]);
    try {
      const answer = await r.resolve4(READY_NAME);
      if (answer.includes('127.0.0.1')) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no answer within the startup bound');
}

/** SIGTERM by PID, then SIGKILL if it lingers; resolves once the process and its pipes closed. */
async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_MS)));
  try {
    if ((await Promise.race([exited, late])) === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A port free on 127.0.0.1 for both UDP and TCP (dnsmasq binds both). */
async function freeUdpTcpPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(0, '127.0.0.1', () => resolve());
      });
      const port = udp.address().port;
      const tcp = createServer();
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) await new Promise<void>((resolve) => tcp.close(() => resolve()));
      if (ok) return port;
    } finally {
      await new Promise<void>((resolve) => {
        try {
          udp.close(() => resolve());
        } catch {
          resolve(); // never bound
        }
      });
    }
  }
  throw new Error('no port free for both UDP and TCP on 127.0.0.1');
}

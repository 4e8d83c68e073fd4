import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Hard bound for one CLI run; a hung CLI is killed (by its PID) and the test fails. */
const DEFAULT_TIMEOUT_MS = 15_000;

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the run hit the time bound and was killed. */
  readonly killed: boolean;
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves once `text` appears on stderr (or the run ends; bounded by its timeout). */
  waitForStderr(text: string): Promise<void>;
  /** Resolves once `text` appears on stdout (or the run ends). */
  waitForStdout(text: string): Promise<void>;
  readonly done: Promise<CliResult>;
}

/**
 * The environment for the CLI: no proxy variables (a test that wants one adds it), so nothing is
 * ever sent to a proxy from the developer's environment.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // No desktop either: a GNOME or KDE session's proxy settings would change the default resolver.
  for (const [k, v] of Object.entries(process.env)) {
    if (!/_proxy$/i.test(k) && k !== 'XDG_CURRENT_DESKTOP') env[k] = v;
  }
  return { ...env, ...extra };
}

/**
 * Starts `node --import tsx src/cli/main.ts …args` (no build needed). `stdin`: a string is
 * written and closed; the string `'open'` leaves stdin open (the test ends it); default: closed.
 */
export function startCli(
  args: readonly string[],
  opts: {
    stdin?: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    /** Close our end of the CLI's stdout once this many bytes arrived (`| head -c N`). */
    closeStdoutAfter?: number;
  } = {},
): CliRun {
  // The network guard refuses (and reports) any lookup through the system DNS, as in the runner.
  const node = ['--import', 'tsx', '--import', './test/helpers/network-guard.ts'];
  const child = spawn(process.execPath, [...node, 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: opts.env ?? cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killed = false;
  type Waiter = { readonly on: 'stdout' | 'stderr'; readonly text: string; readonly resolve: () => void };
  const waiters: Waiter[] = [];
  const text = (on: 'stdout' | 'stderr'): string => (on === 'stdout' ? stdout : stderr);
  const wake = (): void => {
    for (const w of waiters.splice(0)) {
      if (text(w.on).includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (opts.closeStdoutAfter !== undefined && stdout.length >= opts.closeStdoutAfter) {
      stdout = stdout.slice(0, opts.closeStdoutAfter);
      child.stdout.destroy();
    }
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    wake();
  });
  const waitFor =
    (on: 'stdout' | 'stderr') =>
    (wanted: string): Promise<void> =>
      text(on).includes(wanted) || child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ on, text: wanted, resolve }));
  child.stdin.on('error', () => undefined);
  if (opts.stdin === undefined) child.stdin.end();
  else if (opts.stdin !== 'open') child.stdin.end(opts.stdin);

  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      for (const w of waiters.splice(0)) w.resolve();
      resolve({ status, signal, stdout, stderr, killed });
    });
  });
  return {
    child,
    done,
    waitForStderr: waitFor('stderr'),
    waitForStdout: waitFor('stdout'),
  };
}

export function runCli(
  args: readonly string[],
  opts: Parameters<typeof startCli>[1] = {},
): Promise<CliResult> {
  return startCli(args, opts).done;
}

/** The NDJSON records of a `--json` run (throws if any line is not JSON). */
export function ndjson(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// `openssl s_server` as a real, independent TLS peer for the interop tests: started on a loopback
// port, ready once it prints ACCEPT, stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { unusedPort } from '../helpers/servers.js';

export interface OpensslServer {
  readonly port: number;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Runs `openssl s_server -accept 127.0.0.1:PORT <args>`. stdin stays an open pipe (s_server would
 * treat its end as "quit"). Rejects if it exits or is not ready in time; the process is then gone.
 */
export async function startOpensslServer(args: readonly string[]): Promise<OpensslServer> {
  // A free port can be taken between the probe and s_server's bind; try a few (bounded).
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await unusedPort('127.0.0.1');
    try {
      return await startOn(port, args);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOn(port: number, args: readonly string[]): Promise<OpensslServer> {
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = (): Promise<void> => stopChild(child, exited);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`s_server not ready in ${READY_TIMEOUT_MS} ms:\n${out}`)),
        READY_TIMEOUT_MS,
      );
      const onData = (): void => {
        if (out.includes('ACCEPT')) finish(null);
      };
      const onExit = (): void => finish(new Error(`s_server exited:\n${out}`));
      function finish(err: Error | null): void {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      }
      child.stdout.on('data', onData);
      child.once('exit', onExit);
      onData();
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, output: () => out, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      exited,
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    await exited;
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What fixtures/peer.mjs takes. */
export interface PeerSpec {
  readonly kind: 'tcp' | 'tls' | 'udp' | 'unix';
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly mode?: 'echo' | 'hold' | 'reset-on-data' | 'send-close' | 'silent';
  readonly payload?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly alpn?: readonly string[];
}

export interface Peer {
  readonly port: number;
  stop(): Promise<void>;
}

const PEER = fileURLToPath(new URL('./fixtures/peer.mjs', import.meta.url));
const START_MS = 10_000;

/**
 * A server in a child process (the blocking API blocks this thread, so a server here could not
 * answer). Stopped by closing its stdin, then by PID if it lingers; always call stop() in finally.
 */
export async function startPeer(spec: PeerSpec): Promise<Peer> {
  const child = spawn(
    process.execPath,
    [PEER, JSON.stringify({ host: '127.0.0.1', mode: 'echo', ...spec })],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    child.stdin.end();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 3000)));
    try {
      if ((await Promise.race([exited, late])) === 'late') {
        child.kill('SIGKILL');
        await exited;
      }
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('peer did not start')), START_MS);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const nl = out.indexOf('\n');
        if (nl < 0) return;
        clearTimeout(timer);
        resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`peer exited (${code})`));
      });
    });
    return { port, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

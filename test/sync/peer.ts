import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What fixtures/peer.mjs takes. */
export interface PeerSpec {
  readonly kind: 'tcp' | 'tls' | 'udp' | 'unix';
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly mode?:
    | 'echo'
    | 'hold'
    | 'reset-on-data'
    /** Closes (FIN, no reset) at the first byte it reads. */
    | 'close-on-data'
    | 'send-close'
    | 'silent'
    /** Shuts down (FIN) as soon as it accepted. */
    | 'close-at-once'
    /** Answers the first bytes with `payload` (may be empty) and shuts down. */
    | 'close-after-first-data'
    /** Sends `payload`, shuts down its writing side, reads to our FIN, then reports it (message). */
    | 'half-close'
    /** Reads until our FIN, then answers `got N bytes` and closes (a peer waiting for EOF). */
    | 'reply-on-eof'
    /** Reads until our FIN, then reports `{ received, sha256 }` of all it read (message). */
    | 'digest'
    /**
     * At the first byte it reads, sends `bytes` random bytes as fast as they are taken, then FIN;
     * reports `{ sent, sha256 }`, and `{ stalled }` (bytes sent) when held back for `stallMs`.
     */
    | 'source'
    /** Plays `steps`, then reports `{ sent, sha256 }` of what it sent. */
    | 'script';
  readonly payload?: string;
  readonly bytes?: number;
  readonly stallMs?: number;
  readonly steps?: readonly ScriptStep[];
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly alpn?: readonly string[];
}

/** One step of a 'script' peer. */
export type ScriptStep =
  | { readonly send: string }
  | { readonly sendRandom: number }
  | { readonly wait: number }
  | { readonly end: true }
  | { readonly reset: true };

export interface Peer {
  readonly port: number;
  /** The next line the peer reported after its port (e.g. what a half-close peer received). */
  nextMessage(): Promise<Record<string, unknown>>;
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
  // Every stdout line is a JSON message: first the port, then what the mode reports.
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      lines.push(out.slice(0, nl));
      out = out.slice(nl + 1);
    }
    wake?.();
  });
  const nextLine = async (boundMs: number): Promise<string> => {
    const deadline = Date.now() + boundMs;
    while (lines.length === 0) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('peer reported nothing');
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, 100);
      });
      clearTimeout(timer);
      wake = null;
    }
    return lines.shift() as string;
  };
  try {
    const port = (JSON.parse(await nextLine(START_MS)) as { port: number }).port;
    const nextMessage = async (): Promise<Record<string, unknown>> =>
      JSON.parse(await nextLine(START_MS)) as Record<string, unknown>;
    return { port, nextMessage, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

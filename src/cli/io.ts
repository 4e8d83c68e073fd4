import type { Readable, Writable } from 'node:stream';

/** The process surface the CLI uses, passed in so the commands never touch `process` directly. */
export interface CliIO {
  /** Read lazily: `--sync` reads file descriptor 0 itself and must not have it made a stream. */
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Runs `handler` on the first interrupt (Ctrl-C); returns a function that removes it. */
  onInterrupt(handler: () => void): () => void;
  /**
   * Sends process warnings to `handler` instead of Node's default stderr line (so `--json` keeps
   * stderr all JSON); returns a function that restores the default. Absent: warnings print as usual.
   */
  captureWarnings?(handler: (warning: Error) => void): () => void;
}

/** The real process, plus `release()` to let go of stdin so the process can exit. */
export interface ProcessIO extends CliIO {
  release(): void;
}

/** The real process: SIGINT cancels; a second Ctrl-C, once the handler is gone, kills as usual. */
export function processIO(): ProcessIO {
  // Touching process.stdin makes it a stream (and a pipe non-blocking): only on first use.
  let stdin: Readable | null = null;
  // Whoever writes stdout listens for its errors while writing (the relay ends quietly on EPIPE);
  // an EPIPE that surfaces after that must not become an uncaught exception.
  process.stdout.on('error', () => undefined);
  return {
    get stdin(): Readable {
      stdin ??= process.stdin;
      return stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    onInterrupt(handler) {
      const listener = (): void => {
        process.off('SIGINT', listener);
        handler();
      };
      process.on('SIGINT', listener);
      return () => process.off('SIGINT', listener);
    },
    captureWarnings(handler) {
      // Node prints warnings from a 'warning' listener of its own: set it aside meanwhile.
      const defaults = process.listeners('warning');
      for (const listener of defaults) process.off('warning', listener);
      process.on('warning', handler);
      return () => {
        process.off('warning', handler);
        for (const listener of defaults) process.on('warning', listener);
      };
    },
    // stdin may still be open (a terminal, or a peer that closed first): destroy it so the
    // process exits on its own.
    release() {
      stdin?.destroy();
    },
  };
}

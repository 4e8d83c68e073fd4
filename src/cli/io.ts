import type { Readable, Writable } from 'node:stream';

/** The process surface the CLI uses, passed in so the commands never touch `process` directly. */
export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Runs `handler` on the first interrupt (Ctrl-C); returns a function that removes it. */
  onInterrupt(handler: () => void): () => void;
}

/** The real process: SIGINT cancels; a second Ctrl-C, once the handler is gone, kills as usual. */
export function processIO(): CliIO {
  return {
    stdin: process.stdin,
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
  };
}

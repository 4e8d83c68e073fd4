import type { Duplex, Readable, Writable } from 'node:stream';
import type { Cancellable } from '../index.js';
import { toGError } from '../errors/errno.js';
import type { RelayStats } from './reporter.js';

/** With --udp and no --timeout: how long replies are awaited after stdin EOF. */
export const DATAGRAM_LINGER_MS = 1000;

export interface RelayOptions {
  /**
   * Set for a datagram connection: UDP has no end-of-stream, so after EOF on `input` the relay
   * keeps delivering replies until none arrived for this many milliseconds, then closes.
   */
  readonly datagramLingerMs?: number;
}

/**
 * netcat's job: bytes from `input` go to the connection, bytes from the connection go to `output`.
 *
 * Half-close: EOF on `input` ends only the write side of the connection (TCP FIN), and reading
 * goes on until the peer closes — so `echo hi | gsocketclient host:port` prints the reply. When the
 * peer closes first, the relay ends at once without waiting for `input` (it may be a terminal).
 *
 * Resolves when the connection has closed, or quietly when `output`'s reader went away (EPIPE);
 * rejects with a GError when the connection fails, when `output` fails otherwise, or when
 * `cancellable` is cancelled (the connection is then destroyed). Every listener and timer is gone
 * before it settles; `output` is never ended (it is the process's stdout).
 */
export function relay(
  stream: Duplex,
  input: Readable,
  output: Writable,
  cancellable: Cancellable,
  options: RelayOptions = {},
): Promise<RelayStats> {
  let sent = 0;
  let received = 0;
  let linger: NodeJS.Timeout | null = null;
  const cleanups: (() => void)[] = [];
  const on = <A extends unknown[]>(
    emitter: NodeJS.EventEmitter,
    name: string,
    fn: (...args: A) => void,
  ): void => {
    const listener = fn as (...args: unknown[]) => void;
    emitter.on(name, listener);
    cleanups.push(() => emitter.off(name, listener));
  };
  const endWriteSide = (): void => {
    if (!stream.writableEnded && !stream.destroyed) stream.end();
  };
  /** Datagram mode after input EOF: (re)start the quiet period that ends the session. */
  const armLinger = (): void => {
    if (linger) clearTimeout(linger);
    linger = setTimeout(endWriteSide, options.datagramLingerMs);
  };

  return new Promise<RelayStats>((resolve, reject) => {
    let settled = false;
    let inputEnded = false;
    const settle = (error: unknown): void => {
      if (settled) return;
      settled = true;
      if (linger) clearTimeout(linger);
      for (const cleanup of cleanups.splice(0)) cleanup();
      input.pause();
      if (error === null) {
        resolve({ sent, received });
        return;
      }
      stream.destroy();
      reject(toGError(error));
    };

    // Connection → output, pausing the connection while output is full.
    on(stream, 'data', (chunk: Buffer) => {
      if (output.destroyed) return;
      received += chunk.length;
      if (inputEnded && options.datagramLingerMs !== undefined) armLinger();
      if (!output.write(chunk)) stream.pause();
    });
    on(output, 'drain', () => stream.resume());
    // The peer closed its side: stop reading input and end ours, so the connection closes (the
    // socket is half-open, as in GIO, and would otherwise wait for our FIN).
    on(stream, 'end', () => {
      input.unpipe();
      input.pause();
      endWriteSide();
    });
    on(stream, 'error', (err: Error) => settle(err));
    on(stream, 'close', () => settle(null));
    // A reader that went away (`| head -c5`) ends the relay quietly, as in netcat and socat: the
    // connection did nothing wrong.
    on(output, 'error', (err: Error) => settle(isReaderGone(err) ? null : err));

    // Input → connection, pausing input while the connection's buffer is full.
    on(input, 'data', (chunk: Buffer) => {
      if (stream.writableEnded || stream.destroyed) return;
      sent += chunk.length;
      if (!stream.write(chunk)) input.pause();
    });
    on(stream, 'drain', () => {
      if (!stream.readableEnded && !inputEnded) input.resume();
    });
    on(input, 'end', () => {
      inputEnded = true;
      if (options.datagramLingerMs !== undefined) armLinger();
      else endWriteSide();
    });
    on(input, 'error', (err: Error) => settle(err));

    const id = cancellable.connect(() => settle(cancellable.error()));
    cleanups.push(() => cancellable.disconnect(id));
    if (!settled) input.resume();
  });
}

/** EPIPE on a pipe or socket `output`: nobody reads it any more. */
export function isReaderGone(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

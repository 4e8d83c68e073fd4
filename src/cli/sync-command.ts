import { readSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import {
  GError,
  IOErrorEnum,
  SocketType,
  type SocketConnectable,
  type SyncSocketConnection,
} from '../index.js';
import { toGError } from '../errors/errno.js';
import { printTimings } from './timings-output.js';
import type { ConnectCommand } from './args.js';
import { createClient, parseTarget } from './client-factory.js';
import { DATAGRAM_LINGER_MS, isReaderGone } from './relay.js';
import { ExitStatus, reportFailure } from './exit-status.js';
import type { Reporter, RelayStats } from './reporter.js';

/** Bytes per blocking read, from stdin and from the connection. */
const CHUNK = 64 * 1024;
/** Sleep between retries when fd 0/1 is non-blocking and not ready (EAGAIN). */
const EAGAIN_SLEEP_MS = 5;

/**
 * `--sync`: the same command on the blocking API. The connect blocks this thread (its events
 * still reach the reporter, in order), then the relay runs on blocking calls too.
 *
 * One thread cannot wait on stdin and the socket at once, so the relay is sequential: all of stdin
 * is sent, the write side is shut down (FIN, so a peer waiting for EOF answers), then the
 * connection is copied to stdout until the peer closes (an idle `--timeout` ends it with
 * TIMED_OUT); a closed stdout ends it quietly. With --udp, replies are read until none came for
 * the linger time. While a call blocks no JavaScript runs, so Ctrl-C cannot cancel
 * anything: it ends the process as usual (no exit status 8 in this mode).
 */
export function runConnectSync(cmd: ConnectCommand, reporter: Reporter, stderr: Writable): number {
  let connection: SyncSocketConnection | null = null;
  let connectable: SocketConnectable | null = null;
  try {
    connectable = parseTarget(cmd);
    const client = createClient(cmd);
    client.on('event', (event, source, conn) => reporter.event(event, source, conn));
    connection = client.connectSync(connectable);
    // No JavaScript runs while the call blocks: failed attempts are shown once it returns.
    for (const attempt of connection.timings?.attempts ?? []) reporter.attempt(attempt, connectable);
    reporter.connected(connection);
    printTimings(cmd, stderr, connection);
    if (!cmd.zeroIo) reporter.closed(relaySync(connection, cmd));
    return ExitStatus.OK;
  } catch (err) {
    if (connection === null && connectable !== null) {
      const attempts = err instanceof GError ? (err.attempts ?? []) : [];
      for (const attempt of attempts) reporter.attempt(attempt, connectable);
      printTimings(cmd, stderr, { error: err });
    }
    return reportFailure(reporter, err);
  } finally {
    try {
      connection?.close();
    } catch {
      // Already failed; the error that matters was reported.
    }
  }
}

function relaySync(connection: SyncSocketConnection, cmd: ConnectCommand): RelayStats {
  let sent = 0;
  let received = 0;
  const buffer = Buffer.alloc(CHUNK);
  // stdin → connection, until EOF.
  for (;;) {
    const n = retryEagain(() => readSync(0, buffer, 0, CHUNK, null));
    if (n === 0) break;
    sent += connection.write(buffer.subarray(0, n));
  }
  const datagram = cmd.type === SocketType.DATAGRAM;
  // UDP has no end-of-stream: wait for replies only until none came for the linger time.
  if (datagram) connection.timeout = cmd.timeout > 0 ? cmd.timeout : DATAGRAM_LINGER_MS / 1000;
  else connection.shutdownWrite();
  // connection → stdout, until the peer closes.
  for (;;) {
    let data: Buffer;
    try {
      data = connection.read(CHUNK);
    } catch (err) {
      if (datagram && isTimedOut(toGError(err))) break;
      throw err;
    }
    if (data.length === 0 && !datagram) break;
    received += data.length;
    if (!writeAll(data)) break;
  }
  return { sent, received };
}

function isTimedOut(error: GError): boolean {
  return error.code === IOErrorEnum.TIMED_OUT && error.domain === 'g-io-error-quark';
}

/**
 * Writes all of `data` to fd 1, waiting out EAGAIN on a non-blocking pipe. False when stdout's
 * reader went away (EPIPE): the relay then ends quietly, as netcat's does.
 */
function writeAll(data: Buffer): boolean {
  let offset = 0;
  try {
    while (offset < data.length) {
      offset += retryEagain(() => writeSync(1, data, offset, data.length - offset));
    }
  } catch (err) {
    if (isReaderGone(err)) return false;
    throw err;
  }
  return true;
}

/**
 * Runs a blocking fs call, sleeping briefly while it reports EAGAIN (stdin/stdout inherited in
 * non-blocking mode). Ends when the call succeeds or fails otherwise; EOF ends the caller's loop.
 */
function retryEagain(call: () => number): number {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return call();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, EAGAIN_SLEEP_MS);
    }
  }
}

import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { CONNECTION_CLOSED, Cancellable, IOError, IOErrorEnum, SocketClient } from '../index.js';
import { toGError } from '../errors/errno.js';
import { timedOutError } from '../errors/gerror.js';
import { startEchoServer, type EchoServer } from './demo-server.js';
import { ExitStatus, describeError, exitStatusFor } from './exit-status.js';
import type { CliIO } from './io.js';
import { TextReporter } from './reporter.js';

const MESSAGE = 'hello from gsocketclient';
/** Bounds every wait of the demo; loopback answers in well under a millisecond. */
const DEMO_TIMEOUT_MS = 5000;

/**
 * `gsocketclient demo` (`npm start`): an echo server on loopback, a connection to
 * `localhost:<port>` through the library with its timeline, one round trip, then — with the
 * server gone — the same connect again to show how a failure reads. Needs no network, leaves
 * nothing running, exits 0 when the round trip worked.
 */
export async function runDemo(io: CliIO): Promise<number> {
  const out = (line: string): boolean => io.stdout.write(`${line}\n`);
  const cancellable = new Cancellable();
  const removeInterrupt = io.onInterrupt(() => cancellable.cancel());
  // Proxies off: the demo must not depend on this machine's proxy environment.
  const client = new SocketClient({ enableProxy: false, timeout: DEMO_TIMEOUT_MS / 1000 });
  // A new reporter per connect, so each timeline starts at +0ms.
  let reporter = new TextReporter(io.stdout);
  client.on('event', (event, connectable, connection) => reporter.event(event, connectable, connection));
  let server: EchoServer | null = null;
  try {
    server = await startEchoServer();
    const target = `localhost:${server.port}`;
    out(`echo server listening on ${server.hosts.join(' and ')}, port ${server.port}`);
    out(`connecting to ${target}:`);
    reporter = new TextReporter(io.stdout);
    const connection = await client.connectToHost(target, 0, { cancellable });
    try {
      reporter.connected(connection);
      const ms = await roundTrip(connection.stream, Buffer.from(MESSAGE), cancellable);
      out(`sent '${MESSAGE}', got it back in ${ms.toFixed(3)} ms`);
    } finally {
      await connection.close();
    }

    await server.close();
    server = null;
    out(`\nthe server is closed now; connecting to ${target} again:`);
    reporter = new TextReporter(io.stdout);
    try {
      (await client.connectToHost(target, 0, { cancellable })).destroy();
      out('unexpectedly connected (another program took the port)');
    } catch (err) {
      const error = toGError(err);
      if (error.code === IOErrorEnum.CANCELLED) throw error;
      out(`gsocketclient: ${describeError(error)} (exit status ${exitStatusFor(error)})`);
    }
    return ExitStatus.OK;
  } catch (err) {
    const error = toGError(err);
    io.stderr.write(`gsocketclient: ${describeError(error)}\n`);
    return exitStatusFor(error);
  } finally {
    removeInterrupt();
    await server?.close();
  }
}

/** Writes `message` and resolves with the milliseconds until the same bytes came back. */
function roundTrip(stream: Duplex, message: Buffer, cancellable: Cancellable): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let cancelId = 0;
    let start = 0;
    const finish = (error: Error | null, ms = 0): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', finish);
      cancellable.disconnect(cancelId);
      clearTimeout(timer);
      stream.pause();
      if (error) reject(toGError(error));
      else resolve(ms);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < message.length) return;
      const ms = performance.now() - start;
      const echoed = Buffer.concat(chunks);
      finish(echoed.equals(message) ? null : new IOError(IOErrorEnum.INVALID_DATA, 'The echo differs'), ms);
    };
    const onEnd = (): void => finish(new IOError(CONNECTION_CLOSED, 'Connection closed before the echo'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', finish);
    const timer = setTimeout(() => finish(timedOutError()), DEMO_TIMEOUT_MS);
    cancelId = cancellable.connect(() => finish(cancellable.error()));
    if (cancellable.isCancelled()) return;
    start = performance.now();
    stream.write(message);
  });
}

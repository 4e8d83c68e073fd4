import { Cancellable, SocketType, type SocketConnection } from '../index.js';
import type { ConnectCommand } from './args.js';
import { createClient, parseTarget } from './client-factory.js';
import { ExitStatus, reportFailure } from './exit-status.js';
import type { CliIO } from './io.js';
import { DATAGRAM_LINGER_MS, relay } from './relay.js';
import { runConnectSync } from './sync-command.js';
import { runExplainProxy } from './explain-proxy.js';
import { printTimings } from './timings-output.js';
import { JsonReporter, QuietReporter, TextReporter, type Reporter } from './reporter.js';

/**
 * `gsocketclient [options] TARGET`: connect with the library, report the timeline, then relay
 * (or with -z just close). Every failure — parse, connect, relay — ends as one GError, reported
 * once, mapped to an exit status. Ctrl-C cancels the operation's Cancellable.
 */
export async function runConnect(cmd: ConnectCommand, io: CliIO): Promise<number> {
  if (cmd.explainProxy) return runExplainProxy(cmd, io);
  const reporter: Reporter = cmd.json
    ? new JsonReporter(io.stderr)
    : cmd.verbose
      ? new TextReporter(io.stderr)
      : new QuietReporter(io.stderr);
  const restoreWarnings =
    cmd.json && io.captureWarnings ? io.captureWarnings((w) => reporter.warning(w)) : null;
  try {
    return cmd.sync ? runConnectSync(cmd, reporter, io.stderr) : await runConnectAsync(cmd, io, reporter);
  } finally {
    // process.emitWarning delivers on a later tick (after a blocking --sync call returns, too).
    if (restoreWarnings) await new Promise((resolve) => setImmediate(resolve));
    restoreWarnings?.();
  }
}

async function runConnectAsync(cmd: ConnectCommand, io: CliIO, reporter: Reporter): Promise<number> {
  const cancellable = new Cancellable();
  const removeInterrupt = io.onInterrupt(() => cancellable.cancel());
  let connection: SocketConnection | null = null;
  try {
    const connectable = parseTarget(cmd);
    const client = createClient(cmd);
    client.on('event', (event, source, conn) => reporter.event(event, source, conn));
    connection = await client.connect(connectable, {
      cancellable,
      onAttemptEnd: (attempt) => reporter.attempt(attempt, connectable),
    });
    reporter.connected(connection);
    printTimings(cmd, io.stderr, connection);
    if (!cmd.zeroIo) {
      const options =
        cmd.type === SocketType.DATAGRAM
          ? { datagramLingerMs: cmd.timeout > 0 ? cmd.timeout * 1000 : DATAGRAM_LINGER_MS }
          : {};
      reporter.closed(await relay(connection.stream, io.stdin, io.stdout, cancellable, options));
    }
    return ExitStatus.OK;
  } catch (err) {
    if (connection === null) printTimings(cmd, io.stderr, { error: err });
    return reportFailure(reporter, err);
  } finally {
    removeInterrupt();
    await connection?.close();
  }
}

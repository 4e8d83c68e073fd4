import { parseCommandLine, UsageError } from './args.js';
import { runConnect } from './connect-command.js';
import { runDemo } from './demo.js';
import { ExitStatus } from './exit-status.js';
import type { CliIO } from './io.js';
import { USAGE, packageVersion } from './usage.js';

/** Runs one command line and resolves with the exit status; never rejects, never exits. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (wantsJson(argv)) {
      // --json promises a stderr of JSON lines only, even when the rest of the line is wrong.
      io.stderr.write(`${JSON.stringify({ usage_error: err.message, exit_status: ExitStatus.USAGE })}\n`);
    } else {
      io.stderr.write(`gsocketclient: ${err.message}\nTry 'gsocketclient --help' for more information.\n`);
    }
    return ExitStatus.USAGE;
  }
  switch (command.kind) {
    case 'help':
      io.stdout.write(USAGE);
      return ExitStatus.OK;
    case 'version':
      io.stdout.write(`gsocketclient ${packageVersion()}\n`);
      return ExitStatus.OK;
    case 'demo':
      return runDemo(io);
    case 'connect':
      return runConnect(command, io);
  }
}

/** Whether `--json` is among the options (before any `--`), whether or not the rest parses. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end >= 0 ? argv.slice(0, end) : argv).includes('--json');
}

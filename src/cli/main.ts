#!/usr/bin/env node
// The `gsocketclient` binary (package.json "bin"): see docs/cli.md.
import { processIO } from './io.js';
import { runCli } from './run.js';

const io = processIO();
const status = await runCli(process.argv.slice(2), io);
// Every socket and timer of the library is closed by now; stdin is the last thing to let go.
io.release();
process.exitCode = status;

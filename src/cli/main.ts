#!/usr/bin/env node
// The `gsocketclient` binary (package.json "bin"): see docs/cli.md.
import { processIO } from './io.js';
import { runCli } from './run.js';

const status = await runCli(process.argv.slice(2), processIO());
// stdin may still be open (a terminal, or a peer that closed first): release it so the process
// can exit on its own, with every socket and timer of the library already closed.
process.stdin.destroy();
process.exitCode = status;

// Runs every test file under test/ with node's test runner and the tsx loader, one process per
// file, each bounded in time. A file whose process does not exit by itself after its tests (a
// socket, server, timer or child process left open) fails instead of hanging the run.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const FILE_BUDGET_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 600_000);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function runFile(file) {
  return new Promise((resolve) => {
    const args = [
      '--import',
      'tsx',
      '--import',
      './test/helpers/network-guard.ts',
      '--import',
      './test/helpers/leak-guard.ts',
      '--test',
      '--test-reporter=spec',
      file,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    const timer = setTimeout(() => {
      process.stdout.write(
        `\n✖ ${file}: did not exit within ${FILE_BUDGET_MS} ms (a handle left open?) — killed\n`,
      );
      try {
        process.kill(-child.pid, 'SIGKILL'); // the file's own process group: itself and daemons it started
      } catch {
        child.kill('SIGKILL');
      }
    }, FILE_BUDGET_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      const count = (label) => Number(out.match(new RegExp(`ℹ ${label} (\\d+)`))?.[1] ?? 0);
      resolve({ file, code, pass: count('pass'), fail: count('fail'), skipped: count('skipped') });
    });
  });
}

const filter = process.argv.slice(2);
const files = collect('test').filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
let pass = 0;
let fail = 0;
let skipped = 0;
const failedFiles = [];
for (const file of files) {
  const r = await runFile(file);
  pass += r.pass;
  skipped += r.skipped;
  // A file that exits non-zero without a failing test (leak guard, crash) counts as one failure.
  const fileFail = r.fail > 0 ? r.fail : r.code !== 0 ? 1 : 0;
  fail += fileFail;
  if (fileFail > 0) failedFiles.push(file);
}
if (failedFiles.length > 0) console.log(`\nfailed files:\n${failedFiles.map((f) => `  ${f}`).join('\n')}`);
console.log(`\n${files.length} test files`);
console.log(`${pass} passed, ${fail} failed, ${skipped} skipped`);
process.exit(fail > 0 || files.length === 0 ? 1 : 0);

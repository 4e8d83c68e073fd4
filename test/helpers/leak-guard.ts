// Loaded into every test process (scripts/run-tests.mjs --import). The runner is started with
// --test-force-exit so a leaked handle can never hang CI; this guard then fails the file when,
// at exit, a socket, server, timer or child process of ours is still alive.
import { activeResources, WATCHED } from './leaks.js';

const baseline = activeResources();

process.on('exit', () => {
  const now = activeResources();
  const excess = WATCHED.filter((kind) => (now[kind] ?? 0) > (baseline[kind] ?? 0)).map(
    (kind) => `${kind} x${(now[kind] ?? 0) - (baseline[kind] ?? 0)}`,
  );
  if (excess.length > 0) {
    process.stderr.write(`\nleak-guard: resources left behind by this test file: ${excess.join(', ')}\n`);
    process.exitCode = 1;
  }
});

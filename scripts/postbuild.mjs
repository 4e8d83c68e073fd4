// After tsc: make the CLI entry executable (tsc keeps its #! line but not the mode bit), so the
// package.json "bin" works straight from dist/; then bundle the sync engine worker.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/src/cli/main.js', import.meta.url), 0o755);

// The sync engine worker loads about 65 modules at the first blocking call; as separate ES
// modules that costs ~60 ms, as one file ~20 ms (docs/sync.md, "Costs"). The bundle holds the
// same compiled code; src/sync/channel.ts uses it when present and worker.js otherwise, so a
// build without esbuild (it comes with tsx) still works, only slower to start.
let esbuild = null;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('postbuild: esbuild not found; the sync engine worker is not bundled');
}
if (esbuild) {
  await esbuild.build({
    entryPoints: [new URL('../dist/src/sync/worker.js', import.meta.url).pathname],
    outfile: new URL('../dist/src/sync/worker-bundle.js', import.meta.url).pathname,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Optional peer dependencies stay outside: loaded from node_modules only when used (PAC).
    external: ['quickjs-wasi'],
    logLevel: 'warning',
  });
}

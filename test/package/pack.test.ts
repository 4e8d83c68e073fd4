// What `npm pack` ships: LICENSE, README, docs, the built code with declarations, and source maps
// whose sources are in the package too (so stack traces and "go to source" resolve for users).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function packedFiles(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // --ignore-scripts: `prepare` would rebuild; npm test has built dist/ already.
    execFile(
      'npm',
      ['pack', '--dry-run', '--json', '--ignore-scripts'],
      { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => {
        if (err) reject(new Error(`npm pack failed: ${err.message}`, { cause: err }));
        else resolve((JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
      },
    );
  });
}

describe('npm pack', () => {
  it('ships LICENSE, README, docs, dist with declarations, and source maps that resolve', async () => {
    const files = new Set(await packedFiles());
    for (const required of [
      'LICENSE',
      'README.md',
      'package.json',
      'docs/architecture.md',
      'docs/errors.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'dist/src/adapters/undici.js',
      'dist/src/adapters/http.d.ts',
      'dist/src/adapters/socket.js',
      'dist/src/testing/index.js',
      'dist/src/testing/index.d.ts',
    ]) {
      assert.ok(files.has(required), `${required} is not in the package`);
    }
    assert.ok(
      ![...files].some((f) => f.startsWith('test/') || f.startsWith('dist/test/')),
      'tests are shipped',
    );
    const maps = [...files].filter((f) => f.endsWith('.js.map'));
    assert.ok(maps.length > 50, `only ${maps.length} source maps`);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const resolved = normalize(join(dirname(map), source));
        assert.ok(files.has(resolved), `${map} points at ${resolved}, which is not in the package`);
      }
    }
  });
});

// quickjs-wasi is an optional peer dependency (package.json): the core loads it only when a PAC
// script runs, and without it a lookup fails with IOError NOT_SUPPORTED naming the package, in
// either onError mode (a missing package is a setup mistake, not a script failure).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IOErrorEnum } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../helpers/pac-without-quickjs-child.ts', import.meta.url));

/** A module hook that makes `quickjs-wasi` unresolvable, as when it is not installed. */
const HIDE = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  'export async function resolve(s, c, next) { if (s === "quickjs-wasi") { const e = new Error("Cannot find package quickjs-wasi"); e.code = "ERR_MODULE_NOT_FOUND"; throw e; } return next(s, c); }'));`,
)}`;

describe('PAC packaging', () => {
  it('declares quickjs-wasi as an optional peer, and no runtime dependency', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    assert.equal(pkg.dependencies, undefined);
    assert.ok(pkg.peerDependencies?.['quickjs-wasi']);
    assert.equal(pkg.peerDependenciesMeta?.['quickjs-wasi']?.optional, true);
  });

  it('without quickjs-wasi a lookup is IOError NOT_SUPPORTED naming the package', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--import', HIDE, CHILD],
        { cwd: ROOT, timeout: 30_000 },
        (error, out, err) => (error === null ? resolve(out) : reject(new Error(`${error.message}\n${err}`))),
      );
    });
    const out = JSON.parse(stdout) as Record<string, { domain: string; code: number; message: string }>;
    for (const mode of ['direct', 'error']) {
      assert.equal(out[mode].domain, 'g-io-error-quark', mode);
      assert.equal(out[mode].code, IOErrorEnum.NOT_SUPPORTED, mode);
      assert.equal(
        out[mode].message,
        'PAC scripts need the optional package quickjs-wasi (npm install quickjs-wasi)',
      );
    }
  });
});

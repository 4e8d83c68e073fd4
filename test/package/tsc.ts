// Runs the project's own TypeScript compiler on a consumer directory (the package tests type-check
// code the way a user of the published package would).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the package as a consumer's node_modules/gsocketclient points at it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** `tsc ...args` in `cwd`; resolves with its exit code and output, never rejects. */
export function runTsc(cwd: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, ...args], { cwd, timeout: 180_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, output: stdout + stderr });
    });
  });
}

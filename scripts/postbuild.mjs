// After tsc: make the CLI entry executable (tsc keeps its #! line but not the mode bit), so the
// package.json "bin" works straight from dist/.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/src/cli/main.js', import.meta.url), 0o755);

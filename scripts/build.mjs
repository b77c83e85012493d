/**
 * `npm run build` (also run by `prepare`): compiles src/ and machines/ into a
 * fresh dist/ with TypeScript 5.9, so no file of an older layout is left to be
 * packed, and makes the `minch` command executable.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// node_modules/.bin/tsc is TypeScript 7 (the consumer test's second compiler); build with 5.9.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
chmodSync(new URL('../dist/src/cli/main.js', import.meta.url), 0o755);

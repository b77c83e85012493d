/**
 * The Minch library as users run it: the built `dist/src/index.js` that
 * `npm run build` (and so `npm install`) produces, never `src/` through tsx.
 * Only the harness is compiled by tsx: esbuild's `keepNames` gives every
 * named function its own `name` property, about 3.5 KiB more heap per Minch
 * connection, so the library must not go through it.
 *
 * The types come from `src/` (the public API is the same), so type-checking
 * the bench never depends on a build being present.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Minch from '../../../src/index.js';
import type * as MinchOtel from '../../../src/otel.js';
import type * as MinchTesting from '../../../src/testing.js';

export type { Frame, MinchClient } from '../../../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const entry = join(root, 'dist', 'src', 'index.js');

if (!existsSync(entry)) {
  throw new Error(`${entry} is missing: build the library first (\`npm run build\`; \`npm run bench\` does it)`);
}

/** Newest modification time of any file under `dir`, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) latest = Math.max(latest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return latest;
}

// Run directly (e.g. with --cpu-prof) the bench would silently measure an old build.
const built = statSync(entry).mtimeMs;
if (Math.max(newest(join(root, 'src')), newest(join(root, 'machines'))) > built) {
  process.stderr.write(`bench: WARNING: src/ or machines/ is newer than ${entry}; run \`npm run build\`\n`);
}

const lib = (await import(pathToFileURL(entry).href)) as typeof Minch;
const otel = (await import(pathToFileURL(join(root, 'dist', 'src', 'otel.js')).href)) as typeof MinchOtel;

export const { close, connect, createMinchActor, sendFrame } = lib;
export const { instrumentMinch } = otel;

const testing = (await import(pathToFileURL(join(root, 'dist', 'src', 'testing.js')).href)) as typeof MinchTesting;
export const { createTestServer, SimulatedClock } = testing;
export const { stateName } = lib;

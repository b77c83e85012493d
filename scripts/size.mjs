/**
 * `npm run size`: the browser bundle of `createMinchActor` + `sendFrame` +
 * `close`, as a user's bundler makes it from the built dist/: esbuild
 * `--bundle --minify --format=esm --platform=browser` (so package.json's
 * `browser` field and `sideEffects: false` apply), then gzip -9. Prints the
 * total and the raw bytes by package, and fails above BUDGET.
 *
 * It also bundles `minch/testing` the same way: it must build for browsers
 * and use no Node API (no `Buffer`, `process` or `node:` module).
 *
 * BUDGET guards against growth from today's figure (docs/performance.md has
 * the breakdown). It is not the 20 KB the package issue asked for: XState's
 * own runtime, for the functions the engine imports, is about 13 KB of that.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 24_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `import { createMinchActor, sendFrame, close } from './dist/src/index.js';
globalThis.minch = { createMinchActor, sendFrame, close };`;

async function bundle(external = [], contents = entry) {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { code, raw: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile };
}

function packageOf(input) {
  const inModules = input.split('node_modules/').at(-1);
  if (inModules === input) return 'minch';
  return inModules.startsWith('@') ? inModules.split('/').slice(0, 2).join('/') : inModules.split('/')[0];
}

const whole = await bundle();
const own = await bundle(['xstate']);
const byPackage = new Map();
for (const [input, { bytesInOutput }] of Object.entries(Object.values(whole.metafile.outputs)[0].inputs)) {
  const name = packageOf(input);
  byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
console.log(`browser bundle (createMinchActor + sendFrame + close): ${kb(whole.raw)} raw, ${kb(whole.gzip)} gzip`);
for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(`  ${name}: ${kb(bytes)} raw`);
console.log(`  minch alone (xstate external): ${kb(own.raw)} raw, ${kb(own.gzip)} gzip`);
console.log(`budget: ${kb(BUDGET)} gzip`);

const text = new TextDecoder().decode(whole.code);
// Node-only code that the `browser` field keeps out: ws's events, protocol pings, diagnostics.
const nodeOnly = ['unexpected-response', 'nodebuffer', 'minch:hb:', 'getBuiltinModule', 'diagnostics_channel'];
const found = nodeOnly.filter((marker) => text.includes(marker));
if (found.length > 0) {
  console.error(`Node-only code in the browser bundle: ${found.join(', ')}`);
  process.exitCode = 1;
}
if (whole.gzip > BUDGET) {
  console.error(`the browser bundle is ${kb(whole.gzip)} gzip, above the ${kb(BUDGET)} budget`);
  process.exitCode = 1;
}

const kit = await bundle(
  [],
  `import { createTestServer } from './dist/src/testing.js';
globalThis.minchTesting = { createTestServer };`,
);
console.log(`minch/testing for browsers (createTestServer): ${kb(kit.raw)} raw, ${kb(kit.gzip)} gzip`);
const kitText = new TextDecoder().decode(kit.code);
const nodeApis = [/(?<![\w$])Buffer\b/, /(?<![\w$])process\./, /getBuiltinModule/, /["']node:/].filter((api) =>
  api.test(kitText),
);
if (nodeApis.length > 0) {
  console.error(`minch/testing uses Node APIs: ${nodeApis.join(', ')}`);
  process.exitCode = 1;
}

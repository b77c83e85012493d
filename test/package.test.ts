/**
 * The package's entry points as Node resolves them for a user: through the
 * `exports` map (by the package's own name), with `import` and with
 * `require` (require of an ES module, Node ≥ 20.19). They load the built
 * `dist/`, which `npm ci` builds.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** What each entry point exports, as seen from a child Node process. */
async function exportsOf(script: string, type: 'commonjs' | 'module'): Promise<Record<string, string[]>> {
  const { stdout, stderr } = await run(process.execPath, [`--input-type=${type}`, '-e', script], { cwd: root });
  expect(stderr).toBe('');
  return JSON.parse(stdout) as Record<string, string[]>;
}

const ENTRIES = ['minch', 'minch/react', 'minch/svelte', 'minch/otel', 'minch/testing'];

describe('the package entry points', () => {
  it('load with require and with import, to the same exports', { timeout: 20_000 }, async () => {
    const required = await exportsOf(
      `const out = {};
       for (const id of ${JSON.stringify(ENTRIES)}) out[id] = Object.keys(require(id)).sort();
       console.log(JSON.stringify(out));`,
      'commonjs',
    );
    const imported = await exportsOf(
      `const out = {};
       for (const id of ${JSON.stringify(ENTRIES)}) out[id] = Object.keys(await import(id)).sort();
       console.log(JSON.stringify(out));`,
      'module',
    );
    expect(required).toEqual(imported);
    expect(required['minch']).toEqual(expect.arrayContaining(['createMinchActor', 'sendFrame', 'close', 'connect']));
    expect(required['minch/react']).toContain('useMinch');
    expect(required['minch/svelte']).toEqual(expect.arrayContaining(['useMinch', 'minchStore']));
    expect(required['minch/otel']).toContain('instrumentMinch');
    expect(required['minch/testing']).toEqual(['SimulatedClock', 'createTestServer']);
  });
});

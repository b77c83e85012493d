/**
 * The library as a browser bundler sees it: Vite (rolldown) builds src/index.ts
 * in library mode for the browser, in memory. `isomorphic-ws` must resolve to
 * its browser file (the native `WebSocket`), so no code of the `ws` package,
 * which only works in Node, may end up in the bundle.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build, type Rollup } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

async function buildForBrowser(): Promise<string> {
  const result = await build({
    root,
    configFile: false,
    logLevel: 'silent',
    build: {
      lib: { entry: 'src/index.ts', formats: ['es'], fileName: 'minch' },
      write: false,
      minify: false,
      rolldownOptions: { external: [] },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
  const chunks = outputs.flatMap((o) => o.output).filter((o): o is Rollup.OutputChunk => o.type === 'chunk');
  expect(chunks.length).toBeGreaterThan(0);
  return chunks.map((c) => c.code).join('\n');
}

describe('the browser bundle', () => {
  it('contains no code of the ws package and uses the native WebSocket', { timeout: 20_000 }, async () => {
    const code = await buildForBrowser();

    for (const wsOnly of [
      'Sec-WebSocket-Key',
      'permessage-deflate',
      "require('ws')",
      'require("ws")',
      'WebSocketServer',
      'node_modules/ws/',
    ]) {
      expect(code, `the bundle contains ${wsOnly}`).not.toContain(wsOnly);
    }
    expect(code).not.toMatch(/from\s*["']ws["']/);
    // Diagnostics are looked up at run time, never imported: no Node module in the bundle.
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/require\(\s*["']node:/);
    expect(code).not.toContain('@opentelemetry');
    expect(code).not.toMatch(/import\s*\(\s*["']ws["']\s*\)/);

    // isomorphic-ws' browser file: the global WebSocket.
    expect(code).toContain('node_modules/isomorphic-ws/browser.js');
    expect(code).toMatch(/typeof WebSocket\s*!==\s*["']undefined["']/);
    expect(code).toMatch(/=\s*WebSocket\s*;/);
  });
});

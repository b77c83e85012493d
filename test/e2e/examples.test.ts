/**
 * The browser examples, end to end, as a user sees them: each example is built
 * with Vite's `build()`, served with `preview()` on 127.0.0.1 (the echo plugin
 * attaches its WebSocket server to the preview server too) and driven in
 * Debian's Chromium through playwright-core. The page must connect, survive a
 * server drop (backoff with a countdown, then open again) and echo a message.
 * The React example runs React's development build inside <StrictMode>, and
 * the echo server must see exactly one connection before the drop. A test
 * page (fixtures/strict-mode) checks useMinch itself under StrictMode: one
 * client started per mounted component, closed on a real unmount.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type InlineConfig, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoServerPlugin } from '../../examples/vite-echo-plugin.js';
import { chromiumLaunchOptions } from '../helpers/chromium.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outputDir = join(root, 'test-output');

/**
 * Stands in for the React DevTools hook, to learn which React build the page
 * runs (bundleType 1 = development) and whether StrictMode double-invoked
 * anything (React tells DevTools through setStrictMode).
 */
const reactProbe = `
  window.__reactProbe = { bundleType: null, strictModeCalls: 0 };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    isDisabled: false,
    supportsFiber: true,
    inject(internals) { window.__reactProbe.bundleType = internals.bundleType; return 1; },
    setStrictMode(_id, on) { if (on) window.__reactProbe.strictModeCalls++; },
  };
`;

interface Counts {
  upgrades: number;
  open: number;
}

let browser: Browser | undefined;

beforeAll(async () => {
  mkdirSync(outputDir, { recursive: true });
  browser = await chromium.launch(chromiumLaunchOptions);
}, 20_000);

afterAll(async () => {
  await browser?.close();
});

/** The development build of React: StrictMode mounts, unmounts and remounts every effect. */
const reactDevelopment: InlineConfig = {
  mode: 'development',
  define: { 'process.env.NODE_ENV': JSON.stringify('development') },
};

/** Builds a Vite app into test-output/e2e-build/<name> and serves it with `preview()` on 127.0.0.1. */
async function buildAndPreview(
  name: string,
  config: InlineConfig,
  minify: boolean,
): Promise<{ server: PreviewServer; base: string }> {
  const outDir = join(outputDir, 'e2e-build', name);
  await build({ ...config, logLevel: 'warn', build: { outDir, emptyOutDir: true, minify } });
  const server = await preview({
    ...config,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${address.port}` };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const waitForState = (page: Page, state: string, timeout = 5_000) =>
  page.locator(`[data-testid="state"][data-state="${state}"]`).waitFor({ state: 'visible', timeout });

/** Collects uncaught page errors and console errors. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  return errors;
}

interface ReactProbe {
  bundleType: number | null;
  strictModeCalls: number;
}
const readProbe = (page: Page) => page.evaluate(() => (window as unknown as { __reactProbe: ReactProbe }).__reactProbe);

describe.each(['react', 'svelte'] as const)('the %s example', (name) => {
  let server: PreviewServer | undefined;
  let base = '';

  beforeAll(async () => {
    const configFile = join(root, 'examples', name, 'vite.config.ts');
    ({ server, base } = await buildAndPreview(
      name,
      { configFile, ...(name === 'react' && reactDevelopment) },
      name !== 'react',
    ));
  }, 20_000);

  afterAll(async () => {
    await server?.close();
  });

  const get = <T>(path: string): Promise<T> => getJson<T>(base + path);

  it('connects, shows a server drop with a backoff countdown, reconnects and echoes a message', async () => {
    const page = await browser!.newPage({ viewport: { width: 900, height: 760 } });
    const errors = watchErrors(page);
    try {
      if (name === 'react') await page.addInitScript(reactProbe);
      await page.goto(base, { timeout: 10_000 });

      await waitForState(page, 'open', 10_000);
      await expect(page.getByTestId('url').textContent()).resolves.toBe(`ws://127.0.0.1:${new URL(base).port}/echo`);
      const before = await get<Counts>('/__connections');
      expect(before).toEqual({ upgrades: 1, open: 1 });
      if (name === 'react') {
        const probe = await readProbe(page);
        expect(probe.bundleType).toBe(1); // React's development build…
        expect(probe.strictModeCalls).toBeGreaterThan(0); // …with StrictMode double-invoking: still one connection
      }

      // The server drops the socket without a close frame.
      await expect(get<{ dropped: number }>('/__drop')).resolves.toEqual({ dropped: 1 });
      // backoff(1, { min: 500 }) = 500 ms: the countdown must be on screen meanwhile.
      const countdown = await page.waitForFunction(
        () => {
          const state = document.querySelector('[data-testid="state"]')?.getAttribute('data-state');
          const text = document.querySelector('[data-testid="countdown"]')?.textContent ?? '';
          return state === 'backoff' && /^in \d+\.\d s \(backoff 500 ms\)$/.test(text) ? text : false;
        },
        undefined,
        { timeout: 5_000, polling: 'raf' },
      );
      expect(await countdown.jsonValue()).toMatch(/^in 0\.\d s/);
      // Best effort: backoff lasts 500 ms.
      await page.screenshot({ path: join(outputDir, `e2e-${name}-backoff.png`) }).catch(() => {});
      await expect(page.getByTestId('last-disconnect').textContent()).resolves.toBe('closed 1006');

      await waitForState(page, 'open', 5_000);
      await expect(page.getByTestId('attempt').textContent()).resolves.toBe('1');
      await expect(page.getByTestId('last-disconnect').textContent()).resolves.toBe('closed 1006');
      expect(await get<Counts>('/__connections')).toEqual({ upgrades: 2, open: 1 });

      const message = `hello from the ${name} example`;
      await page.getByTestId('input').fill(message);
      await page.getByTestId('send').click({ timeout: 5_000 });
      await page.getByTestId('frame').filter({ hasText: message }).waitFor({ state: 'visible', timeout: 5_000 });
      await expect(page.getByTestId('input').inputValue()).resolves.toBe('');
      await expect(page.getByTestId('frames').locator('li').count()).resolves.toBe(1);

      await page.screenshot({ path: join(outputDir, `e2e-${name}.png`) });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});

describe('useMinch under StrictMode (test page)', () => {
  let server: PreviewServer | undefined;
  let base = '';

  beforeAll(async () => {
    const config: InlineConfig = {
      configFile: false,
      root: join(root, 'test/e2e/fixtures/strict-mode'),
      plugins: [react(), echoServerPlugin()],
      ...reactDevelopment,
    };
    ({ server, base } = await buildAndPreview('strict-mode', config, false));
  }, 20_000);

  afterAll(async () => {
    await server?.close();
  });

  const counts = (page: Page) =>
    page.evaluate(() => (window as unknown as { __counts: { inits: number; terminates: number } }).__counts);
  const connections = () => getJson<Counts>(base + '/__connections');

  it('runs one client per mounted component, closes it on unmount, restarts it after <Activity>', async () => {
    const page = await browser!.newPage();
    const errors = watchErrors(page);
    try {
      await page.addInitScript(reactProbe);
      await page.goto(base, { timeout: 10_000 });
      await waitForState(page, 'open', 10_000);
      const probe = await readProbe(page);
      expect(probe.bundleType).toBe(1);
      expect(probe.strictModeCalls).toBeGreaterThan(0);
      // StrictMode ran the effect, its cleanup and the effect again: still one client, never terminated.
      expect(await counts(page)).toEqual({ inits: 1, terminates: 0 });
      expect(await connections()).toEqual({ upgrades: 1, open: 1 });

      // A real unmount closes the client: terminate runs once and the server sees the socket close.
      await page.getByTestId('toggle').click({ timeout: 5_000 });
      await page.waitForFunction(
        () => (window as unknown as { __counts: { terminates: number } }).__counts.terminates === 1,
        undefined,
        { timeout: 5_000 },
      );
      await expect.poll(connections, { timeout: 5_000 }).toEqual({ upgrades: 1, open: 0 });

      // Mounting again starts a new client.
      await page.getByTestId('toggle').click({ timeout: 5_000 });
      await waitForState(page, 'open', 5_000);
      expect(await counts(page)).toEqual({ inits: 2, terminates: 1 });
      expect(await connections()).toEqual({ upgrades: 2, open: 1 });

      // <Activity mode="hidden"> unmounts the effects but keeps the component: the client is closed…
      await page.getByTestId('activity').click({ timeout: 5_000 });
      await page.waitForFunction(
        () => (window as unknown as { __counts: { terminates: number } }).__counts.terminates === 2,
        undefined,
        { timeout: 5_000 },
      );
      await expect.poll(connections, { timeout: 5_000 }).toEqual({ upgrades: 2, open: 0 });
      // …and shown again, it gets a new one.
      await page.getByTestId('activity').click({ timeout: 5_000 });
      await waitForState(page, 'open', 5_000);
      expect(await counts(page)).toEqual({ inits: 3, terminates: 2 });
      expect(await connections()).toEqual({ upgrades: 3, open: 1 });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);
});

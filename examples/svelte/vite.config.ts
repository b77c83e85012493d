/**
 * `npm run example:svelte`: the Svelte example on http://127.0.0.1:5174/, with
 * the echo server at ws://127.0.0.1:5174/echo.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { echoServerPlugin } from '../vite-echo-plugin.js';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Its own dependency cache, so that both examples can run at once.
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite/example-svelte', import.meta.url)),
  plugins: [svelte({ configFile: false }), echoServerPlugin()],
  server: { host: '127.0.0.1', port: 5174 },
  preview: { host: '127.0.0.1', port: 4174 },
});

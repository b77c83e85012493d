/**
 * `npm run example:react`: the React example on http://127.0.0.1:5173/, with
 * the echo server at ws://127.0.0.1:5173/echo.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { echoServerPlugin } from '../vite-echo-plugin.js';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Its own dependency cache, so that both examples can run at once.
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite/example-react', import.meta.url)),
  plugins: [react(), echoServerPlugin()],
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});

import { configDefaults, defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromiumLaunchOptions } from './test/helpers/chromium.js';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/browser/**'],
          environment: 'node',
          testTimeout: 15_000,
          hookTimeout: 15_000,
          pool: 'forks',
        },
      },
      {
        optimizeDeps: { include: ['fp-ts', 'xstate', 'isomorphic-ws'] },
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 15_000,
          hookTimeout: 15_000,
          globalSetup: ['test/browser/globalSetup.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromiumLaunchOptions }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});

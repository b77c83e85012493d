/**
 * How every browser test launches Chromium: Debian's `/usr/bin/chromium`
 * (Playwright must never download a browser of its own), headless, with
 * nothing of its own that reaches the network. vite.config.ts (the Chromium
 * test project) and test/e2e/ use it.
 */
export const chromiumLaunchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

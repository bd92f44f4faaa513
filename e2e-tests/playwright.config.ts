import { defineConfig } from '@playwright/test';

/**
 * Browser tests run against an opsdeck backend that scripts/test.sh starts on
 * :7017 (app-config.e2e.yaml), in Debian's Chromium: Playwright's own browser
 * download cannot work here, so executablePath points at /usr/bin/chromium.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  globalSetup: './global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  outputDir: '../test-results/e2e-artifacts',
  reporter: [['list'], ['json', { outputFile: '../test-results/e2e.json' }]],
  use: {
    baseURL: process.env.OPSDECK_E2E_URL ?? 'http://localhost:7017',
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.OPSDECK_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
});

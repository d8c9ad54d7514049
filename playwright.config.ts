import { defineConfig } from '@playwright/test';

/**
 * The UI in a real browser against a real `quire serve` (each test starts its own, see
 * test/browser/fixtures.ts) and the test S3 server. Debian's Chromium, never a downloaded one:
 * these machines reach only the npm registry and Debian's repository. Run from scripts/test.sh
 * (inside the keyring session, with the S3 env), or one spec alone:
 *   bash scripts/with-keyring.sh npx --no-install playwright test test/browser/smoke.pw.ts
 */
export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.pw.ts',
  // One browser and one quire serve at a time: the machines have two cores, and uploads share one radosgw.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // A 200 MB drop is generated, staged and uploaded inside one test.
  timeout: 5 * 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: '.quire-test/playwright-report.json' }]],
  // Emptied at the start of every run: someone running a spec while another runs (the machines
  // are shared) points QUIRE_PW_OUTPUT elsewhere.
  outputDir: process.env.QUIRE_PW_OUTPUT ?? '.quire-test/playwright',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.QUIRE_CHROMIUM ?? '/usr/lib/chromium/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});

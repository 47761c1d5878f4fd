import { defineConfig, devices } from '@playwright/test';

// Playwright cannot download its browsers here: the tests drive the system Chromium
// (Debian's `chromium`), with flags that work as root in a container.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4317);

export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--allow-loopback-in-peer-connection',
        '--use-fake-ui-for-media-stream',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'] } },
    // A phone (touch, narrow viewport). Tests tagged @desktop (storage internals, hardware
    // keyboard shortcuts) run on the desktop project only.
    { name: 'phone', use: { ...devices['Pixel 7'] }, grepInvert: /@desktop/ },
  ],
  // The tests' build adds the storage harness page (e2e/harness) and goes to dist-harness/,
  // so the production build in dist/ never contains test code.
  // The app is served by a cloud peer (as `npm start` does), so its origin has one; its
  // data lives in a fresh temporary directory. Tests that kill a cloud peer start their own.
  webServer: {
    command: `npm run build && tsx src/cloud-peer/main.ts --app dist-harness --http-port ${port} --port ${port + 1} --data "$(mktemp -d)" --log-level warn`,
    url: `http://127.0.0.1:${port}/`,
    env: { STORAGE_HARNESS: '1' },
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: 'pipe',
  },
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devices, expect, test, type Page } from '@playwright/test';
import { openApp, writeNote } from './people';
import { buildApp } from './support/build-app';
import { startStaticServer, type StaticServer } from './support/static-server';

// A new version for real: two builds of the app, A and B, differing only in their build id
// (so in their asset hashes, service worker and precache manifest, as two releases do),
// served in turn from one origin by a server in this process. The app runs A with A's
// service worker in control, the server switches to B, the app checks for an update, and
// the prompt must wait for the person, then save what they typed and reload into B.
//
// Built once for the file, so both viewports run here, in the desktop project (@desktop),
// each in a context of its own.

const builds = { A: '', B: '' };
let work = '';
let server: StaticServer | undefined;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-update-'));
  for (const id of ['A', 'B'] as const) {
    builds[id] = path.join(work, id);
    await buildApp({ outDir: builds[id], buildId: id });
  }
  server = await startStaticServer(builds.A);
});

test.afterAll(async () => {
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/// The build the page runs (set by its main script), or null while it is being replaced.
const runningBuild = (page: Page) => page.evaluate(() => document.documentElement.dataset.build ?? null).catch(() => null);

type MarkedWindow = Window & { loadedBefore?: true; holdSaves?: true };

for (const [viewport, device] of [
  ['desktop', devices['Desktop Chrome']],
  ['phone', devices['Pixel 7']],
] as const) {
  test(`a new version waits for the person, then saves their typing and reloads into it, ${viewport} @desktop`, async ({ browser }) => {
    server!.serve(builds.A);
    const context = await browser.newContext({ ...device, baseURL: server!.url });
    // Listeners that run before the app's own (a target runs its listeners in the order they
    // were added) and, once told to, keep the app from saving as the page goes away.
    await context.addInitScript(() => {
      for (const [target, type] of [[window, 'pagehide'], [document, 'visibilitychange']] as const) {
        target.addEventListener(type, (event) => (window as MarkedWindow).holdSaves && event.stopImmediatePropagation());
      }
    });
    try {
      const page = await context.newPage();
      await openApp(page);
      expect(await runningBuild(page)).toBe('A');
      // The first visit installs the service worker; from the next load on it controls the page.
      await page.evaluate(async () => void (await navigator.serviceWorker.ready));
      await page.reload();
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? null)).toBe('activated');

      await writeNote(page, ['Written on build A']);

      // Release B, and let the open app find it as its hourly check would.
      await page.evaluate(() => ((window as MarkedWindow).loadedBefore = true));
      server!.serve(builds.B);
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
      const prompt = page.getByRole('alert', { name: 'Update available' });
      await expect(prompt).toBeVisible();
      await expect(prompt.getByRole('button', { name: 'Reload' })).toBeVisible();
      await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state ?? null)).toBe('installed');

      // The prompt never reloads by itself: typing goes on in the same page, on build A.
      await page.keyboard.press('Enter');
      await page.keyboard.type('typed while the prompt waits', { delay: 40 });
      expect(await page.evaluate(() => (window as MarkedWindow).loadedBefore)).toBe(true);
      expect(await runningBuild(page)).toBe('A');
      await expect(prompt).toBeVisible();

      // The last words are typed and the button pressed while no frame comes (a busy page),
      // and the save the app starts as the page goes away is left out (a best effort: the
      // database worker may be gone before it lands). Only the prompt's own save keeps them.
      await page.evaluate(() => {
        window.requestAnimationFrame = () => 0;
        (window as MarkedWindow).holdSaves = true;
      });
      await page.keyboard.press('Enter');
      await page.keyboard.type('and the last words');
      await prompt.getByRole('button', { name: 'Reload' }).click();

      await expect.poll(() => runningBuild(page), { timeout: 30_000 }).toBe('B');
      expect(await page.evaluate(() => (window as MarkedWindow).loadedBefore ?? null)).toBeNull();
      await expect(page.getByRole('alert', { name: 'Update available' })).toHaveCount(0);
      const note = page.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: 'Written on build A' });
      await expect(note).toBeVisible({ timeout: 30_000 });
      await note.getByRole('button').first().click();
      await expect(page.getByRole('textbox', { name: 'Note body' })).toHaveText(/Written on build A\s*typed while the prompt waits\s*and the last words/);
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.state ?? null)).toBe('activated');
    } finally {
      await context.close();
    }
  });
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import { openApp } from './people';


const isPhone = (page: Page) => (page.viewportSize()?.width ?? 1000) < 720;

async function write(page: Page, text: string) {
  await page.getByRole('button', { name: 'New note', exact: true }).click();
  await page.getByRole('textbox', { name: 'Note body' }).click();
  await page.keyboard.type(text);
  if (isPhone(page)) await page.getByRole('button', { name: '‹ Notes' }).click();
}

async function serviceWorkerControls(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  // The first visit is not controlled until the worker claims it or the page reloads.
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

test('Chromium finds the app installable: manifest, icons and service worker @desktop', async ({ baseURL }, testInfo) => {
  // Incognito contexts always report "in-incognito": use a real profile.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-install-'));
  const launch = testInfo.project.use.launchOptions ?? {};
  const context = await chromium.launchPersistentContext(profile, { ...launch, baseURL });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await serviceWorkerControls(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    const manifest = await (await page.request.get('/manifest.webmanifest')).json();
    expect(manifest).toMatchObject({ name: 'Notes', short_name: 'Notes', display: 'standalone', start_url: '/' });
    expect(manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`)).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test('after the first visit the app starts and saves with the network off', async ({ page, context }) => {
  await openApp(page);
  await serviceWorkerControls(page);
  await write(page, 'Written online');
  await expect(page.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: 'Written online' })).toBeVisible();

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('status', { name: 'Sync status' })).toContainText('Offline');
  const notes = page.getByRole('list', { name: 'Notes' });
  await expect(notes.getByRole('listitem', { name: 'Written online' })).toBeVisible();
  // The notes database's worker was started by index.html, ahead of the app's code
  // (src/storage/browser/early-start.ts), from the service worker's cache.
  expect(await page.evaluate(() => performance.getEntriesByName('notes:worker-started-early').length)).toBe(1);
  await write(page, 'Written offline');
  await expect(notes.getByRole('listitem', { name: 'Written offline' })).toBeVisible();

  await context.setOffline(false);
  await page.reload();
  await expect(notes.getByRole('listitem', { name: 'Written offline' })).toBeVisible();
  await expect(notes.getByRole('listitem', { name: 'Written online' })).toBeVisible();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`screenshots of the main views, ${scheme}`, async ({ page }, testInfo) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    const shot = async (name: string) => {
      const file = testInfo.outputPath(`${testInfo.project.name}-${scheme}-${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      await testInfo.attach(name, { path: file, contentType: 'image/png' });
    };
    await expect(page.getByRole('button', { name: 'Create a new identity' })).toBeVisible({ timeout: 30_000 });
    await shot('welcome');
    await openApp(page);
    const phone = (page.viewportSize()?.width ?? 1000) < 720;
    for (const [title, lines] of [
      ['Groceries', ['- oat milk', 'eggs', 'coffee beans']],
      ['Quarterly planning', ['## Goals', 'Ship the **sync** runtime and the `notes` app.', '[ ] write the closing note']],
    ] as const) {
      await page.getByRole('button', { name: 'New note', exact: true }).click();
      await page.getByRole('textbox', { name: 'Note body' }).click();
      await page.keyboard.type(title);
      for (const line of lines) {
        await page.keyboard.press('Enter');
        await page.keyboard.type(line);
      }
      if (phone) await page.getByRole('button', { name: '‹ Notes' }).click();
    }
    await expect(page.getByRole('list', { name: 'Notes' }).getByRole('listitem')).toHaveCount(2);
    await shot('list');
    await page.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: 'Quarterly planning' }).getByRole('button').first().click();
    await expect(page.getByRole('textbox', { name: 'Note body' })).toContainText('write the closing note');
    await shot('editor');
    await page.keyboard.press('Escape');
    if (!phone) {
      await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
      await shot('help');
    }
  });
}

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { unzipSync } from 'fflate';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { countNotes, openApp, writeNote } from './people';

/// "Own your data" (issue 7): the database file, Markdown export and import, refused files.
/// Settings and file pickers are the same on a phone: these run on the desktop project.

const yourData = (page: Page) => page.getByRole('dialog', { name: 'Settings' }).getByRole('region', { name: 'Your data' });

async function openYourData(page: Page) {
  await page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: 'Settings' }).click();
  await expect(yourData(page)).toBeVisible();
  return yourData(page);
}

async function closeSettings(page: Page) {
  await page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' })).toBeHidden();
}

/// Clicks a download button and saves what it downloads as `file`; returns the offered name.
async function download(page: Page, button: string, file: string): Promise<string> {
  const downloading = page.waitForEvent('download');
  await yourData(page).getByRole('button', { name: button, exact: true }).click();
  const done = await downloading;
  await done.saveAs(file);
  return done.suggestedFilename();
}

/// Picks `files` with the Import button's file chooser.
async function importFiles(page: Page, files: readonly string[]) {
  const choosing = page.waitForEvent('filechooser');
  await yourData(page).getByRole('button', { name: 'Import', exact: true }).click();
  await (await choosing).setFiles([...files]);
}

async function freshApp(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await openApp(page);
  return page;
}

/// The notes whose text matches `query`, searched across every notebook.
async function searchResults(page: Page, query: string) {
  await page.getByRole('textbox', { name: 'Search notes' }).fill(query);
  return page.getByRole('list', { name: 'Notes' }).getByRole('listitem');
}

/// Deterministic bytes that are neither SQLite, zip nor text.
function noise(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes[0] = 0xff; // never a valid UTF-8 start, never a magic number
  return bytes;
}

test('the downloaded database opens in sqlite3, and imports into another browser once @desktop', async ({ page, browser }, testInfo) => {
  await openApp(page);
  await writeNote(page, ['Shopping list', 'Buy **oat** milk']);
  await expect(page.getByRole('textbox', { name: 'Note body' }).locator('strong')).toHaveText('oat');
  await page.getByRole('button', { name: 'Pin note', exact: true }).click();
  await writeNote(page, ['Meeting notes', '- agenda item']);
  await expect(page.getByRole('textbox', { name: 'Note body' }).locator('ul li')).toHaveCount(1);

  await openYourData(page);
  const file = testInfo.outputPath('notes.sqlite');
  expect(await download(page, 'Download database', file)).toMatch(/^notes-\d{4}-\d\d-\d\d\.sqlite$/);
  await expect(yourData(page).getByRole('status')).toContainText('Downloaded');

  // The stock sqlite3 CLI reads it: the notes table shows each note's text.
  const plain = execFileSync('sqlite3', [file, 'select id, body, is_pinned from notes'], { encoding: 'utf8' });
  expect(plain).toContain('Shopping list\nBuy oat milk|1');
  expect(plain).toContain('Meeting notes\nagenda item|0');
  const rows = JSON.parse(execFileSync('sqlite3', ['-readonly', '-json', file, 'select id, body, is_pinned from notes order by body'], { encoding: 'utf8' })) as { body: string; is_pinned: number }[];
  expect(rows.map((r) => [r.body, r.is_pinned])).toEqual([
    ['Meeting notes\nagenda item', 0],
    ['Shopping list\nBuy oat milk', 1],
  ]);
  expect(execFileSync('sqlite3', ['-readonly', file, 'pragma integrity_check'], { encoding: 'utf8' }).trim()).toBe('ok');

  // Another browser (another device) imports it: the notes are there, formatting and all.
  const other = await freshApp(browser);
  const before = await countNotes(other);
  await openYourData(other);
  await importFiles(other, [file]);
  // The new device's own "Notes" was empty: the imported "Notes" takes its place.
  await expect(yourData(other).getByRole('status')).toHaveText(/^Merged notes\.sqlite: 2 new notes\.$/);
  await closeSettings(other);
  await expect.poll(() => countNotes(other)).toBe(before + 2);
  const notebooks = other.getByRole('list', { name: 'Notebooks' }).getByRole('listitem');
  await expect(notebooks).toHaveCount(1);
  await expect(notebooks).toContainText('Notes');
  await expect(other.getByRole('list', { name: 'Notes' }).getByRole('listitem')).toHaveCount(2);
  await expect(await searchResults(other, 'oat')).toHaveCount(1);
  await (await searchResults(other, 'oat')).getByRole('button').first().click();
  await expect(other.getByRole('textbox', { name: 'Note body' }).locator('strong')).toHaveText('oat');
  await expect(other.getByRole('button', { name: 'Pin note', exact: true })).toHaveAttribute('aria-pressed', 'true');

  // Importing it again adds nothing.
  await openYourData(other);
  await importFiles(other, [file]);
  await expect(yourData(other).getByRole('status')).toHaveText('notes.sqlite: everything in it is here already.');
  await closeSettings(other);
  await expect.poll(() => countNotes(other)).toBe(before + 2);
  await expect(await searchResults(other, 'agenda')).toHaveCount(1);
  await other.context().close();
});

test('Markdown export of headings, lists and checklists imports back the same, once @desktop', async ({ page, browser }, testInfo) => {
  await openApp(page);
  await writeNote(page, ['# Trip', '[ ] passport', 'tickets', '']);
  await page.keyboard.press('Enter');
  await page.keyboard.type('- socks');
  await page.keyboard.press('Enter');
  await page.keyboard.type('shoes');
  const editor = page.getByRole('textbox', { name: 'Note body' });
  await editor.getByRole('checkbox', { name: 'tickets' }).check();
  await expect(editor.locator('h1')).toHaveText('Trip');

  await openYourData(page);
  const zipFile = testInfo.outputPath('notes.zip');
  expect(await download(page, 'Export Markdown', zipFile)).toMatch(/^notes-markdown-\d{4}-\d\d-\d\d\.zip$/);
  const entries = unzipSync(new Uint8Array(fs.readFileSync(zipFile)));
  expect(Object.keys(entries)).toEqual(['Notes/Trip.md']);
  const markdown = new TextDecoder().decode(entries['Notes/Trip.md']);
  expect(markdown).toMatch(/^---\nid: [0-9a-f-]{36}\nnotebook: Notes\npinned: false\ncreated: \d{4}-.*Z\nupdated: .*Z\ntitle: Trip\n---\n\n/);
  expect(markdown.slice(markdown.indexOf('\n---\n') + 5)).toBe('\n# Trip\n\n- [ ] passport\n- [x] tickets\n\n* socks\n* shoes\n');

  // Into another browser: the notebook of that name, with the note as it was written.
  const other = await freshApp(browser);
  const before = await countNotes(other);
  await openYourData(other);
  await importFiles(other, [zipFile]);
  await expect(yourData(other).getByRole('status')).toHaveText('Imported 1 note into “Notes”.');
  await closeSettings(other);
  await expect.poll(() => countNotes(other)).toBe(before + 1);
  await other.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: /Trip/ }).getByRole('button').first().click();
  const imported = other.getByRole('textbox', { name: 'Note body' });
  await expect(imported.locator('h1')).toHaveText('Trip');
  await expect(imported.getByRole('checkbox', { name: 'passport' })).not.toBeChecked();
  await expect(imported.getByRole('checkbox', { name: 'tickets' })).toBeChecked();
  await expect(imported.locator('ul:not([data-type]) > li')).toHaveText(['socks', 'shoes']);

  // The same zip again: nothing new.
  await openYourData(other);
  await importFiles(other, [zipFile]);
  await expect(yourData(other).getByRole('status')).toHaveText('No new notes; 1 note was here already.');
  await closeSettings(other);
  await expect.poll(() => countNotes(other)).toBe(before + 1);
  await other.context().close();
});

test('a notebook of 150 notes: rows far down the list show their titles, follow edits, and all are found by search @desktop', async ({ page }, testInfo) => {
  await openApp(page);
  const files = Array.from({ length: 150 }, (_, i) => {
    const file = testInfo.outputPath(`Long list ${String(i).padStart(3, '0')}.md`);
    // Edited a while ago, so an edit now moves the note to the top at once.
    const updated = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString();
    fs.writeFileSync(file, `---\nupdated: ${updated}\n---\n\n# Long list ${String(i).padStart(3, '0')}\n\nSome text of note ${i}.\n`);
    return file;
  });
  await openYourData(page);
  await importFiles(page, files);
  await expect(yourData(page).getByRole('status')).toHaveText('Imported 150 notes into “Imported notes”.', { timeout: 30_000 });
  await closeSettings(page);
  await page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: /^Imported notes/ }).click();
  const list = page.getByRole('list', { name: 'Notes' });
  await expect(list.getByRole('listitem').first()).toHaveAccessibleName(/^Long list \d{3}$/);
  // The list reads the first rows' text at once and the rest as they scroll into view.
  await list.evaluate((ul) => ul.parentElement!.scrollTo({ top: ul.scrollHeight }));
  const last = list.getByRole('listitem').last();
  await expect(last).toHaveAccessibleName(/^Long list \d{3}$/);
  const rendered = await list.getByRole('listitem').evaluateAll((items) => items.map((li) => li.getAttribute('aria-label')));
  expect(rendered.every((name) => /^Long list \d{3}$/.test(name ?? ''))).toBe(true);
  const title = (await last.getAttribute('aria-label'))!;
  await last.getByRole('button').first().click();
  const editor = page.getByRole('textbox', { name: 'Note body' });
  await expect(editor.locator('h1')).toHaveText(title);
  await editor.locator('h1').click();
  await page.keyboard.press('End');
  await page.keyboard.type(' edited');
  // Now the last edited, it moves to the top, under its new title.
  await list.evaluate((ul) => ul.parentElement!.scrollTo({ top: 0 }));
  await expect(list.getByRole('listitem').first()).toHaveAccessibleName(`${title} edited`);
  // Search hits come in the list's order: the first screenful at once, the rest after.
  await page.getByRole('textbox', { name: 'Search notes' }).fill('some text');
  await expect(list.getByRole('listitem').first()).toHaveAccessibleName(`${title} edited`);
  await expect(list.locator('mark').first()).toHaveText('Some');
  await expect(async () => {
    await list.evaluate((ul) => ul.parentElement!.scrollTo({ top: ul.scrollHeight }));
    expect(await list.getByRole('listitem').last().getAttribute('aria-label')).toBe('Long list 001');
  }).toPass({ timeout: 10_000 });
  // The hits follow changes while the query stands: pinned, the last one moves to the top.
  await list.getByRole('listitem').last().getByRole('button').first().click();
  await page.getByRole('button', { name: 'Pin note' }).click();
  await list.evaluate((ul) => ul.parentElement!.scrollTo({ top: 0 }));
  await expect(list.getByRole('listitem').first()).toHaveAccessibleName('Long list 001');
});

test('a truncated database and files that are not notes are refused, changing nothing @desktop', async ({ page }, testInfo) => {
  await openApp(page);
  await writeNote(page, ['Keep me', 'safe']);
  await openYourData(page);
  const file = testInfo.outputPath('notes.sqlite');
  await download(page, 'Download database', file);
  const whole = fs.readFileSync(file);
  const truncated = testInfo.outputPath('truncated.sqlite');
  fs.writeFileSync(truncated, whole.subarray(0, whole.byteLength >> 1));
  const randomBin = testInfo.outputPath('random.bin');
  fs.writeFileSync(randomBin, noise(4096, 7));
  const randomDb = testInfo.outputPath('random.db');
  fs.writeFileSync(randomDb, noise(8192, 11));
  const before = await countNotes(page);

  const alert = yourData(page).getByRole('alert');
  await importFiles(page, [truncated]);
  await expect(alert).toHaveText('truncated.sqlite could not be opened: it is damaged or incomplete. Nothing was imported.');
  await importFiles(page, [randomBin]);
  await expect(alert).toHaveText('random.bin is not a Markdown file (.md, .markdown or .txt). Nothing was imported.');
  await importFiles(page, [randomDb]);
  await expect(alert).toHaveText('random.db is not an SQLite database. Nothing was imported.');
  await expect.poll(() => countNotes(page)).toBe(before);

  // The database is still whole: it downloads and reads as before.
  await download(page, 'Download database', file);
  expect(execFileSync('sqlite3', ['-readonly', file, 'select body from notes'], { encoding: 'utf8' })).toBe('Keep me\nsafe\n');
});

import { expect, type Page } from '@playwright/test';

/// Goes through first-run onboarding as a person would, creating a new identity. Returns
/// the 12 recovery words shown.
export async function createIdentity(page: Page, displayName = 'Ada'): Promise<string[]> {
  await page.getByRole('button', { name: 'Create a new identity' }).click();
  const list = page.getByRole('list', { name: 'Recovery words' });
  await expect(list.getByRole('listitem')).toHaveCount(12);
  const words = (await list.getByRole('listitem').allInnerTexts()).map((w) => w.trim());
  await page.getByRole('button', { name: 'Continue' }).click();
  for (let n = 1; n <= 12; n++) {
    const box = page.getByRole('textbox', { name: `Word ${n}`, exact: true });
    if ((await box.count()) > 0) await box.fill(words[n - 1]!);
  }
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('textbox', { name: 'Display name' }).fill(displayName);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('button', { name: 'New note', exact: true })).toBeVisible();
  return words;
}

/// Opens the app and, on a first run, onboards.
export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  const ready = page.getByRole('button', { name: 'New note', exact: true });
  const welcome = page.getByRole('button', { name: 'Create a new identity' });
  // The first open loads the database worker and its wasm: give a busy machine time.
  await expect(ready.or(welcome)).toBeVisible({ timeout: 30_000 });
  if (await welcome.isVisible()) await createIdentity(page);
}

/// Writes a new note, a line at a time; Markdown-like shortcuts (`# `, `- `, `[ ] `, `**b**`)
/// work as typed. Leaves the note open.
export async function writeNote(page: Page, lines: readonly string[]): Promise<void> {
  await page.getByRole('button', { name: 'New note', exact: true }).click();
  const body = page.getByRole('textbox', { name: 'Note body' });
  await expect(body).toBeVisible();
  await body.click();
  for (const [i, line] of lines.entries()) {
    if (i > 0) await page.keyboard.press('Enter');
    await page.keyboard.type(line);
  }
}

/// The number of notes (not in Trash) in every notebook, as the sidebar counts them.
export async function countNotes(page: Page): Promise<number> {
  const notebooks = page.getByRole('navigation', { name: 'Notebooks' }).getByRole('list', { name: 'Notebooks' }).getByRole('listitem');
  const counts = notebooks.locator('.count');
  // The counts come a moment after the notebooks' names, once the page is idle.
  await expect(async () => expect(await counts.count()).toBe(await notebooks.count())).toPass();
  const labels = await counts.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
  return labels.reduce((sum, label) => {
    const count = /^(\d+) notes?$/.exec(label);
    if (!count) throw new Error(`a notebook's count reads "${label}"`);
    return sum + Number(count[1]);
  }, 0);
}

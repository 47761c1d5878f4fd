import { expect, test, type Page } from '@playwright/test';
import { openApp, writeNote } from './people';

/// What a person does with the app, on a desktop and (in the "phone" project) on a phone.
const isPhone = (page: Page) => (page.viewportSize()?.width ?? 1000) < 720;

async function openNotes(page: Page) {
  await openApp(page);
}


async function backToList(page: Page) {
  if (isPhone(page)) await page.getByRole('button', { name: '‹ Notes' }).click();
}

const notes = (page: Page) => page.getByRole('list', { name: 'Notes' });

test('write, format, pin, search, trash and restore a note; everything survives a reload', async ({ page }) => {
  await openNotes(page);
  await writeNote(page, ['Shopping list', 'Buy **oat** milk ']);
  await expect(page.getByRole('textbox', { name: 'Note body' }).locator('strong')).toHaveText('oat');
  await backToList(page);
  await writeNote(page, ['Meeting notes', '- agenda item ']);
  await expect(page.getByRole('textbox', { name: 'Note body' }).locator('ul li')).toHaveCount(1);
  await backToList(page);

  // The newest note is on top until the older one is pinned.
  await expect(notes(page).getByRole('listitem').first()).toHaveAccessibleName(/Meeting notes/);
  await notes(page).getByRole('listitem', { name: 'Shopping list' }).getByRole('button').first().click();
  const pin = page.getByRole('button', { name: 'Pin note', exact: true });
  await expect(pin).toHaveAttribute('aria-pressed', 'false');
  await pin.click();
  await expect(pin).toHaveAttribute('aria-pressed', 'true');
  await backToList(page);
  await expect(notes(page).getByRole('listitem').first()).toHaveAccessibleName(/Shopping list/);

  // Search finds it by a word of its body, highlighted.
  await page.getByRole('textbox', { name: 'Search notes' }).fill('oat');
  await expect(notes(page).getByRole('listitem')).toHaveCount(1);
  await expect(notes(page).getByRole('listitem', { name: 'Shopping list' }).locator('mark')).toHaveText('oat');
  await page.getByRole('textbox', { name: 'Search notes' }).fill('');

  // Delete to Trash and restore it.
  await notes(page).getByRole('listitem', { name: 'Meeting notes' }).getByRole('button').first().click();
  await page.getByRole('button', { name: 'Delete note', exact: true }).click();
  await expect(notes(page).getByRole('listitem', { name: 'Meeting notes' })).toHaveCount(0);
  // Search leaves Trash out; opening Trash ends the search and empties the box.
  const searchBox = page.getByRole('textbox', { name: 'Search notes' });
  await searchBox.fill('meeting');
  await expect(page.getByText('No notes match.')).toBeVisible();
  if (isPhone(page)) await page.getByRole('button', { name: 'Notebooks' }).click();
  await page.getByRole('button', { name: 'Trash' }).click();
  await expect(searchBox).toHaveValue('');
  const trashed = notes(page).getByRole('listitem', { name: 'Meeting notes' });
  await expect(trashed).toBeVisible();
  await trashed.getByRole('button', { name: 'Restore' }).click();
  await expect(trashed).toHaveCount(0);

  // Reload: everything is there, still pinned, with its formatting.
  await page.reload();
  await expect(notes(page).getByRole('listitem')).toHaveCount(2);
  await expect(notes(page).getByRole('listitem').first()).toHaveAccessibleName(/Shopping list/);
  await notes(page).getByRole('listitem', { name: 'Shopping list' }).getByRole('button').first().click();
  await expect(page.getByRole('textbox', { name: 'Note body' }).locator('strong')).toHaveText('oat');
  await expect(page.getByRole('button', { name: 'Pin note', exact: true })).toHaveAttribute('aria-pressed', 'true');
});

// Keyboard shortcuts are a desktop matter: the phone project leaves out tests tagged @desktop.
test('the keyboard help sheet lists the shortcuts @desktop', async ({ page }) => {
  await openNotes(page);
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.getByText('New note')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await page.keyboard.press('Alt+n');
  await expect(page.getByRole('textbox', { name: 'Note body' })).toBeFocused();
});

test('settings show where notes are kept and whether the browser keeps them', async ({ page }) => {
  await openNotes(page);
  if (isPhone(page)) await page.getByRole('button', { name: 'Notebooks' }).click();
  await page.getByRole('button', { name: 'Settings' }).click();
  const storage = page.getByRole('dialog', { name: 'Settings' }).getByRole('region', { name: 'Storage' });
  await expect(storage).toContainText('OPFS');
  await expect(storage).toContainText(/Persistent storage(Granted|Not granted)/);
  await expect(storage).toContainText(/Used\d/);

  // Cloud peers of one's own, besides the app's: addresses are checked and kept.
  const peers = page.getByRole('dialog', { name: 'Settings' }).getByRole('region', { name: 'Cloud peers' });
  const own = '/ip4/127.0.0.1/tcp/4999/ws/p2p/12D3KooWBEgWQqbT2sodQ9YKuNEcitTWFwDwuSoJ1LKTk2MLu66y';
  await peers.getByRole('textbox', { name: 'Cloud peers' }).fill(`${own}\nnot an address`);
  await peers.getByRole('button', { name: 'Save cloud peers' }).click();
  await expect(peers.getByRole('status')).toHaveText('Saved. Not addresses, left out: not an address');
  await page.reload();
  await expect(page.getByRole('button', { name: 'New note', exact: true })).toBeVisible({ timeout: 30_000 });
  if (isPhone(page)) await page.getByRole('button', { name: 'Notebooks' }).click();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('dialog', { name: 'Settings' }).getByRole('textbox', { name: 'Cloud peers' })).toHaveValue(own);
});

test('notebooks: create, rename, and delete one with its notes going to Trash', async ({ page }) => {
  await openNotes(page);
  const phone = isPhone(page);
  const sidebar = async () => {
    if (phone) await page.getByRole('button', { name: 'Notebooks' }).click();
    return page.getByRole('navigation', { name: 'Notebooks' });
  };
  page.once('dialog', (d) => void d.accept('Recipes'));
  await (await sidebar()).getByRole('button', { name: 'New notebook' }).click();
  if (!phone) await expect(page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: /^Recipes/ })).toHaveAttribute('aria-current', 'page');
  await writeNote(page, ['Pancakes']);
  await backToList(page);
  const nav = await sidebar();
  await expect(nav.getByRole('button', { name: /^Recipes/ })).toHaveAccessibleName('Recipes 1 note');
  await nav.getByRole('button', { name: /^Recipes/ }).click();
  await (await sidebar()).getByRole('button', { name: 'Rename notebook' }).click();
  await page.getByRole('textbox', { name: 'Notebook name' }).fill('Baking');
  await page.getByRole('textbox', { name: 'Notebook name' }).press('Enter');
  await expect(page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: /^Baking/ })).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: 'Delete notebook' }).click();
  await expect(page.getByRole('navigation', { name: 'Notebooks' }).getByRole('button', { name: /^Baking/ })).toHaveCount(0);
  if (phone) await page.getByRole('button', { name: 'Notebooks' }).click();
  await page.getByRole('button', { name: 'Trash' }).click();
  await expect(notes(page).getByRole('listitem', { name: 'Pancakes' })).toBeVisible();
});

test('when the editor cannot be loaded, the note says so and the app keeps working @desktop', async ({ browser }) => {
  // No service worker, so the page's own requests can be cut: the editor's chunk never loads.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  await page.route(/\/assets\/NoteBody-[^/]*\.js$/, (route) => route.abort('internetdisconnected'));
  await openApp(page);
  await page.getByRole('button', { name: 'New note', exact: true }).click();
  const pane = page.getByRole('region', { name: 'Note' });
  await expect(pane.getByRole('alert')).toContainText('The editor could not be loaded');
  await expect(pane.getByRole('button', { name: 'Try again' })).toBeVisible();
  // Everything else still works: the note is in the list, and can be pinned.
  await pane.getByRole('button', { name: 'Pin note' }).click();
  await expect(pane.getByRole('button', { name: 'Pin note' })).toHaveAttribute('aria-pressed', 'true');
  await expect(notes(page).getByRole('listitem')).toHaveCount(1);
  // Once the network is back, Try again opens the editor.
  await page.unroute(/\/assets\/NoteBody-[^/]*\.js$/);
  await pane.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('textbox', { name: 'Note body' })).toBeVisible();
  await context.close();
});

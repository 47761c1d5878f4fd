import { expect, test, type Browser, type Page } from '@playwright/test';
import { startCloudPeer, stopAll, type RunningCloudPeer } from './cloud-peer';
import { createIdentity } from './people';

// Two people, each in an isolated browser context (own OPFS, own keys), and a cloud peer
// process that serves the app and relays; all on 127.0.0.1.
test.describe.configure({ mode: 'serial' });
test.skip(({ isMobile }) => isMobile, 'one viewport is enough for the network; the phone layout is covered in notes.spec');
test.afterEach(() => stopAll());

async function person(browser: Browser, cloud: RunningCloudPeer, name: string, path = '/'): Promise<Page> {
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: cloud.url });
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log(`[${name}] ${m.text()}`));
  await page.goto(new URL(path, cloud.url).toString());
  await expect(page.getByRole('button', { name: 'Create a new identity' })).toBeVisible({ timeout: 30_000 });
  await createIdentity(page, name);
  return page;
}

async function shareLink(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Share notebook' }).click();
  const link = page.getByRole('textbox', { name: 'Peer link' });
  await expect(link).toHaveValue(/#join=/);
  const value = await link.inputValue();
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('dialog').getByRole('status')).toHaveText('Link copied.');
  await page.getByRole('button', { name: 'Close' }).click();
  return value;
}

async function newNote(page: Page, text: string) {
  await page.getByRole('button', { name: 'New note', exact: true }).click();
  const body = page.getByRole('textbox', { name: 'Note body' });
  await body.click();
  await page.keyboard.type(text);
}

const notes = (page: Page) => page.getByRole('list', { name: 'Notes' });
const body = (page: Page) => page.getByRole('textbox', { name: 'Note body' });
/// The note's text as written, without the name tags of other people's cursors.
const textOf = (page: Page) =>
  body(page).evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.ProseMirror-yjs-cursor').forEach((c) => c.remove());
    return copy.textContent;
  });

test('a shared notebook syncs between two people: notes, concurrent typing, pins, cursors', async ({ browser }) => {
  test.setTimeout(180_000);
  const cloud = await startCloudPeer();
  const alice = await person(browser, cloud, 'Alice');
  await newNote(alice, 'Plans for the trip');
  const link = await shareLink(alice);
  expect(link.startsWith(cloud.url)).toBe(true);

  // Bob opens the link before he has an identity: it is kept and joined after onboarding.
  const bob = await person(browser, cloud, 'Bob', link.slice(link.indexOf('/', 8)));
  await expect(notes(bob).getByRole('listitem', { name: 'Plans for the trip' })).toBeVisible({ timeout: 30_000 });
  await expect(bob.getByRole('list', { name: 'People here' })).toContainText('Alice', { timeout: 30_000 });
  await expect(alice.getByRole('list', { name: 'People here' })).toContainText('Bob');

  // Both type into the same note at once.
  await notes(bob).getByRole('listitem', { name: 'Plans for the trip' }).getByRole('button').first().click();
  await body(bob).click();
  await bob.keyboard.press('End');
  await body(alice).click();
  await alice.keyboard.press('Home');
  await Promise.all([alice.keyboard.type('AAAA alice AAAA ', { delay: 20 }), bob.keyboard.type(' bob BBBB bob', { delay: 20 })]);
  const typed = Date.now();
  for (let i = 0; i < 100; i++) {
    const [a, b] = [await textOf(alice), await textOf(bob)];
    console.log(Date.now() - typed, JSON.stringify(a), JSON.stringify(b));
    if (a === b && a?.endsWith('bob') && a.startsWith('AAAA alice AAAA ')) break;
    await alice.waitForTimeout(100);
  }
  await expect.poll(async () => [await textOf(alice), await textOf(bob)], { timeout: 5_000 }).toEqual([
    'AAAA alice AAAA Plans for the trip bob BBBB bob',
    'AAAA alice AAAA Plans for the trip bob BBBB bob',
  ]);

  // Bob's cursor is drawn in Alice's editor, with his name; his database holds no cursor.
  await expect(body(alice).locator('.ProseMirror-yjs-cursor')).toContainText('Bob');
  // ...where his caret is: after the last thing he typed.
  await expect
    .poll(() =>
      body(alice).evaluate((el) => {
        const cursor = el.querySelector('.ProseMirror-yjs-cursor')!;
        const range = document.createRange();
        range.setStart(el, 0);
        range.setEndBefore(cursor);
        return range.toString();
      }),
    )
    .toBe('AAAA alice AAAA Plans for the trip bob BBBB bob');

  // Bob pins; Alice sees it pinned.
  await bob.getByRole('button', { name: 'Pin note', exact: true }).click();
  await expect(alice.getByRole('button', { name: 'Pin note', exact: true })).toHaveAttribute('aria-pressed', 'true');

  const status = alice.getByRole('status', { name: 'Sync status' });
  await status.locator('summary').click();
  await expect(status).toContainText(/Bob \(direct\)/);
  await expect(status).toContainText(/has all your changes/);
});

import { mnemonicToEntropy, mnemonicToSeedSync, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { expect, test, type Page } from '@playwright/test';
import { deriveIdentity } from '../src/identity';
import { createIdentity } from './people';

/// Everything this origin keeps in the browser: every OPFS file, every IndexedDB value and
/// localStorage, as byte strings (hex) and text. Read from a page that does not run the
/// app, so that no worker holds the OPFS files open.
async function everythingStored(page: Page): Promise<{ hex: string; text: string }[]> {
  await page.goto('/manifest.webmanifest');
  return page.evaluate(async () => {
    const out: { hex: string; text: string }[] = [];
    const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const add = (bytes: Uint8Array) => out.push({ hex: toHex(bytes), text: new TextDecoder('latin1').decode(bytes) });
    const walk = async (dir: FileSystemDirectoryHandle): Promise<void> => {
      for await (const [, handle] of dir.entries()) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle);
        else add(new Uint8Array(await (await (handle as FileSystemFileHandle).getFile()).arrayBuffer()));
      }
    };
    await walk(await navigator.storage.getDirectory());
    const visit = (value: unknown): void => {
      if (value instanceof Uint8Array) add(value);
      else if (value instanceof ArrayBuffer) add(new Uint8Array(value));
      else if (typeof value === 'string') add(new TextEncoder().encode(value));
      else if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object' && !(value instanceof CryptoKey)) Object.values(value).forEach(visit);
    };
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name!);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(store, 'readonly');
        const values = await new Promise<unknown[]>((resolve, reject) => {
          const request = tx.objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        values.forEach(visit);
      }
      db.close();
    }
    for (let i = 0; i < localStorage.length; i++) visit(`${localStorage.key(i)}=${localStorage.getItem(localStorage.key(i)!)}`);
    return out;
  });
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function identityPanel(page: Page) {
  const narrow = (page.viewportSize()?.width ?? 1000) < 720;
  if (narrow) await page.getByRole('button', { name: 'Notebooks' }).click();
  await page.getByRole('button', { name: 'Identity' }).click();
  const panel = page.getByRole('dialog', { name: 'Identity' });
  await expect(panel).toBeVisible();
  return panel;
}

test('the recovery words and the keys derived from them never reach storage @desktop', async ({ page }) => {
  await page.goto('/');
  const words = await createIdentity(page);
  // Write a note too, so that the database holds real content.
  await page.getByRole('button', { name: 'New note', exact: true }).click();
  await page.getByRole('textbox', { name: 'Note body' }).click();
  await page.keyboard.type('A note, so the database has content');
  await expect(page.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: /A note/ })).toBeVisible();
  // Search finds the note's last words once they are committed to the database (its text is
  // stored a moment after typing stops): the files read below hold them.
  await page.getByRole('textbox', { name: 'Search notes' }).fill('database has content');
  await expect(page.getByRole('list', { name: 'Notes' }).getByRole('listitem', { name: /A note/ })).toBeVisible();

  const phrase = words.join(' ');
  const secrets = [
    hex(mnemonicToEntropy(phrase, wordlist)),
    hex(mnemonicToSeedSync(phrase)),
    hex(deriveIdentity(phrase).identityKey.secretKey),
  ];
  const stored = await everythingStored(page);
  expect(stored.length).toBeGreaterThan(2); // the database, the keys: the search has something to search
  const all = stored.map((s) => s.text).join('\n').toLowerCase();
  const allHex = stored.map((s) => s.hex).join('|');
  expect(all).not.toContain(phrase);
  for (let i = 0; i + 1 < words.length; i++) {
    for (const sep of [' ', ',', '\n', '","', '-']) expect(all, `words ${i + 1}-${i + 2}`).not.toContain(`${words[i]}${sep}${words[i + 1]}`);
  }
  for (const secret of secrets) expect(allHex).not.toContain(secret);
  // The search can find things: the note's words are in the database file.
  expect(all).toContain('a note, so the database has content');
});

test('restoring the same 12 words on another device gives the same person, a new device key', async ({ browser }) => {
  const laptop = await browser.newPage();
  await laptop.goto('/');
  const words = await createIdentity(laptop, 'Laptop');
  const panelA = await identityPanel(laptop);
  const person = await panelA.getByLabel('Fingerprint').innerText();
  const laptopDevice = await panelA.getByText(/^Laptop · /).innerText();

  const phone = await browser.newPage(); // another browser context: another device
  await phone.goto('/');
  await phone.getByRole('button', { name: 'I have 12 words' }).click();
  const box = phone.getByRole('textbox', { name: 'Enter your 12 words' });
  await box.fill(`${words[0]} qqqqq `);
  await expect(phone.getByRole('status')).toContainText('Word 2 (“qqqqq”) is not a recovery word');
  // Real words in an order whose checksum fails (a rotation passes by chance 1 time in 16).
  const rotations = words.map((_, k) => [...words.slice(k), ...words.slice(0, k)]);
  await box.fill(rotations.find((r) => !validateMnemonic(r.join(' '), wordlist))!.join(' '));
  await expect(phone.getByRole('status')).toContainText('do not belong together');
  await expect(phone.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await box.fill(words.join(' '));
  await expect(phone.getByRole('status')).toContainText('All 12 words check out');
  await phone.getByRole('button', { name: 'Continue' }).click();
  await phone.getByRole('textbox', { name: 'Display name' }).fill('Phone');
  await phone.getByRole('button', { name: 'Continue' }).click();
  const panelB = await identityPanel(phone);
  await expect(panelB.getByLabel('Fingerprint')).toHaveText(person);
  const phoneDevice = await panelB.getByText(/^Phone · /).innerText();
  expect(phoneDevice.split(' · ')[1]).not.toBe(laptopDevice.split(' · ')[1]);
  await laptop.context().close();
  await phone.context().close();
});

test('signing out forgets the keys after a warning', async ({ page }) => {
  await page.goto('/');
  await createIdentity(page);
  const panel = await identityPanel(page);
  // The words can be shown again in this session, after a confirmation.
  page.once('dialog', (d) => void d.accept());
  await panel.getByRole('button', { name: 'Show recovery words' }).click();
  await expect(panel.getByRole('list', { name: 'Recovery words' }).getByRole('listitem')).toHaveCount(12);
  page.once('dialog', (d) => void d.accept());
  await panel.getByRole('button', { name: 'Sign out of this device' }).click();
  await expect(page.getByRole('button', { name: 'Create a new identity' })).toBeVisible({ timeout: 30_000 });
});

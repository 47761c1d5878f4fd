import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test as base, type BrowserContext, type ConsoleMessage, type Page } from '@playwright/test';
import { databaseLockName } from '../src/storage/browser/tab-channel';
import { storageContract } from '../src/sync/testing/storage-contract';

// The browser storage adapter in the system Chromium, on real OPFS, through the test-only
// harness page (e2e/harness/storage.ts), which puts the adapter on window.storageHarness.
//
// Most tests run in one persistent profile (a temp user-data-dir), as a person's browser
// does: there OPFS is files on disk. Playwright's default context is incognito, where
// Chromium keeps OPFS in memory behind IPC (every 4 KiB write takes milliseconds): the
// tests that use the `page` fixture run there.

const test = base.extend<{ profile: BrowserContext }, { persistentProfile: BrowserContext }>({
  persistentProfile: [
    async ({ playwright }, use, workerInfo) => {
      const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-e2e-profile-'));
      const { launchOptions, baseURL } = workerInfo.project.use;
      const context = await playwright.chromium.launchPersistentContext(userDataDir, { ...launchOptions, baseURL });
      await use(context);
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  /// The persistent profile, with every page a test opened closed after it.
  profile: async ({ persistentProfile }, use) => {
    const before = new Set(persistentProfile.pages());
    await use(persistentProfile);
    await Promise.all(persistentProfile.pages().filter((p) => !before.has(p)).map((p) => p.close()));
  },
});

const HARNESS = '/e2e/harness/storage.html';
let counter = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${++counter}`;

async function openHarness(page: Page): Promise<void> {
  await page.goto(HARNESS);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/// Collects the `ack <tab> <id> <ms>` lines the harness logs for each write the adapter
/// confirmed: the ids, and the page's clock at each.
function collectAcks(page: Page): { ids: number[]; times: number[] } {
  const acks = { ids: [] as number[], times: [] as number[] };
  page.on('console', (message: ConsoleMessage) => {
    const ack = /^ack \S+ (\d+) ([\d.]+)$/.exec(message.text());
    if (ack) {
      acks.ids.push(Number(ack[1]));
      acks.times.push(Number(ack[2]));
    }
  });
  return acks;
}

const BURST_TABLE = 'CREATE TABLE burst (id INTEGER NOT NULL, tab TEXT NOT NULL)';

/// The renderer processes of the browser that uses `userDataDir` (Linux /proc; Chromium
/// passes the profile directory to its children). Web UI renderers are left alone.
function rendererPids(userDataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd: string;
    try {
      // Chromium rewrites its command line, sometimes with spaces instead of NULs.
      cmd = ` ${fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')} `;
    } catch {
      continue; // the process ended while we looked
    }
    if (cmd.includes(' --type=renderer ') && cmd.includes(` --user-data-dir=${userDataDir} `) && !cmd.includes(' --top-chrome-webui ')) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

// Storage internals: the desktop project only (see playwright.config.ts).
test.describe('browser storage adapter', { tag: '@desktop' }, () => {
  test.describe('storage contract in the browser', () => {
    const variants = [
      { storage: 'opfs', via: 'owner' },
      { storage: 'indexeddb', via: 'owner' },
      // Through a second worker while another holds the database: every call forwarded.
      { storage: 'opfs', via: 'follower' },
    ] as const;
    for (const { storage, via } of variants) {
      for (const check of storageContract) {
        test(`${storage}, ${via}: ${check.name}`, async ({ profile }) => {
          const page = await profile.newPage();
          await openHarness(page);
          const result = await page.evaluate(([name, kind, via]) => window.storageHarness.runContractCheck(name, kind, via), [check.name, storage, via] as const);
          expect(result).toEqual({ ok: true, kinds: [storage], roles: [via] });
        });
      }
    }
  });

  test('auto picks OPFS in Chromium (here in an incognito context); the IndexedDB fallback reports itself and keeps data', async ({ page }) => {
    await openHarness(page);
    const auto = unique('auto');
    expect(await page.evaluate((name) => window.storageHarness.open(name), auto)).toEqual({ role: 'owner', storageKind: 'opfs' });
    expect(typeof (await page.evaluate((name) => window.storageHarness.persist(name), auto))).toBe('boolean');
    const estimate = await page.evaluate((name) => window.storageHarness.estimate(name), auto);
    expect(estimate.quota).toBeGreaterThan(0);
    expect(estimate.usage).toBeGreaterThanOrEqual(0);
    await page.evaluate((name) => window.storageHarness.close(name), auto);

    const fallback = unique('fallback');
    expect(await page.evaluate((name) => window.storageHarness.open(name, 'indexeddb'), fallback)).toEqual({ role: 'owner', storageKind: 'indexeddb' });
    await page.evaluate(async (name) => {
      await window.storageHarness.execScript(name, "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT); SELECT crsql_as_crr('t');");
      await window.storageHarness.transact(name, [{ sql: "INSERT INTO t VALUES ('k', 'in indexeddb')" }]);
    }, fallback);
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await page.evaluate((name) => window.storageHarness.open(name, 'indexeddb'), fallback);
    expect(await page.evaluate((name) => window.storageHarness.query(name, 'SELECT v FROM t'), fallback)).toEqual([{ v: 'in indexeddb' }]);
  });

  test('written data survives a reload, and a browser restart on the same profile', async ({ playwright }, testInfo) => {
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-profile-'));
    const { launchOptions, baseURL } = testInfo.project.use;
    const launch = () => playwright.chromium.launchPersistentContext(userDataDir, { ...launchOptions, baseURL });
    const name = unique('persist');
    try {
      let context = await launch();
      let page = context.pages()[0] ?? (await context.newPage());
      await openHarness(page);
      await page.evaluate(async (name) => {
        const h = window.storageHarness;
        await h.open(name);
        await h.execScript(name, "CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT); SELECT crsql_as_crr('notes');");
        await h.transact(name, [
          { sql: 'INSERT INTO notes VALUES (?, ?)', params: ['n1', 'first note'] },
          { sql: 'INSERT INTO notes VALUES (?, ?)', params: ['n2', 'second note'] },
        ]);
      }, name);
      const site = await page.evaluate((name) => window.storageHarness.query(name, 'SELECT hex(crsql_site_id()) AS site'), name);

      await page.reload();
      await page.waitForFunction(() => document.body.dataset.ready === 'true');
      await page.evaluate((name) => window.storageHarness.open(name), name);
      expect(await page.evaluate((name) => window.storageHarness.query(name, 'SELECT id, body FROM notes ORDER BY id'), name)).toEqual([
        { id: 'n1', body: 'first note' },
        { id: 'n2', body: 'second note' },
      ]);
      await page.evaluate((name) => window.storageHarness.transact(name, [{ sql: "INSERT INTO notes VALUES ('n3', 'after reload')" }]), name);
      await context.close();

      context = await launch();
      page = context.pages()[0] ?? (await context.newPage());
      await openHarness(page);
      await page.evaluate((name) => window.storageHarness.open(name), name);
      expect(await page.evaluate((name) => window.storageHarness.query(name, 'SELECT id FROM notes ORDER BY id'), name)).toEqual([{ id: 'n1' }, { id: 'n2' }, { id: 'n3' }]);
      expect(await page.evaluate((name) => window.storageHarness.query(name, 'SELECT hex(crsql_site_id()) AS site'), name)).toEqual(site);
      expect(await page.evaluate((name) => window.storageHarness.query(name, 'PRAGMA integrity_check'), name)).toEqual([{ integrity_check: 'ok' }]);
      await context.close();
    } finally {
      fs.rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  test('two tabs share one database; when the owner tab closes mid-burst the other carries on with everything', async ({ profile }) => {
    const name = unique('tabs');
    const a = await profile.newPage();
    await openHarness(a);
    expect(await a.evaluate((name) => window.storageHarness.open(name), name)).toEqual({ role: 'owner', storageKind: 'opfs' });
    await a.evaluate(
      ([name, burst]) => window.storageHarness.execScript(name, `CREATE TABLE shared (id TEXT PRIMARY KEY NOT NULL, tab TEXT); SELECT crsql_as_crr('shared'); ${burst};`),
      [name, BURST_TABLE] as const,
    );

    const b = await profile.newPage();
    await openHarness(b);
    expect(await b.evaluate((name) => window.storageHarness.open(name), name)).toEqual({ role: 'follower', storageKind: 'opfs' });

    // Both write, both read each other's writes, and each hears of the other's (not its own).
    await a.evaluate((name) => window.storageHarness.transact(name, [{ sql: "INSERT INTO shared VALUES ('from-a', 'a')" }]), name);
    await expect.poll(() => b.evaluate((name) => window.storageHarness.remoteWrites(name), name)).toBe(1);
    expect(await a.evaluate((name) => window.storageHarness.remoteWrites(name), name)).toBe(0);
    await b.evaluate((name) => window.storageHarness.transact(name, [{ sql: "INSERT INTO shared VALUES ('from-b', 'b')" }]), name);
    await expect.poll(() => a.evaluate((name) => window.storageHarness.remoteWrites(name), name)).toBe(1);
    expect(await b.evaluate((name) => window.storageHarness.remoteWrites(name), name)).toBe(1);
    const both = [
      { id: 'from-a', tab: 'a' },
      { id: 'from-b', tab: 'b' },
    ];
    expect(await a.evaluate((name) => window.storageHarness.query(name, 'SELECT id, tab FROM shared ORDER BY id'), name)).toEqual(both);
    expect(await b.evaluate((name) => window.storageHarness.query(name, 'SELECT id, tab FROM shared ORDER BY id'), name)).toEqual(both);

    // B writes a burst, several calls in flight at a time; A closes in the middle of it.
    const acks = collectAcks(b);
    const burst = b.evaluate(
      (name) => window.storageHarness.burst(name, { table: 'burst', tab: 'b', start: 1, count: 1500, concurrency: 8 }),
      name,
    );
    await expect.poll(() => acks.ids.length, { timeout: 20_000 }).toBeGreaterThan(300);
    await a.close();
    const result = await burst;

    expect(result.failures).toEqual([]);
    expect(result.acked).toBe(1500);
    expect(await b.evaluate((name) => window.storageHarness.role(name), name)).toBe('owner');
    // Every acknowledged write is there exactly once: calls in flight at the handover were
    // sent again, and none ran twice. (Whether one had committed at A before A went away is
    // up to timing here; owner-session.test.ts forces that case against the call log.)
    expect(await b.evaluate((name) => window.storageHarness.query(name, 'SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS lo, max(id) AS hi FROM burst'), name)).toEqual([
      { n: 1500, ids: 1500, lo: 1, hi: 1500 },
    ]);
    // Calls went through A until it closed, and B took over within a second.
    const stats = await b.evaluate((name) => window.storageHarness.stats(name), name);
    expect(stats.forwardedCalls).toBeGreaterThan(300);
    // Calls were in flight when A closed, and were sent again.
    expect(stats.handoverRetries).toBeGreaterThan(0);
    const gaps = acks.times.slice(1).map((t, i) => t - acks.times[i]!);
    const longestPause = Math.max(...gaps);
    test.info().annotations.push({ type: 'handover', description: `longest pause between acknowledged writes ${longestPause.toFixed(0)} ms; ${stats.handoverRetries} calls retried` });
    expect(longestPause).toBeLessThan(1000);

    // B keeps A's writes and goes on writing and reading.
    await b.evaluate((name) => window.storageHarness.transact(name, [{ sql: "INSERT INTO shared VALUES ('after', 'b')" }]), name);
    expect(await b.evaluate((name) => window.storageHarness.query(name, 'SELECT id FROM shared ORDER BY id'), name)).toEqual([{ id: 'after' }, { id: 'from-a' }, { id: 'from-b' }]);
    expect(await b.evaluate((name) => window.storageHarness.query(name, 'PRAGMA integrity_check'), name)).toEqual([{ integrity_check: 'ok' }]);
  });

  test('every acknowledged write survives killing the renderer in the middle of a burst', async ({ playwright }, testInfo) => {
    // Its own browser, so that killing renderers touches nothing else. SIGKILL is a real kill:
    // with chrome://crash the worker went on with its queued writes (an adapter deliberately
    // broken to acknowledge writes 50 ms before making them passed that way; SIGKILL
    // catches it).
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-e2e-kill-'));
    const { launchOptions, baseURL } = testInfo.project.use;
    const context = await playwright.chromium.launchPersistentContext(userDataDir, { ...launchOptions, baseURL });
    try {
      const name = unique('kill');
      const page = context.pages()[0] ?? (await context.newPage());
      await openHarness(page);
      await page.evaluate(([name, table]) => window.storageHarness.open(name).then(() => window.storageHarness.execScript(name, table)), [name, BURST_TABLE] as const);
      const acks = collectAcks(page);
      const burst = page.evaluate((name) => window.storageHarness.burst(name, { table: 'burst', tab: 'x', start: 1, count: 1_000_000, concurrency: 4 }), name).catch(() => 'killed');
      await expect.poll(() => acks.ids.length, { timeout: 20_000 }).toBeGreaterThan(300);
      const pids = rendererPids(userDataDir);
      expect(pids.length).toBeGreaterThan(0);
      const crashed = page.waitForEvent('crash');
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await crashed;
      expect(await burst).toBe('killed');
      const acknowledged = [...acks.ids];

      const again = await context.newPage();
      await openHarness(again);
      expect(await again.evaluate((name) => window.storageHarness.open(name), name)).toEqual({ role: 'owner', storageKind: 'opfs' });
      expect(await again.evaluate((name) => window.storageHarness.query(name, 'PRAGMA integrity_check'), name)).toEqual([{ integrity_check: 'ok' }]);
      const present = new Set((await again.evaluate((name) => window.storageHarness.query(name, 'SELECT id FROM burst'), name)).map((row) => Number(row.id)));
      expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
      // The kill came mid-burst, not after it.
      expect(present.size).toBeLessThan(1_000_000);
      await again.evaluate((name) => window.storageHarness.transact(name, [{ sql: 'INSERT INTO burst VALUES (0, ?)', params: ['after'] }]), name);
    } finally {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  test('a garbled OPFS database file is refused with a StorageOpenError, and its bytes can still be read', async ({ profile }) => {
    const page = await profile.newPage();
    await openHarness(page);
    const name = unique('garbled');
    await page.evaluate(async (name) => {
      const h = window.storageHarness;
      await h.open(name);
      await h.execScript(name, "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT); SELECT crsql_as_crr('t');");
      await h.transact(name, [{ sql: "INSERT INTO t VALUES ('k', 'v')" }]);
      await h.close(name);
    }, name);
    await page.evaluate((name) => window.storageHarness.corruptFile(name, 'data'), name);
    const opened = await page.evaluate((name) => window.storageHarness.openError(name, 'opfs', 3_000), name);
    expect(opened.error).toMatchObject({ isStorageOpenError: true, kind: 'not-a-database' });
    expect(opened.ms).toBeLessThan(3_000);
    // "Export what can be read": the raw bytes are still there.
    const bytes = await page.evaluate((name) => window.storageHarness.readFile(name), name);
    expect(bytes.magic).toBe('this is not an ');
    expect(bytes.length).toBeGreaterThan(4096);
  });

  test('a damaged pool header is refused as corrupt instead of the VFS wiping the file', async ({ profile }) => {
    const page = await profile.newPage();
    await openHarness(page);
    const name = unique('header');
    const pages = await page.evaluate(async (name) => {
      const h = window.storageHarness;
      await h.open(name);
      await h.execScript(name, "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT); SELECT crsql_as_crr('t');");
      await h.transact(name, [{ sql: "INSERT INTO t VALUES ('k', 'v')" }]);
      const [row] = await h.query(name, 'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()');
      const open = await h.readFile(name);
      await h.close(name);
      return { expected: Number(row!.bytes), open };
    }, name);
    expect(pages.open).toEqual({ length: pages.expected, magic: 'SQLite format 3', pageSize: 4096 });

    await page.evaluate((name) => window.storageHarness.corruptFile(name, 'header'), name);
    const opened = await page.evaluate((name) => window.storageHarness.openError(name, 'opfs', 3_000), name);
    expect(opened.error).toMatchObject({ isStorageOpenError: true, kind: 'corrupt' });
    // The database's bytes were left untouched and can be exported.
    expect(await page.evaluate((name) => window.storageHarness.readFile(name), name)).toEqual(pages.open);
  });

  test('a database that hits the storage quota: opening fails as full, writing fails and keeps what committed', async ({ page, context }) => {
    // An incognito context, so that the quota override goes away with it.
    await openHarness(page);
    const cdp = await context.newCDPSession(page);
    const origin = new URL(page.url()).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 20_000 });
    const opened = await page.evaluate((name) => window.storageHarness.openError(name, 'opfs', 3_000), unique('quota-open'));
    expect(opened.error).toMatchObject({ isStorageOpenError: true, kind: 'full' });

    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 400_000 });
    const name = unique('quota-write');
    const outcome = await page.evaluate(async (name) => {
      const h = window.storageHarness;
      await h.open(name);
      await h.execScript(name, 'CREATE TABLE t (v BLOB)');
      let committed = 0;
      try {
        for (let i = 0; i < 100; i++) {
          await h.transact(name, [{ sql: 'INSERT INTO t VALUES (zeroblob(50000))' }]);
          committed++;
        }
      } catch (error) {
        return { committed, error: String(error) };
      }
      return { committed, error: null };
    }, name);
    expect(outcome.error).toMatch(/full/);
    expect(await page.evaluate((name) => window.storageHarness.query(name, 'SELECT count(*) AS n FROM t'), name)).toEqual([{ n: outcome.committed }]);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.evaluate((name) => window.storageHarness.transact(name, [{ sql: 'INSERT INTO t VALUES (zeroblob(50000))' }]), name);
    expect(await page.evaluate((name) => window.storageHarness.query(name, 'PRAGMA integrity_check'), name)).toEqual([{ integrity_check: 'ok' }]);
  });

  test('a deleted database is gone, in OPFS and in IndexedDB', async ({ profile }) => {
    const page = await profile.newPage();
    await openHarness(page);
    for (const storage of ['opfs', 'indexeddb'] as const) {
      const name = unique(`delete-${storage}`);
      await page.evaluate(
        async ([name, storage]) => {
          const h = window.storageHarness;
          await h.open(name, storage);
          await h.execScript(name, 'CREATE TABLE t (v TEXT)');
          await h.close(name);
          await h.deleteDatabase(name);
          await h.open(name, storage);
        },
        [name, storage] as const,
      );
      expect(await page.evaluate((name) => window.storageHarness.query(name, 'SELECT name FROM sqlite_master WHERE name = ?', ['t']), name)).toEqual([]);
      await page.evaluate((name) => window.storageHarness.close(name), name);
    }
  });

  test('opening while another tab holds the database and does not answer fails as locked, in time', async ({ profile }) => {
    const name = unique('locked');
    const holder = await profile.newPage();
    await openHarness(holder);
    // A tab that holds the database's lock without serving it (an older version, or a hung one).
    await holder.evaluate((lock) => {
      void navigator.locks.request(lock, () => new Promise(() => undefined));
    }, databaseLockName(name));
    const other = await profile.newPage();
    await openHarness(other);
    const opened = await other.evaluate((name) => window.storageHarness.openError(name, 'opfs', 1_500), name);
    expect(opened.error).toMatchObject({ isStorageOpenError: true, kind: 'locked' });
    expect(opened.ms).toBeLessThan(5_000);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { compileSyncSchema } from '../schema';
import { openFileDatabase, openMemoryDatabase } from '../storage/node';
import { checkReplicaDatabase, mergeReplica, MergeError, Replica, type SyncScope } from './index';
import { notesSchema } from './testing/fixtures';

const body = (id: string) => ({ table: 'notes', column: 'body', pk: [id] });

async function open(schema = notesSchema): Promise<Replica> {
  return Replica.open({ db: await openMemoryDatabase(), schema });
}

async function edit(r: Replica, id: string, change: (text: Y.Text) => void): Promise<void> {
  const handle = await r.texts.openDoc(body(id));
  change(handle.doc.getText('t'));
  await handle.release();
}

async function textOf(r: Replica, id: string): Promise<string> {
  const handle = await r.texts.openDoc(body(id));
  const text = handle.doc.getText('t').toString();
  await handle.release();
  return text;
}

/// Everything of a replica that a merge could change.
async function fingerprint(r: Replica) {
  return {
    rows: await r.query('SELECT id, body, is_pinned FROM notes ORDER BY id'),
    changes: await r.query('SELECT "table", hex(pk) AS pk, cid, quote(val) AS val, col_version, hex(site_id) AS site, cl FROM crsql_changes ORDER BY "table", pk, cid'),
  };
}

/// Sends everything `from` has that `to` has not seen, as a sync session would.
async function sync(from: Replica, to: Replica): Promise<void> {
  const since = (await to.peerProgress(from.siteBytes)).receivedUpTo;
  for (let set = await from.changesSince(since); set.changes.length > 0; set = await from.changesSince(set.upTo)) await to.applyChangeset(set);
}

describe('mergeReplica', () => {
  it('merges rows and concurrent text edits without duplicates; merging again changes nothing', async () => {
    const a = await open();
    const b = await open();
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('shared', 1)");
    await edit(a, 'shared', (t) => t.insert(0, 'hello'));
    await sync(a, b);
    // Apart from here on: each edits the shared note and adds a note of its own.
    await edit(a, 'shared', (t) => t.insert(5, ' world'));
    await edit(b, 'shared', (t) => t.insert(0, 'Big '));
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('from-a', 0)");
    await edit(a, 'from-a', (t) => t.insert(0, 'only on a'));
    await b.execute("INSERT INTO notes (id, is_pinned) VALUES ('from-b', 1)");

    const report = await mergeReplica(b, a);
    expect(report.rowsChanged).toBeGreaterThan(0);
    expect(await b.query('SELECT id, body, is_pinned FROM notes ORDER BY id')).toEqual([
      { id: 'from-a', body: 'only on a', is_pinned: 0 },
      { id: 'from-b', body: null, is_pinned: 1 },
      { id: 'shared', body: 'Big hello world', is_pinned: 1 },
    ]);
    expect(await textOf(b, 'shared')).toBe('Big hello world');

    const merged = await fingerprint(b);
    const again = await mergeReplica(b, a);
    expect(again).toMatchObject({ rowsChanged: 0, docsChanged: 0 });
    expect(await fingerprint(b)).toEqual(merged);
    // Merging a replica into itself is a no-op too.
    await mergeReplica(b, b);
    expect(await fingerprint(b)).toEqual(merged);
    await a.close();
    await b.close();
  });

  it('keeps the history that later edits build on: syncing on after a merge duplicates nothing', async () => {
    const a = await open();
    await a.execute("INSERT INTO notes (id) VALUES ('n')");
    await edit(a, 'n', (t) => t.insert(0, 'draft'));
    const restored = await open();
    await mergeReplica(restored, a);
    // Both go on editing, then sync as peers.
    await edit(a, 'n', (t) => t.insert(5, ' one'));
    await edit(restored, 'n', (t) => t.insert(0, 'First '));
    await sync(a, restored);
    await sync(restored, a);
    expect(await textOf(a, 'n')).toBe('First draft one');
    expect(await textOf(restored, 'n')).toBe('First draft one');
    await a.close();
    await restored.close();
  });

  it('applies in batches that end on whole transactions, to the same result', async () => {
    const a = await open();
    for (let i = 0; i < 20; i++) await a.execute('INSERT INTO notes (id, is_pinned) VALUES (?, ?)', [`n${i}`, i % 2]);
    await a.transact(Array.from({ length: 7 }, (_, i) => ({ sql: 'INSERT INTO notes (id) VALUES (?)', params: [`batch${i}`] })));
    const small = await open();
    const whole = await open();
    const report = await mergeReplica(small, a, { batchSize: 3 });
    await mergeReplica(whole, a);
    expect(report.batches).toBeGreaterThan(5);
    expect(report.changes).toBe((await a.changesSince(0)).changes.length);
    expect((await fingerprint(small)).rows).toEqual((await fingerprint(whole)).rows);
    expect((await fingerprint(small)).rows).toHaveLength(27);
    await a.close();
    await small.close();
    await whole.close();
  });

  it('merges only what a scope shares', async () => {
    const a = await open();
    for (const id of ['keep-1', 'keep-2', 'other']) {
      await a.execute('INSERT INTO notes (id, is_pinned) VALUES (?, 1)', [id]);
      await edit(a, id, (t) => t.insert(0, `text of ${id}`));
    }
    const keeps = (pk: readonly unknown[]) => String(pk[0]).startsWith('keep');
    const scope: SyncScope = {
      key: 'keep',
      filterOutgoing: async (changes) => {
        const subjects = await a.subjectsOf(changes);
        return changes.filter((_, i) => {
          const s = subjects[i]!;
          return s.kind === 'row' ? keeps(s.pk) : s.kind === 'text' && keeps(s.doc.pk);
        });
      },
      checkIncoming: async () => undefined,
      includesDoc: async (ref) => keeps(ref.pk),
      includesRow: async (_table, pk) => keeps(pk),
    };
    const b = await open();
    await mergeReplica(b, a, { scope, batchSize: 2 });
    expect(await b.query('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 'keep-1', body: 'text of keep-1' },
      { id: 'keep-2', body: 'text of keep-2' },
    ]);
    // A part is not the whole: syncing with the source unscoped later still brings the rest.
    expect((await b.peerProgress(a.siteBytes)).receivedUpTo).toBe(0);
    await sync(a, b);
    expect((await b.query('SELECT id FROM notes ORDER BY id')).map((r) => r.id)).toEqual(['keep-1', 'keep-2', 'other']);
    await a.close();
    await b.close();
  });

  it('copies rows of local tables the target lacks, keeping the ones it has', async () => {
    const a = await open();
    const b = await open();
    const c = await open();
    const ddl = 'CREATE TABLE keys (id TEXT PRIMARY KEY NOT NULL, secret BLOB NOT NULL, extra TEXT)';
    await a.execute(ddl);
    await a.execute("INSERT INTO keys VALUES ('k1', x'01', 'a'), ('k2', x'02', 'a')");
    await b.execute('CREATE TABLE keys (id TEXT PRIMARY KEY NOT NULL, secret BLOB NOT NULL)');
    await b.execute("INSERT INTO keys VALUES ('k1', x'ff')");
    expect((await mergeReplica(b, a, { localTables: ['keys', 'missing'] })).localRows).toBe(1);
    expect(await b.query('SELECT id, hex(secret) AS secret FROM keys ORDER BY id')).toEqual([
      { id: 'k1', secret: 'FF' },
      { id: 'k2', secret: '02' },
    ]);
    // A target without the table gets it as the source declares it.
    expect((await mergeReplica(c, a, { localTables: ['keys'] })).localRows).toBe(2);
    expect(await c.query('SELECT id, extra FROM keys ORDER BY id')).toEqual([
      { id: 'k1', extra: 'a' },
      { id: 'k2', extra: 'a' },
    ]);
    // From a source without it: nothing.
    expect((await mergeReplica(a, b, { localTables: ['nope'] })).localRows).toBe(0);
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});

describe('checkReplicaDatabase', () => {
  it('accepts a replica of the schema and writes nothing to it', async () => {
    const r = await open();
    await r.execute("INSERT INTO notes (id) VALUES ('n')");
    await r.close();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-check-'));
    try {
      const file = path.join(dir, 'replica.sqlite');
      const writer = await Replica.open({ db: await openFileDatabase(file), schema: notesSchema });
      await writer.execute("INSERT INTO notes (id) VALUES ('n')");
      await writer.close();
      const bytes = fs.readFileSync(file);
      const db = await openFileDatabase(file);
      await checkReplicaDatabase(db, notesSchema);
      await db.close();
      expect(fs.readFileSync(file)).toEqual(bytes);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an SQLite database of another app, and a replica of another schema', async () => {
    const foreign = await openMemoryDatabase();
    await foreign.execScript('CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO recipes VALUES (1, \'soup\');');
    await expect(checkReplicaDatabase(foreign, notesSchema)).rejects.toMatchObject({ code: 'not-a-replica' });
    await foreign.close();

    const otherDb = await openMemoryDatabase();
    const otherReplica = await Replica.open({ db: otherDb, schema: compileSyncSchema('CREATE TABLE notes (id TEXT PRIMARY KEY, title LWW_TEXT);') });
    await expect(checkReplicaDatabase(otherDb, notesSchema)).rejects.toMatchObject({ code: 'schema-mismatch' });
    const target = await open();
    await expect(mergeReplica(target, otherReplica)).rejects.toBeInstanceOf(MergeError);
    await otherReplica.close();
    await target.close();
  });

  it('refuses a truncated replica file: SQLite at open, or the check as damaged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-truncated-'));
    try {
      const file = path.join(dir, 'replica.sqlite');
      const writer = await Replica.open({ db: await openFileDatabase(file), schema: notesSchema });
      for (let i = 0; i < 200; i++) await writer.execute('INSERT INTO notes (id, is_pinned) VALUES (?, 1)', [`note-${i}-${'x'.repeat(40)}`]);
      await writer.close();
      const bytes = fs.readFileSync(file);
      const cut = (name: string, length: number) => {
        fs.writeFileSync(path.join(dir, name), bytes.subarray(0, length));
        return path.join(dir, name);
      };
      // Cut in half: cr-sqlite reads its own tables while SQLite opens the file, and fails.
      await expect(openFileDatabase(cut('half.sqlite', bytes.byteLength >> 1))).rejects.toMatchObject({ kind: 'corrupt' });
      // Short of a part of its last page: it opens, and the check finds the damage.
      const db = await openFileDatabase(cut('short.sqlite', bytes.byteLength - 1000));
      await expect(checkReplicaDatabase(db, notesSchema)).rejects.toMatchObject({ code: 'damaged' });
      await db.close().catch(() => undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

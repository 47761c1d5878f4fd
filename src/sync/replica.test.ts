import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { compileSyncSchema } from '../schema';
import { openMemoryDatabase } from '../storage/node';
import { Replica, type ChangeEvent } from './index';
import { ManualClock, ManualFrames, notesSchema } from './testing/fixtures';

async function openReplica(options: { frames?: ManualFrames; clock?: ManualClock; schema?: typeof notesSchema } = {}) {
  return Replica.open({
    db: await openMemoryDatabase(),
    schema: options.schema ?? notesSchema,
    scheduler: (options.frames ?? new ManualFrames()).scheduler,
    clock: options.clock ?? new ManualClock(),
  });
}
const body = (id: string) => ({ table: 'notes', column: 'body', pk: [id] });

describe('Replica: the user table', () => {
  it('reads and writes LWW columns through the table name, and shows readable text', async () => {
    const r = await openReplica();
    await r.execute('INSERT INTO notes (id, is_pinned) VALUES (?, ?)', ['a', 1]);
    await r.execute('INSERT INTO notes (id) VALUES (?)', ['b']);
    await r.execute('UPDATE notes SET is_pinned = 0 WHERE id = ?', ['a']);
    const h = await r.texts.openDoc(body('a'));
    h.doc.getText('t').insert(0, 'Groceries\nmilk, eggs');
    await r.flush();
    expect(await r.query('SELECT id, body, is_pinned FROM notes ORDER BY id')).toEqual([
      { id: 'a', body: 'Groceries\nmilk, eggs', is_pinned: 0 },
      { id: 'b', body: null, is_pinned: null },
    ]);
    await r.execute('DELETE FROM notes WHERE id = ?', ['b']);
    expect(await r.query('SELECT id FROM notes')).toEqual([{ id: 'a' }]);
    await h.release();
    await r.close();
  });

  it('refuses writes of REALTIME_TEXT through SQL and primary key changes, changing nothing', async () => {
    const r = await openReplica();
    await r.execute('INSERT INTO notes (id, is_pinned) VALUES (?, 0)', ['a']);
    const before = await r.dbVersion();
    await expect(r.execute("INSERT INTO notes (id, body) VALUES ('x', 'text')")).rejects.toThrow(/notes\.body is REALTIME_TEXT/);
    await expect(r.execute("UPDATE notes SET body = 'text' WHERE id = 'a'")).rejects.toThrow(/REALTIME_TEXT/);
    await expect(r.execute("UPDATE notes SET id = 'z' WHERE id = 'a'")).rejects.toThrow(/primary key cannot change/);
    expect(await r.dbVersion()).toBe(before);
    expect(await r.query('SELECT id FROM notes')).toEqual([{ id: 'a' }]);
    await r.close();
  });

  it('keeps defaults of NOT NULL columns and works with composite keys and several tables', async () => {
    const schema = compileSyncSchema(`
      CREATE TABLE notebooks (id TEXT PRIMARY KEY, name LWW_TEXT NOT NULL DEFAULT 'Untitled');
      CREATE TABLE tags (note TEXT, tag TEXT, color LWW_INTEGER, PRIMARY KEY (note, tag));`);
    const r = await openReplica({ schema });
    await r.execute('INSERT INTO notebooks (id) VALUES (?)', ['n1']);
    await r.execute('INSERT INTO tags (note, tag, color) VALUES (?, ?, ?)', ['a', 'x', 3]);
    expect(await r.query('SELECT * FROM notebooks')).toEqual([{ id: 'n1', name: 'Untitled' }]);
    expect(await r.query('SELECT * FROM tags')).toEqual([{ note: 'a', tag: 'x', color: 3 }]);
    await r.close();
  });

  it('reopens an existing database and refuses a changed table definition', async () => {
    const db = await openMemoryDatabase();
    const first = await Replica.open({ db, schema: notesSchema });
    await first.execute("INSERT INTO notes (id) VALUES ('a')");
    // Reopen on the same connection: the tables exist, nothing is re-created.
    const again = await Replica.open({ db, schema: notesSchema });
    expect(await again.query('SELECT id FROM notes')).toEqual([{ id: 'a' }]);
    const changed = compileSyncSchema('CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT, is_pinned LWW_TEXT, cursor EPHEMERAL_INTEGER);');
    await expect(Replica.open({ db, schema: changed })).rejects.toMatchObject({ code: 'schema-mismatch' });
    await again.close();
  });
});

describe('Replica: subscriptions', () => {
  it('tells local writes from remote ones, with the rows and documents they touched', async () => {
    const a = await openReplica();
    const b = await openReplica();
    const seenA: ChangeEvent[] = [];
    const seenB: ChangeEvent[] = [];
    a.subscribe((e) => seenA.push(e));
    const off = b.subscribe((e) => seenB.push(e));
    await a.execute('INSERT INTO notes (id, is_pinned) VALUES (?, 1)', ['n']);
    expect(seenA).toEqual([{ origin: 'local', rows: [{ table: 'notes', pk: ['n'], deleted: false }], docs: [] }]);

    const h = await a.texts.openDoc(body('n'));
    h.doc.getText('t').insert(0, 'hello');
    await h.release();
    await b.applyChangeset(await a.changesSince(0));
    expect(seenB).toHaveLength(1);
    expect(seenB[0]!.origin).toBe('remote');
    expect(seenB[0]!.rows).toEqual([{ table: 'notes', pk: ['n'], deleted: false }]);
    expect(seenB[0]!.docs).toEqual([body('n')]);
    // The readable text of a document that is not open is rebuilt from the merged slots.
    expect(await b.query('SELECT body FROM notes')).toEqual([{ body: 'hello' }]);

    await a.execute('DELETE FROM notes WHERE id = ?', ['n']);
    off();
    const event = await b.applyChangeset(await a.changesSince(0));
    expect(event.rows).toEqual([{ table: 'notes', pk: ['n'], deleted: true }]);
    expect(seenB).toHaveLength(1); // unsubscribed
    await a.close();
    await b.close();
  });

  it('applying the same changeset twice changes nothing the second time', async () => {
    const a = await openReplica();
    const b = await openReplica();
    await a.execute('INSERT INTO notes (id, is_pinned) VALUES (?, 1)', ['n']);
    const set = await a.changesSince(0);
    expect((await b.applyChangeset(set)).rows).toHaveLength(1);
    const version = await b.dbVersion();
    expect(await b.applyChangeset(set)).toEqual({ origin: 'remote', rows: [], docs: [], dbVersions: [] });
    expect(await b.dbVersion()).toBe(version);
    await a.close();
    await b.close();
  });
});

describe('Replica: change feed', () => {
  it('batches by whole db_versions and leaves out the peer\'s own changes', async () => {
    const a = await openReplica();
    const b = await openReplica();
    for (let i = 0; i < 10; i++) {
      await a.transact([
        { sql: 'INSERT INTO notes (id, is_pinned) VALUES (?, 1)', params: [`x${i}`] },
        { sql: 'INSERT INTO notes (id, is_pinned) VALUES (?, 0)', params: [`y${i}`] },
      ]);
    }
    const batches = [];
    let since = 0;
    for (;;) {
      const set = await a.changesSince(since, { maxChanges: 3 });
      if (set.changes.length === 0) break;
      // Every batch ends on a whole transaction: the next one starts at a new db_version.
      expect(new Set(set.changes.map((c) => c.dbVersion)).size * 2).toBe(set.changes.length);
      batches.push(set);
      since = set.upTo;
    }
    expect(batches.length).toBeGreaterThan(3);
    for (const set of batches) await b.applyChangeset(set);
    expect(await b.query('SELECT count(*) AS n FROM notes')).toEqual([{ n: 20 }]);

    // b relays nothing of a's back to a.
    const back = await b.changesSince(0, { excludeSite: a.siteBytes });
    expect(back.changes).toEqual([]);
    await a.close();
    await b.close();
  });

  it('records what each peer has seen', async () => {
    const a = await openReplica();
    const b = await openReplica();
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 1)");
    const set = await a.changesSince(0);
    await b.applyChangeset(set);
    expect(await b.peerProgress(a.siteBytes)).toEqual({ sentUpTo: 0, receivedUpTo: set.upTo });
    await a.recordSent(b.siteBytes, set.upTo);
    await a.recordSent(b.siteBytes, 0); // never goes backwards
    expect(await a.peerProgress(b.siteBytes)).toEqual({ sentUpTo: set.upTo, receivedUpTo: 0 });
    await a.close();
    await b.close();
  });
});

describe('Replica: open', () => {
  it('writes its metadata on first open only: opening again commits nothing', async () => {
    const db = await openMemoryDatabase();
    const first = await Replica.open({ db, schema: notesSchema });
    expect(await first.query("SELECT key FROM sync_meta WHERE key IN ('layout_version', 'schema_hash', 'table:notes') ORDER BY key")).toHaveLength(3);
    const writes: string[] = [];
    const recording: typeof db = Object.create(db);
    recording.transact = (statements) => {
      writes.push(...statements.map((st) => st.sql));
      return db.transact(statements);
    };
    await Replica.open({ db: recording, schema: notesSchema });
    expect(writes).toEqual([]);
    await first.close();
  });
});

describe('Replica: search', () => {
  it('finds notes by words with prefix matching on the last word, and highlights matches', async () => {
    const r = await openReplica();
    for (const [id, text] of [['a', 'Meeting notes: quarterly planning'], ['b', 'Plan the garden'], ['c', 'Nothing here']] as const) {
      await r.execute('INSERT INTO notes (id) VALUES (?)', [id]);
      const h = await r.texts.openDoc(body(id));
      h.doc.getText('t').insert(0, text);
      await h.release();
    }
    const hits = await r.search('notes', 'plan');
    expect(hits.map((h) => h.pk[0]).sort()).toEqual(['a', 'b']);
    const garden = (await r.search('notes', 'garden'))[0]!;
    const [start, end] = garden.highlights[0]!;
    expect(garden.snippet.slice(start, end)).toBe('garden');
    // FTS syntax in the query is just text.
    expect(await r.search('notes', 'NEAR(" OR *')).toEqual([]);
    await r.execute("DELETE FROM notes WHERE id = 'b'");
    expect((await r.search('notes', 'plan')).map((h) => h.pk[0])).toEqual(['a']);
    await r.close();
  });

  it('returns the columns asked for with each hit, text cut to a prefix, in the same query', async () => {
    const r = await openReplica();
    await r.execute("INSERT INTO notes (id, is_pinned) VALUES ('a', 1)");
    const h = await r.texts.openDoc(body('a'));
    h.doc.getText('t').insert(0, 'Garden plan for the spring');
    await h.release();
    const [hit] = await r.search('notes', 'garden', { columns: ['id', 'is_pinned', 'body'], textPrefix: 6 });
    expect(hit!.row).toEqual({ id: 'a', is_pinned: 1, body: 'Garden' });
    expect((await r.search('notes', 'garden', { columns: ['body'] }))[0]!.row).toEqual({ body: 'Garden plan for the spring' });
    await expect(r.search('notes', 'garden', { columns: ['cursor'] })).rejects.toThrow(/cannot be returned/);
    await expect(r.search('notes', 'garden', { columns: ['nope'] })).rejects.toThrow(/cannot be returned/);
    await r.close();
  });
  it('orders hits by stored columns and filters them, for common and rare words alike', async () => {
    const r = await openReplica();
    // More notes than COMMON_MATCHES hold "common", so that word takes the walk-in-order
    // path; "rare" is in a few and takes the sort-the-matches path.
    const notes = Array.from({ length: 1100 }, (_, i) => ({ id: `n${String((i * 7919) % 1100).padStart(4, '0')}`, pinned: i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : null, rare: i % 97 === 0 }));
    await r.execute(`INSERT INTO notes (id, is_pinned) VALUES ${notes.map(() => '(?, ?)').join(', ')}`, notes.flatMap((n) => [n.id, n.pinned]));
    for (const n of notes) {
      const h = await r.texts.openDoc(body(n.id));
      h.doc.getText('t').insert(0, `A common note${n.rare ? ' with a rare word' : ''}`);
      await h.release();
    }
    await r.flush();
    await r.execute(`CREATE INDEX notes_by_pin ON "${r.storedTableOf('notes').replaceAll('"', '""')}" (is_pinned DESC, id)`);
    const orderBy = [{ column: 'is_pinned', descending: true }, { column: 'id' }];
    const expected = async (word: string, where: string) =>
      (await r.query(`SELECT id FROM notes WHERE body LIKE ? ${where} ORDER BY is_pinned DESC, id`, [`%${word}%`])).map((row) => row.id);
    for (const word of ['common', 'rare']) {
      const hits = await r.search('notes', word, { orderBy, limit: 40, columns: ['is_pinned'] });
      expect(hits.map((h) => h.pk[0])).toEqual((await expected(word, '')).slice(0, 40));
      expect(hits.every((h) => h.snippet.slice(...h.highlights[0]!) === word)).toBe(true);
      const unpinned = await r.search('notes', word, { orderBy, limit: 2000, where: { is_pinned: null } });
      expect(unpinned.map((h) => h.pk[0])).toEqual(await expected(word, 'AND is_pinned IS NULL'));
      const pinned = await r.search('notes', word, { orderBy, limit: 2000, where: { is_pinned: 1 } });
      expect(pinned.map((h) => h.pk[0])).toEqual(await expected(word, 'AND is_pinned = 1'));
    }
    expect((await r.search('notes', 'rare', { orderBy })).length).toBe(12);
    await expect(r.search('notes', 'rare', { orderBy: [{ column: 'body' }] })).rejects.toThrow(/cannot be used to order/);
    await expect(r.search('notes', 'rare', { where: { cursor: 1 } })).rejects.toThrow(/cannot be used to filter/);
    await r.close();
  }, 60_000);
});

describe('Replica: REALTIME_TEXT documents', () => {
  it('reads ProseMirror-style XML documents as one line per block', async () => {
    const r = await openReplica();
    await r.execute("INSERT INTO notes (id) VALUES ('a')");
    const h = await r.texts.openDoc(body('a'));
    const fragment = h.doc.getXmlFragment('prosemirror');
    const heading = new Y.XmlElement('heading');
    heading.insert(0, [new Y.XmlText('Title')]);
    const paragraph = new Y.XmlElement('paragraph');
    const text = new Y.XmlText();
    text.insert(0, 'bold words', { bold: true });
    paragraph.insert(0, [text]);
    fragment.insert(0, [heading, paragraph]);
    await h.release();
    expect(await r.query('SELECT body FROM notes')).toEqual([{ body: 'Title\nbold words' }]);
    await r.close();
  });
});

describe('Replica: several writers on one database (tabs of one browser profile)', () => {
  it('each writer owns its text slots, and catchUp brings the other writer\'s edits in', async () => {
    const db = await openMemoryDatabase();
    const framesA = new ManualFrames();
    const framesB = new ManualFrames();
    const a = await Replica.open({ db, schema: notesSchema, writer: 0, scheduler: framesA.scheduler });
    const b = await Replica.open({ db, schema: notesSchema, writer: 1, scheduler: framesB.scheduler });
    const ha = await a.texts.openDoc(body('n'));
    const hb = await b.texts.openDoc(body('n'));
    const events: ChangeEvent[] = [];
    b.subscribe((e) => events.push(e));
    ha.doc.getText('t').insert(0, 'from tab a. ');
    hb.doc.getText('t').insert(0, 'from tab b. ');
    framesA.frame();
    framesB.frame();
    await a.idle();
    await b.idle();
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 1)");
    await b.catchUp();
    await a.catchUp();
    expect(hb.doc.getText('t').toString()).toBe(ha.doc.getText('t').toString());
    expect(hb.doc.getText('t').toString()).toContain('from tab a.');
    expect(hb.doc.getText('t').toString()).toContain('from tab b.');
    expect(events.some((e) => e.rows.some((r) => r.pk[0] === 'n'))).toBe(true);
    const owners = await a.query('SELECT DISTINCT hex(site) AS owner FROM sync_text_slots');
    expect(owners).toHaveLength(2);
    await ha.release();
    await hb.release();
    // A later session reading the same database sees both writers' text.
    const c = await Replica.open({ db, schema: notesSchema, writer: 0 });
    const hc = await c.texts.openDoc(body('n'));
    expect(hc.doc.getText('t').toString()).toBe(ha.doc.getText('t').toString());
    await hc.release();
    await c.close();
  });
});

import { describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/node';
import { Replica } from '../sync';
import { physical } from '../sync/layout';
import { appSchema } from './app-schema';
import { createNote, createNotebook, createNotes, deleteNotebook, emptyTrash, ensureDefaultNotebook, focusSnippet, HEAD_CHARS, installNoteIndexes, mergeNotesDatabase, moveToTrash, NOTEBOOK_LIST_SQL, notebookCountsQuery, noteHeads, noteListQuery, relativeTime, restoreNote, searchNotes, setPinned, titleAndSnippet, type NoteListRow } from './model';
import { noteBody } from './app-schema';

async function write(r: Replica, id: string, text: string) {
  const h = await r.texts.openDoc(noteBody(id));
  h.doc.getText('t').insert(0, text);
  await h.release();
}

async function replica() {
  return Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
}

describe('note list and search', () => {
  it('lists the first rows with their text, then every note in order without it; heads on demand', async () => {
    const r = await replica();
    const nb = await ensureDefaultNotebook(r);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(await createNote(r, nb, 1000 + i));
      await write(r, ids[i]!, `Note ${i}\n${'x'.repeat(HEAD_CHARS + 50)}`);
    }
    await setPinned(r, ids[0]!, true);
    await installNoteIndexes(r);
    const top = noteListQuery(nb, 2);
    const first = (await r.query(top.sql, top.params)) as unknown as NoteListRow[];
    expect(first.map((row) => [row.id, row.head?.split('\n')[0]])).toEqual([[ids[0], 'Note 0'], [ids[5], 'Note 5']]);
    expect(first[0]!.head).toHaveLength(HEAD_CHARS);
    const all = noteListQuery(nb);
    const rows = (await r.query(all.sql, all.params)) as unknown as NoteListRow[];
    expect(rows.map((row) => row.id)).toEqual([ids[0], ids[5], ids[4], ids[3], ids[2], ids[1]]);
    expect(rows.every((row) => row.head === null)).toBe(true);
    const [plan] = await r.query(`EXPLAIN QUERY PLAN ${top.sql}`, top.params);
    expect(String(plan!.detail)).toContain('notes_list');
    const heads = await noteHeads(r, [ids[2]!, ids[1]!, 'no such note']);
    expect([...heads.keys()].sort()).toEqual([ids[1], ids[2]].sort());
    expect(heads.get(ids[2]!)!.startsWith('Note 2\n')).toBe(true);
    await moveToTrash(r, ids[3]!);
    const trash = noteListQuery(null, 2);
    expect(((await r.query(trash.sql, trash.params)) as unknown as NoteListRow[]).map((row) => [row.id, row.head?.split('\n')[0]])).toEqual([[ids[3], 'Note 3']]);
    await r.close();
  });

  it('search returns heads and pins with the hits in list order, and leaves out notes in Trash', async () => {
    const r = await replica();
    const nb = await ensureDefaultNotebook(r);
    const other = await createNotebook(r, 'Home');
    const [a, b, c, d] = [await createNote(r, nb, 1), await createNote(r, nb, 2), await createNote(r, other, 4), await createNote(r, nb, 3)];
    await write(r, a, 'Garden plan\nTomatoes by the fence');
    await write(r, b, 'Garden shed\nRepaint the door');
    await write(r, c, 'Seeds\nOrder them for the garden');
    await write(r, d, 'Gardening books');
    await r.execute('UPDATE notes SET updated_at = ? WHERE id = ?', [4, c]);
    await r.execute('UPDATE notes SET updated_at = ? WHERE id = ?', [3, d]);
    await setPinned(r, a, true);
    await moveToTrash(r, b);
    await installNoteIndexes(r);
    const hits = await searchNotes(r, 'garden');
    expect(hits.map((h) => ({ id: h.id, head: h.head, pinned: h.pinned }))).toEqual([
      { id: a, head: 'Garden plan\nTomatoes by the fence', pinned: true },
      { id: c, head: 'Seeds\nOrder them for the garden', pinned: false },
      { id: d, head: 'Gardening books', pinned: false },
    ]);
    expect(hits.map((h) => h.snippet.slice(...h.highlights[0]!))).toEqual(['Garden', 'garden', 'Gardening']);
    await r.close();
  });
});

describe('notebook list', () => {
  it('lists notebooks, and counts the notes of each, not those in Trash, without reading their text', async () => {
    const r = await replica();
    await installNoteIndexes(r);
    const home = await ensureDefaultNotebook(r);
    const work = await createNotebook(r, 'Work', Date.now() + 1);
    await createNotebook(r, 'Empty', Date.now() + 2);
    const notes = [await createNote(r, home), await createNote(r, home), await createNote(r, work)];
    await write(r, notes[0]!, 'Some text');
    await moveToTrash(r, notes[1]!);
    expect((await r.query(NOTEBOOK_LIST_SQL)).map((row) => row.name)).toEqual(['Notes', 'Work', 'Empty']);
    const { sql, params } = notebookCountsQuery(r);
    expect((await r.query(sql, params)).map((row) => [row.notebook_id, row.count]).sort()).toEqual([[home, 1], [work, 1]].sort());
    const plan = (await r.query(`EXPLAIN QUERY PLAN ${sql}`, params)).map((row) => String(row.detail));
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.filter((line) => line.includes(physical.text('notes')) || / t USING/.test(line))).toEqual([]);
    await r.close();
  });
});

describe('search plan', () => {
  it('walks the notes_search index for a common word, sorts the matches of a rare one, and never seeks FTS5 per row', async () => {
    // The plan SQLite makes for each statement that reads the FTS index, as a tree.
    const plans: { id: number; parent: number; detail: string }[][] = [];
    const db = await openMemoryDatabase();
    const recording: typeof db = Object.create(db);
    recording.query = async (sql, params) => {
      if (sql.includes(physical.fts('notes')) && sql.includes('snippet(')) {
        plans.push((await db.query(`EXPLAIN QUERY PLAN ${sql}`, params)).map((row) => ({ id: Number(row.id), parent: Number(row.parent), detail: String(row.detail) })));
      }
      return db.query(sql, params);
    };
    const r = await Replica.open({ db: recording, schema: appSchema });
    await installNoteIndexes(r);
    const nb = await ensureDefaultNotebook(r);
    const ids = await createNotes(r, Array.from({ length: 1100 }, (_, i) => ({ notebookId: nb, pinned: i % 50 === 0, createdAt: i, updatedAt: i })));
    for (const [i, id] of ids.entries()) await write(r, id, `Common note ${i}${i % 100 === 0 ? ' with a rare word' : ''}`);
    await r.flush();

    const common = await searchNotes(r, 'common', 40);
    const rare = await searchNotes(r, 'rare', 40);
    expect(common).toHaveLength(40);
    expect(rare).toHaveLength(11);
    const expected = (await r.query("SELECT id FROM notes WHERE body LIKE '%rare%' ORDER BY is_pinned DESC, updated_at DESC")).map((row) => row.id);
    expect(rare.map((h) => h.id)).toEqual(expected);

    expect(plans).toHaveLength(2);
    const plan = plans[0]!;
    const below = (id: number): string[] => plan.filter((row) => row.parent === id).flatMap((row) => [row.detail, ...below(row.id)]);
    // Every read of the FTS index is a pass over the matches (an `=` would be a rowid seek).
    expect(plan.filter((row) => row.detail.includes('notes__fts VIRTUAL TABLE')).every((row) => /INDEX \d+:M\d+$/.test(row.detail))).toBe(true);
    // The first way goes down the notes in list order and needs no sort; the second sorts.
    const [walk, sort] = plan.filter((row) => row.detail === 'LEFT-MOST SUBQUERY' || row.detail === 'UNION ALL').map((row) => below(row.id));
    expect(walk).toContain('SEARCH c USING INDEX notes_search (deleted_at=?)');
    expect(walk!.some((line) => line.includes('TEMP B-TREE'))).toBe(false);
    expect(sort!.join(' | ')).toMatch(/SCAN notes__fts VIRTUAL TABLE INDEX \d+:M\d+ \| SEARCH t USING INTEGER PRIMARY KEY \(rowid=\?\) \| SEARCH c USING INDEX \S+ \(id=\?\) \| USE TEMP B-TREE FOR ORDER BY/);
    await r.close();
  }, 60_000);
});

describe('notes intents', () => {
  it('pin, trash, restore and empty trash', async () => {
    const r = await replica();
    const nb = await ensureDefaultNotebook(r);
    expect(await ensureDefaultNotebook(r)).toBe(nb);
    const a = await createNote(r, nb, 1000);
    const b = await createNote(r, nb, 2000);
    await setPinned(r, a, true);
    const order = async () => (await r.query('SELECT id FROM notes WHERE deleted_at IS NULL ORDER BY is_pinned DESC, updated_at DESC')).map((x) => x.id);
    expect(await order()).toEqual([a, b]);
    await moveToTrash(r, a);
    expect(await order()).toEqual([b]);
    await restoreNote(r, a);
    expect(await order()).toEqual([a, b]);
    await moveToTrash(r, b);
    await emptyTrash(r);
    expect(await r.query('SELECT id FROM notes')).toEqual([{ id: a }]);
    await r.close();
  });

  it('deleting a notebook trashes its notes; restoring one puts it in a notebook that exists', async () => {
    const r = await replica();
    const first = await createNotebook(r, 'Work', 1);
    const second = await createNotebook(r, 'Home', 2);
    const note = await createNote(r, second);
    await deleteNotebook(r, second);
    expect(await r.query('SELECT deleted_at IS NOT NULL AS trashed FROM notes')).toEqual([{ trashed: 1 }]);
    await restoreNote(r, note);
    expect(await r.query('SELECT notebook_id, deleted_at FROM notes')).toEqual([{ notebook_id: first, deleted_at: null }]);
    await r.close();
  });

  it('titles are the first non-empty line', () => {
    expect(titleAndSnippet('\n  Groceries \nmilk\neggs')).toEqual({ title: 'Groceries', snippet: 'milk eggs' });
    expect(titleAndSnippet(null)).toEqual({ title: 'New note', snippet: '' });
    // A search snippet starts a few words before its first match, so a narrow row shows it.
    const window = '…we bought bread and cheese at the market on the way home, then oat milk for the week ahead of the long trip north…';
    const at = window.indexOf('oat');
    const focused = focusSnippet(window, [[at, at + 3]]);
    expect(focused.snippet).toBe('…home, then oat milk for the week ahead of the long trip north…');
    expect(focused.highlights.map(([s, e]) => focused.snippet.slice(s, e))).toEqual(['oat']);
    expect(focusSnippet('oat milk', [[0, 3]])).toEqual({ snippet: 'oat milk', highlights: [[0, 3]] });
    const long = `oat ${'word '.repeat(40)}oat end`;
    const cut = focusSnippet(long, [[0, 3], [long.length - 7, long.length - 4]]);
    expect(cut.snippet.length).toBeLessThanOrEqual(91);
    expect(cut.snippet.endsWith('word…')).toBe(true);
    expect(cut.highlights).toEqual([[0, 3]]);
    expect(relativeTime(0, 10)).toBe('just now');
    expect(relativeTime(0, 3 * 3600e3)).toMatch(/3 hours ago/);
  });
});

describe('intents for imports', () => {
  it('createNotes makes several notes in one transaction, with their own dates and pins', async () => {
    const r = await replica();
    const nb = await createNotebook(r, 'Notes', 1);
    const before = await r.dbVersion();
    const ids = await createNotes(r, [
      { notebookId: nb, pinned: true, createdAt: 10, updatedAt: 20 },
      { notebookId: nb, pinned: false, createdAt: 30, updatedAt: 30 },
    ]);
    expect(await r.dbVersion()).toBe(before + 1);
    expect(await r.query('SELECT id, is_pinned, created_at, updated_at FROM notes ORDER BY created_at')).toEqual([
      { id: ids[0], is_pinned: 1, created_at: 10, updated_at: 20 },
      { id: ids[1], is_pinned: 0, created_at: 30, updated_at: 30 },
    ]);
    expect(await createNotes(r, [])).toEqual([]);
    await r.close();
  });

  it('mergeNotesDatabase counts what it added, brings deletions, and carries notebook secrets', async () => {
    const device = await replica();
    const file = await replica();
    const nb = await createNotebook(file, 'Shared', 1);
    const [kept, gone] = await createNotes(file, [
      { notebookId: nb, pinned: false, createdAt: 1, updatedAt: 1 },
      { notebookId: nb, pinned: false, createdAt: 2, updatedAt: 2 },
    ]);
    await file.execute('CREATE TABLE notebook_keys (notebook_id TEXT PRIMARY KEY NOT NULL, secret BLOB NOT NULL)');
    await file.execute("INSERT INTO notebook_keys VALUES (?, x'01')", [nb]);
    expect(await mergeNotesDatabase(device, file)).toMatchObject({ notesAdded: 2, notebooksAdded: 1 });
    expect(await device.query('SELECT notebook_id FROM notebook_keys')).toEqual([{ notebook_id: nb }]);
    // Emptied from Trash there: gone here too after the next import, as a sync would do.
    await moveToTrash(file, gone!);
    await emptyTrash(file);
    expect(await mergeNotesDatabase(device, file)).toMatchObject({ notesAdded: -1, notebooksAdded: 0 });
    expect(await device.query('SELECT id FROM notes')).toEqual([{ id: kept }]);
    await device.close();
    await file.close();
  });

  it('mergeNotesDatabase into a new device leaves one "Notes": the empty one the device started with goes', async () => {
    const device = await replica();
    const file = await replica();
    const started = await ensureDefaultNotebook(device);
    const empty = await createNotebook(device, 'Work'); // named like one in the file, but shared
    await device.execute('CREATE TABLE notebook_keys (notebook_id TEXT PRIMARY KEY NOT NULL, secret BLOB NOT NULL)');
    await device.execute("INSERT INTO notebook_keys VALUES (?, x'02')", [empty]);
    const trashed = await createNotebook(device, 'Ideas'); // named like one in the file, with a note in Trash
    await moveToTrash(device, await createNote(device, trashed));
    const theirs = await ensureDefaultNotebook(file);
    await createNote(file, theirs);
    const work = await createNotebook(file, 'Work');
    const ideas = await createNotebook(file, 'Ideas');
    expect(await mergeNotesDatabase(device, file)).toMatchObject({ notesAdded: 1, notebooksAdded: 2 });
    const live = (await device.query(NOTEBOOK_LIST_SQL)).map((row) => row.id as string);
    expect(live.sort()).toEqual([empty, trashed, theirs, work, ideas].sort());
    expect((await device.query('SELECT deleted_at FROM notebooks WHERE id = ?', [started]))[0]!.deleted_at).not.toBeNull();
    await device.close();
    await file.close();
  });
});

import { mergeReplica, type MergeReport, type Replica, type SqlStatement, type SqlValue } from '../sync';

/// The notes app's intents: every change the UI makes goes through here, as one
/// transaction each, so components render state and dispatch intents.
export const newId = (): string => crypto.randomUUID();

export async function createNotebook(replica: Replica, name: string, now = Date.now()): Promise<string> {
  const id = newId();
  await replica.execute('INSERT INTO notebooks (id, name, created_at) VALUES (?, ?, ?)', [id, name.trim() || 'Untitled notebook', now]);
  return id;
}

export async function renameNotebook(replica: Replica, id: string, name: string): Promise<void> {
  await replica.execute('UPDATE notebooks SET name = ? WHERE id = ?', [name.trim() || 'Untitled notebook', id]);
}

/// Deleting a notebook moves its notes to Trash, where they can be restored.
export async function deleteNotebook(replica: Replica, id: string, now = Date.now()): Promise<void> {
  await replica.transact([
    { sql: 'UPDATE notes SET deleted_at = ? WHERE notebook_id = ? AND deleted_at IS NULL', params: [now, id] },
    { sql: 'UPDATE notebooks SET deleted_at = ? WHERE id = ?', params: [now, id] },
  ]);
}

/// The notebook a first run starts with, so that "New note" always has a home.
export async function ensureDefaultNotebook(replica: Replica): Promise<string> {
  const [existing] = await replica.query('SELECT id FROM notebooks WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1');
  if (existing) return existing.id as string;
  return createNotebook(replica, 'Notes');
}

export async function createNote(replica: Replica, notebookId: string, now = Date.now()): Promise<string> {
  const id = newId();
  await replica.execute('INSERT INTO notes (id, notebook_id, created_at, updated_at) VALUES (?, ?, ?, ?)', [id, notebookId, now, now]);
  return id;
}

/// A note to create with `createNotes`, with its own dates (an imported note keeps them).
export interface NewNote {
  readonly notebookId: string;
  readonly pinned: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/// Creates several notes (with empty bodies) in one transaction; returns their ids in order.
export async function createNotes(replica: Replica, notes: readonly NewNote[]): Promise<string[]> {
  const ids = notes.map(() => newId());
  if (notes.length === 0) return ids;
  await replica.transact(
    notes.map((note, i) => ({
      sql: 'INSERT INTO notes (id, notebook_id, is_pinned, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      params: [ids[i]!, note.notebookId, note.pinned ? 1 : 0, note.createdAt, note.updatedAt],
    })),
  );
  return ids;
}

export async function setPinned(replica: Replica, id: string, pinned: boolean): Promise<void> {
  await replica.execute('UPDATE notes SET is_pinned = ? WHERE id = ?', [pinned ? 1 : 0, id]);
}

export async function moveToTrash(replica: Replica, id: string, now = Date.now()): Promise<void> {
  await replica.execute('UPDATE notes SET deleted_at = ? WHERE id = ?', [now, id]);
}

export async function restoreNote(replica: Replica, id: string): Promise<void> {
  // A note whose notebook was deleted comes back to the first notebook there is.
  await replica.transact([
    { sql: 'UPDATE notes SET deleted_at = NULL WHERE id = ?', params: [id] },
    {
      sql: `UPDATE notes SET notebook_id = (SELECT id FROM notebooks WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1)
            WHERE id = ? AND notebook_id NOT IN (SELECT id FROM notebooks WHERE deleted_at IS NULL)`,
      params: [id],
    },
  ]);
}

/// Emptying Trash deletes for good, everywhere the notebook syncs.
export async function emptyTrash(replica: Replica): Promise<void> {
  await replica.execute('DELETE FROM notes WHERE deleted_at IS NOT NULL');
}

/// A note's last edit, at most every few seconds: each write is a change every peer of the
/// notebook receives and re-sorts its list for, and typing makes one per keystroke.
export const TOUCH_RESOLUTION_MS = 5000;

export async function touchNote(replica: Replica, id: string, now = Date.now()): Promise<void> {
  await replica.execute('UPDATE notes SET updated_at = ? WHERE id = ? AND updated_at <= ?', [now, id, now - TOUCH_RESOLUTION_MS]);
}

/// Characters of a note's text that its row in a list shows (title and snippet).
export const HEAD_CHARS = 300;

/// A row of the note list: its sort keys, and its head (the first HEAD_CHARS characters)
/// when the query read it, else null (see `noteHeads`).
export interface NoteListRow {
  readonly id: string;
  readonly head: string | null;
  readonly is_pinned: number;
  readonly updated_at: number;
}

/// The note list of a notebook, or Trash (notebookId null): pinned first, then by last edit
/// (Trash: last deleted first). With a limit, the first rows with their heads (what a list
/// shows first); without, every note's id and sort keys but no text, so that a notebook of
/// 10,000 notes does not read 10,000 texts to show a dozen rows.
export function noteListQuery(notebookId: string | null, limit?: number): { sql: string; params: SqlValue[] } {
  const order = notebookId === null ? 'deleted_at DESC' : 'is_pinned DESC, updated_at DESC';
  const head = limit === undefined ? 'NULL' : `substr(coalesce(body, ''), 1, ${HEAD_CHARS})`;
  const params: SqlValue[] = notebookId === null ? [] : [notebookId];
  if (limit !== undefined) params.push(limit);
  return {
    sql: `SELECT id, is_pinned, updated_at, ${head} AS head FROM notes
          WHERE ${notebookId === null ? 'deleted_at IS NOT NULL' : 'deleted_at IS NULL AND notebook_id = ?'}
          ORDER BY ${order}${limit === undefined ? '' : ' LIMIT ?'}`,
    params,
  };
}

/// A notebook as the sidebar lists it.
export interface NotebookListRow {
  readonly id: string;
  readonly name: string;
}

/// The notebooks, oldest first.
export const NOTEBOOK_LIST_SQL = 'SELECT id, name FROM notebooks WHERE deleted_at IS NULL ORDER BY created_at, name';

/// How many notes (not in Trash) each notebook holds, by notebook id.
export interface NotebookCountRow {
  readonly notebook_id: string;
  readonly count: number;
}

/// The note counts of the notebooks. They read the notes' stored table: through the notes
/// view SQLite joins each note's text row to count it (an aggregate keeps it from leaving
/// the join out), 10,000 index reads.
export function notebookCountsQuery(replica: Replica): { sql: string; params: SqlValue[] } {
  const stored = replica.storedTableOf('notes').replaceAll('"', '""');
  return {
    sql: `SELECT notebook_id, count(*) AS count FROM "${stored}" WHERE deleted_at IS NULL GROUP BY notebook_id`,
    params: [],
  };
}

/// Local indexes (not synced): one in the order of the note list, so that the first rows of
/// a notebook of 10,000 notes are read without sorting them all; one in the order of search
/// hits across notebooks, so that a word in most notes finds its first hits without sorting
/// every match. Run at start.
export async function installNoteIndexes(replica: Replica): Promise<void> {
  await replica.transact(noteIndexStatements(replica));
}

/// installNoteIndexes' statements, to run in a transaction with others.
export function noteIndexStatements(replica: Replica): SqlStatement[] {
  const stored = replica.storedTableOf('notes').replaceAll('"', '""');
  return [
    { sql: `CREATE INDEX IF NOT EXISTS notes_list ON "${stored}" (notebook_id, deleted_at, is_pinned DESC, updated_at DESC)` },
    { sql: `CREATE INDEX IF NOT EXISTS notes_search ON "${stored}" (deleted_at, is_pinned DESC, updated_at DESC)` },
  ];
}

/// The heads of some notes (rows scrolled into view beyond the first ones), by id.
export async function noteHeads(replica: Replica, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await replica.query(`SELECT id, substr(coalesce(body, ''), 1, ${HEAD_CHARS}) AS head FROM notes WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
  return new Map(rows.map((r) => [String(r.id), String(r.head)]));
}

/// Search hits shown first: a screenful and more, found in a few milliseconds even for a
/// word in most of 10,000 notes. The rest, up to SEARCH_MAX_HITS, follow once the page is idle.
export const SEARCH_FIRST_HITS = 40;
export const SEARCH_MAX_HITS = 200;

export interface NoteSearchHit {
  readonly id: string;
  readonly head: string;
  readonly pinned: boolean;
  readonly updatedAt: number;
  /// A window of the text from just before the first match (focusSnippet); `highlights` are
  /// [start, end) offsets in it.
  readonly snippet: string;
  readonly highlights: readonly (readonly [number, number])[];
}

/// Notes (not in Trash) matching `text` as typed, in the order of the note list (pinned
/// first, then by last edit, as Bear orders results and Apple Notes below its top hits): one search, heads
/// included. Ordering by relevance would score every match, most of the notes for a common
/// word, before the first hit could show.
export async function searchNotes(replica: Replica, text: string, limit = 200): Promise<NoteSearchHit[]> {
  const hits = await replica.search('notes', text, {
    limit,
    columns: ['body', 'is_pinned', 'updated_at'],
    textPrefix: HEAD_CHARS,
    orderBy: [
      { column: 'is_pinned', descending: true },
      { column: 'updated_at', descending: true },
    ],
    where: { deleted_at: null },
  });
  return hits.map((h) => ({ id: String(h.pk[0]), head: String(h.row.body ?? ''), pinned: h.row.is_pinned === 1, updatedAt: Number(h.row.updated_at), ...focusSnippet(h.snippet, h.highlights) }));
}

/// How much of a search hit's snippet a row shows: the words just before the first match,
/// the match, and what follows, up to SNIPPET_CHARS. A narrow list shows ~40 characters, so
/// a match in the middle of FTS5's window would fall behind the ellipsis.
const SNIPPET_LEAD_CHARS = 12;
const SNIPPET_CHARS = 90;

/// Cuts a snippet (highlights are [start, end) offsets in it) to start a few words before
/// its first match, at a word boundary, with '…' where text was cut.
export function focusSnippet(snippet: string, highlights: readonly (readonly [number, number])[]): { snippet: string; highlights: [number, number][] } {
  const [first = 0, firstEnd = 0] = highlights[0] ?? [];
  let start = 0;
  if (first > SNIPPET_LEAD_CHARS) {
    // From the first space at most SNIPPET_LEAD_CHARS before the match: whole words only.
    const space = snippet.indexOf(' ', first - SNIPPET_LEAD_CHARS);
    start = space >= 0 && space < first ? space + 1 : first;
  }
  let end = snippet.length;
  if (end - start > SNIPPET_CHARS) {
    const space = snippet.lastIndexOf(' ', start + SNIPPET_CHARS);
    end = space >= firstEnd ? space : Math.max(firstEnd, start + SNIPPET_CHARS);
  }
  const lead = start > 0 ? '…' : '';
  const shift = lead.length - start;
  return {
    snippet: `${lead}${snippet.slice(start, end)}${end < snippet.length ? '…' : ''}`,
    highlights: highlights.filter(([s, e]) => s >= start && e <= end).map(([s, e]) => [s + shift, e + shift]),
  };
}

/// Title and snippet of a note from its readable text: the first line, then the rest.
export function titleAndSnippet(text: string | null): { title: string; snippet: string } {
  const lines = (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return { title: lines[0] ?? 'New note', snippet: lines.slice(1).join(' ').slice(0, 140) };
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600e3],
  ['month', 30 * 24 * 3600e3],
  ['week', 7 * 24 * 3600e3],
  ['day', 24 * 3600e3],
  ['hour', 3600e3],
  ['minute', 60e3],
];
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function relativeTime(then: number, now = Date.now()): string {
  const delta = then - now;
  for (const [unit, ms] of units) {
    if (Math.abs(delta) >= ms) return relative.format(Math.round(delta / ms), unit);
  }
  return 'just now';
}

/// Local (not synced) tables that are part of a person's data and come along when a
/// database file is imported: the secrets of shared notebooks (sharing/keys.ts).
export const PERSONAL_LOCAL_TABLES: readonly string[] = ['notebook_keys'];

export interface NotesMergeReport {
  readonly notesAdded: number;
  readonly notebooksAdded: number;
  /// Notes whose text the merge changed (new notes included).
  readonly textsChanged: number;
  readonly merge: MergeReport;
}

/// Merges another database of this app (an imported file, opened as `source`) into
/// `target`, as if the two had synced: nothing is duplicated, and the text keeps the history
/// that further syncing needs. Like a sync, it also brings deletions made there.
export async function mergeNotesDatabase(target: Replica, source: Replica, now = Date.now()): Promise<NotesMergeReport> {
  const count = async (table: 'notes' | 'notebooks') => Number((await target.query(`SELECT count(*) AS n FROM ${table} WHERE deleted_at IS NULL`))[0]!.n);
  const [notes, notebooks] = [await count('notes'), await count('notebooks')];
  const here = (await target.query('SELECT id FROM notebooks WHERE deleted_at IS NULL')).map((row) => row.id as string);
  const merge = await mergeReplica(target, source, { localTables: PERSONAL_LOCAL_TABLES });
  await deleteEmptyTwins(target, here, now);
  return { notesAdded: (await count('notes')) - notes, notebooksAdded: (await count('notebooks')) - notebooks, textsChanged: merge.docsChanged, merge };
}

/// A new device starts with an empty "Notes" notebook, and a copy of another device's notes
/// brings that device's "Notes": two of them in the sidebar. A notebook that was here before
/// the merge, holds no note (Trash included), was never shared and is named like a notebook
/// the merge brought is deleted, as a person would delete it.
async function deleteEmptyTwins(target: Replica, here: readonly string[], now: number): Promise<void> {
  if (here.length === 0) return;
  const [keys] = await target.query("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'notebook_keys'");
  const ids = here.map(() => '?').join(', ');
  const twins = await target.query(
    `SELECT id FROM notebooks AS mine
     WHERE mine.deleted_at IS NULL AND mine.id IN (${ids})
       AND NOT EXISTS (SELECT 1 FROM notes WHERE notes.notebook_id = mine.id)
       ${keys ? 'AND NOT EXISTS (SELECT 1 FROM notebook_keys WHERE notebook_keys.notebook_id = mine.id)' : ''}
       AND EXISTS (SELECT 1 FROM notebooks AS brought WHERE brought.deleted_at IS NULL AND brought.name = mine.name AND brought.id NOT IN (${ids}))`,
    [...here, ...here],
  );
  if (twins.length > 0) await target.transact(twins.map((row) => ({ sql: 'UPDATE notebooks SET deleted_at = ? WHERE id = ?', params: [now, row.id as string] })));
}

// Test-only page: the notes app's runtime, booted exactly as the app boots it
// (src/ui/runtime/boot.ts: the same worker, the same OPFS database, the same replica options),
// on `window.appHarness`. The app benchmark fills the real database here through the app's own
// intents and editor document format, then loads the real app at `/` on it, and times the
// runtime's search alone. Built only by bench/suites/app.ts, never into dist/.
import type { Node as PMNode } from 'prosemirror-model';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import { appSchema, noteBody } from '../../src/notes/app-schema';
import { NOTE_FRAGMENT, stampEditorSchemaVersion } from '../../src/notes/document/doc-version';
import { notesSchema } from '../../src/notes/document/schema';
import { ensureDefaultNotebook, newId, noteListQuery, searchNotes, setPinned } from '../../src/notes/model';
import { Replica, systemClock, type SqlValue } from '../../src/sync';
import type { BrowserDatabase } from '../../src/storage/browser';
import { physical, q } from '../../src/sync/layout';
import { bootRuntime, type AppRuntime } from '../../src/ui/runtime/boot';
import { generateNotes, searchQueries, type CorpusBlock, type CorpusNote } from './app-corpus';

/// Notes created, and bodies written, together: the runtime queues the writes, and the
/// storage adapter commits what arrives together as a group.
const BATCH = 256;
const WRITERS = 8;
const CREATE_NOTE = 'INSERT INTO notes (id, notebook_id, created_at, updated_at) VALUES (?, ?, ?, ?)';

let booted: Promise<AppRuntime> | null = null;
const runtime = () => (booted ??= bootRuntime());

const harness = {
  /// Writes `notes` notes into the default notebook as the app would: each note the row that
  /// createNote() inserts (a batch per transaction), its body a ProseMirror document in its
  /// REALTIME_TEXT Yjs document, stored and made readable and searchable by the runtime as
  /// the editor's edits are; `pinned` of them pinned with setPinned().
  async seed(options: { notes: number; pinned: number; seed: number }) {
    const started = performance.now();
    const { replica, storage, writer: runtimeWriter } = await runtime();
    const notebookId = await ensureDefaultNotebook(replica);
    const notes = generateNotes(options.notes, options.seed, Date.now());
    // A replica writes one document after another; several, as several tabs would be, let the
    // storage adapter commit their writes together. The app is not open meanwhile: this page
    // holds the database, so these writer numbers are free.
    const writers = [replica, ...(await Promise.all(Array.from({ length: WRITERS - 1 }, (_, i) => openWriter(storage, runtimeWriter + 1 + i))))];
    const ids: string[] = [];
    for (let start = 0; start < notes.length; start += BATCH) {
      const batch = notes.slice(start, start + BATCH);
      const created = batch.map(() => newId());
      // The row createNote() writes, a batch per transaction.
      await replica.transact(batch.map((note, i) => ({ sql: CREATE_NOTE, params: [created[i]!, notebookId, note.updatedAt, note.updatedAt] })));
      await Promise.all(writers.map(async (writer, lane) => {
        for (let i = lane; i < batch.length; i += writers.length) await writeBody(writer, created[i]!, batch[i]!);
      }));
      ids.push(...created);
      if ((start + batch.length) % 1000 === 0) console.log(`seed: ${start + batch.length} notes after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    await Promise.all(writers.map((w) => w.flush()));
    const step = Math.max(1, Math.floor(ids.length / Math.max(1, options.pinned)));
    for (let i = 0; i < options.pinned && i * step < ids.length; i++) await setPinned(replica, ids[i * step]!, true);
    await replica.flush();
    const ms = performance.now() - started;

    const [counts] = await replica.query(
      `SELECT count(*) AS notes, sum(body IS NOT NULL AND length(body) > 0) AS withText, sum(is_pinned) AS pinned FROM notes WHERE notebook_id = ? AND deleted_at IS NULL`,
      [notebookId],
    );
    const [size] = await replica.query('SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()');
    return { ms, notes: Number(counts!.notes), withText: Number(counts!.withText), pinned: Number(counts!.pinned), databaseBytes: Number(size!.bytes) };
  },

  queries: (count: number, seed: number) => searchQueries(count, seed),

  /// Times reads on a freshly opened runtime (a cold page cache, as after a reload), each
  /// run twice (cold, then warm). A parameter '$notebook' stands for the default notebook's
  /// id; the app's own note list query is `{ list: true }`.
  async timeQueries(queries: readonly { name: string; sql?: string; params?: readonly SqlValue[]; list?: boolean }[]) {
    const { replica } = await runtime();
    const notebookId = await ensureDefaultNotebook(replica);
    const results: Record<string, { coldMs: number; warmMs: number; rows: number }> = {};
    for (const query of queries) {
      const { sql, params } = query.list ? noteListQuery(notebookId) : { sql: query.sql!, params: (query.params ?? []).map((p) => (p === '$notebook' ? notebookId : p)) };
      const time = async () => {
        const t0 = performance.now();
        const rows = await replica.query(sql, params);
        return { ms: performance.now() - t0, rows: rows.length };
      };
      const cold = await time();
      const warm = await time();
      results[query.name] = { coldMs: cold.ms, warmMs: warm.ms, rows: cold.rows };
    }
    return results;
  },

  /// Each query through searchNotes (what the app's search box calls, with its
  /// limit) and, as the baseline, as a plain FTS5 query on the same index: the same MATCH
  /// expression, rowids by rank, no snippet and no joins. The two alternate which goes first.
  async timeSearch(queries: readonly string[], limit: number) {
    const { replica } = await runtime();
    const fts = q(physical.fts('notes'));
    const plain = `SELECT rowid FROM ${fts} WHERE ${fts} MATCH ? ORDER BY rank LIMIT ?`;
    const runtimeMs: number[] = [];
    const ftsMs: number[] = [];
    let runtimeHits = 0;
    let ftsHits = 0;
    for (const [i, query] of queries.entries()) {
      const timeRuntime = async () => {
        const t0 = performance.now();
        runtimeHits += (await searchNotes(replica, query, limit)).length;
        runtimeMs.push(performance.now() - t0);
      };
      const timeFts = async () => {
        const t0 = performance.now();
        ftsHits += (await replica.query(plain, [ftsMatch(query), limit])).length;
        ftsMs.push(performance.now() - t0);
      };
      if (i % 2 === 0) {
        await timeRuntime();
        await timeFts();
      } else {
        await timeFts();
        await timeRuntime();
      }
    }
    if (runtimeHits !== ftsHits) throw new Error(`the runtime found ${runtimeHits} notes, the plain FTS5 query ${ftsHits}`);
    return { runtimeMs, ftsMs, hits: runtimeHits };
  },

  async close() {
    if (booted) await (await booted).replica.close();
    booted = null;
  },
};

/// Another replica over the same database, as another tab of the app opens one (a writer
/// number of its own). Never closed: closing a replica closes its database.
function openWriter(db: BrowserDatabase, writer: number): Promise<Replica> {
  return Replica.open({ db, schema: appSchema, writer, clock: systemClock, random: () => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32 });
}

async function writeBody(replica: Replica, id: string, note: CorpusNote): Promise<void> {
  const handle = await replica.texts.openDoc(noteBody(id));
  try {
    stampEditorSchemaVersion(handle.doc);
    prosemirrorToYXmlFragment(proseMirrorDoc(note.blocks), handle.doc.getXmlFragment(NOTE_FRAGMENT));
  } finally {
    await handle.release();
  }
}

function proseMirrorDoc(blocks: readonly CorpusBlock[]): PMNode {
  const s = notesSchema;
  const paragraph = (text: string) => s.node('paragraph', null, [s.text(text)]);
  return s.node(
    'doc',
    null,
    blocks.map((block) => {
      if (block.kind === 'heading') return s.node('heading', { level: block.level }, [s.text(block.text)]);
      if (block.kind === 'paragraph') return paragraph(block.text);
      return s.node('bullet_list', null, block.items.map((item) => s.node('list_item', null, [paragraph(item)])));
    }),
  );
}

/// The MATCH expression Replica.search makes of typed text: words, the last one a prefix.
function ftsMatch(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

declare global {
  interface Window {
    appHarness: typeof harness;
  }
}
window.appHarness = harness;
document.body.dataset.ready = 'true';

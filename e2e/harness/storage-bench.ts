// The opfs benchmark's measurements, run inside the harness page (bench/suites/opfs.ts drives
// them): the same operations on a database of the kind asked for, through the whole adapter
// (page -> comlink -> worker -> WasmSqlDatabase).
import { deleteBrowserDatabase, openBrowserDatabase, type BrowserDatabase, type StorageKind } from '../../src/storage/browser';
import type { SqlStatement } from '../../src/sync/ports';
import { seededRandom } from '../../src/sync/testing/fixtures';

export interface BenchOptions {
  readonly storage: StorageKind;
  readonly txRows: number;
  readonly batchSize: number;
  readonly bulkRows: number;
  readonly notes: number;
  readonly wordsPerNote: number;
  readonly searches: number;
  readonly opens: number;
  /// Keep the notes database (OPFS) for timeOpen after a reload; the caller deletes it.
  readonly keepNotes?: boolean;
}

export interface BenchResult {
  readonly storageKind: StorageKind;
  /// Single-row transactions, each awaited before the next.
  readonly txPerSecSequential: number;
  /// Single-row transactions, all issued at once (the adapter serialises them).
  readonly txPerSecPipelined: number;
  /// Rows per second written in transactions of `batchSize` rows, each awaited.
  readonly batchedRowsPerSec: number;
  readonly bulkMs: number;
  /// Filling the notes database (with its FTS index), for information.
  readonly fillNotesMs: number;
  /// Median over `opens` of: open the notes database and list its 50 latest notes.
  readonly openMs: number;
  readonly openSamples: number[];
  readonly searchP50Ms: number;
  readonly searchP95Ms: number;
  readonly searchHits: number;
  /// The notes database, when kept.
  readonly notesName: string;
}

const NOTES_SCHEMA = `
  CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '', updated_at INTEGER NOT NULL DEFAULT 0);
  SELECT crsql_as_crr('notes');
  CREATE INDEX notes_updated ON notes (updated_at);
  CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, content='notes', content_rowid='rowid');
  CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
  END;
  CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
  END;
  CREATE TRIGGER notes_fts_update AFTER UPDATE ON notes BEGIN
    INSERT INTO notes_fts (notes_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
    INSERT INTO notes_fts (rowid, title, body) VALUES (new.rowid, new.title, new.body);
  END;
`;
const LIST_SQL = 'SELECT id, title, updated_at FROM notes ORDER BY updated_at DESC LIMIT 50';
const SEARCH_SQL = `SELECT notes.id, notes.title FROM notes_fts JOIN notes ON notes.rowid = notes_fts.rowid
  WHERE notes_fts MATCH ? ORDER BY rank LIMIT 20`;

/// A seeded generator (the simulator's mulberry32): the same notes and queries on every run and kind.
const random = seededRandom;

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ber', 'dan', 'fel', 'gor', 'han', 'jul', 'kem', 'lis', 'mor', 'nat', 'pel', 'quin', 'ros', 'sul', 'tam', 'ver'];

export function vocabulary(size: number, next: () => number): string[] {
  const words = new Set<string>();
  while (words.size < size) {
    const n = 2 + Math.floor(next() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(next() * SYLLABLES.length)]).join(''));
  }
  return [...words];
}

/// Picks words with a Zipf-like skew, as in prose: a few very common, a long tail.
export function zipfPicker(words: readonly string[], next: () => number): () => string {
  return () => words[Math.min(words.length - 1, Math.floor(words.length * next() ** 3))]!;
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function median(samples: number[]): number {
  return percentile(samples, 50);
}

/// Fills `db` with `options.notes` notes in transactions of 1,000; returns the vocabulary.
async function fillNotes(db: BrowserDatabase, options: BenchOptions): Promise<string[]> {
  const next = random(0x5eed);
  const words = vocabulary(5000, next);
  const word = zipfPicker(words, next);
  await db.execScript(NOTES_SCHEMA);
  const perTx = 1000;
  for (let start = 0; start < options.notes; start += perTx) {
    const statements: SqlStatement[] = [];
    for (let i = start; i < Math.min(options.notes, start + perTx); i++) {
      const title = Array.from({ length: 4 }, word).join(' ');
      const body = Array.from({ length: options.wordsPerNote }, word).join(' ');
      statements.push({ sql: 'INSERT INTO notes (id, title, body, updated_at) VALUES (?, ?, ?, ?)', params: [`note-${i}`, title, body, 1_700_000_000_000 + i] });
    }
    await db.transact(statements);
  }
  return words;
}

async function fresh(name: string, storage: StorageKind): Promise<BrowserDatabase> {
  await deleteBrowserDatabase(name).catch(() => undefined);
  return openBrowserDatabase({ name, storage });
}

export async function runStorageBench(options: BenchOptions): Promise<BenchResult> {
  const suffix = `${options.storage}-${Date.now().toString(36)}`;

  // Single-row transactions on a CRR table.
  const txDb = await fresh(`bench-tx-${suffix}`, options.storage);
  await txDb.execScript("CREATE TABLE events (id INTEGER PRIMARY KEY NOT NULL, v TEXT NOT NULL DEFAULT ''); SELECT crsql_as_crr('events');");
  const insert = 'INSERT INTO events (id, v) VALUES (?, ?)';
  let id = 0;
  let t0 = performance.now();
  for (let i = 0; i < options.txRows; i++) await txDb.transact([{ sql: insert, params: [++id, `row ${id}`] }]);
  const txPerSecSequential = options.txRows / ((performance.now() - t0) / 1000);

  t0 = performance.now();
  await Promise.all(Array.from({ length: options.txRows }, () => txDb.transact([{ sql: insert, params: [++id, `row ${id}`] }])));
  const txPerSecPipelined = options.txRows / ((performance.now() - t0) / 1000);

  t0 = performance.now();
  for (let done = 0; done < options.txRows; done += options.batchSize) {
    const batch: SqlStatement[] = Array.from({ length: options.batchSize }, () => ({ sql: insert, params: [++id, `row ${id}`] }));
    await txDb.transact(batch);
  }
  const batchedRowsPerSec = options.txRows / ((performance.now() - t0) / 1000);

  const bulk: SqlStatement[] = Array.from({ length: options.bulkRows }, () => ({ sql: insert, params: [++id, `row ${id}`] }));
  t0 = performance.now();
  await txDb.transact(bulk);
  const bulkMs = performance.now() - t0;
  const [count] = await txDb.query('SELECT count(*) AS n FROM events');
  if (Number(count?.n) !== id) throw new Error(`expected ${id} events, found ${String(count?.n)}`);
  await txDb.close();
  await deleteBrowserDatabase(`bench-tx-${suffix}`).catch(() => undefined);

  // A notes database with an FTS5 index over ~200-word bodies.
  const notesName = `bench-notes-${suffix}`;
  let notesDb = await fresh(notesName, options.storage);
  t0 = performance.now();
  const words = await fillNotes(notesDb, options);
  const fillNotesMs = performance.now() - t0;

  const openSamples: number[] = [];
  for (let i = 0; i < options.opens; i++) {
    if (options.storage === 'memory') {
      openSamples.push(await timeOpen(`${notesName}-open-${i}`, 'memory'));
    } else {
      await notesDb.close();
      openSamples.push(await timeOpen(notesName, options.storage));
      notesDb = await openBrowserDatabase({ name: notesName, storage: options.storage });
    }
  }

  const queryWords = random(0x9e37);
  const pick = zipfPicker(words, queryWords);
  const searchSamples: number[] = [];
  let searchHits = 0;
  for (let i = 0; i < options.searches; i++) {
    const term = pick();
    t0 = performance.now();
    const rows = await notesDb.query(SEARCH_SQL, [term]);
    searchSamples.push(performance.now() - t0);
    searchHits += rows.length;
  }
  await notesDb.close();
  if (!options.keepNotes) await deleteBrowserDatabase(notesName).catch(() => undefined);

  return {
    storageKind: options.storage,
    txPerSecSequential,
    txPerSecPipelined,
    batchedRowsPerSec,
    bulkMs,
    fillNotesMs,
    openMs: median(openSamples),
    openSamples,
    searchP50Ms: median(searchSamples),
    searchP95Ms: percentile(searchSamples, 95),
    searchHits,
    notesName,
  };
}

/// Opens database `name` and lists its 50 latest notes (a memory database, which is new and
/// empty, lists its schema instead); returns the milliseconds that took. Closes it again.
export async function timeOpen(name: string, storage: StorageKind): Promise<number> {
  const t0 = performance.now();
  const db = await openBrowserDatabase({ name, storage });
  const listed = await db.query(storage === 'memory' ? 'SELECT name FROM sqlite_master ORDER BY name LIMIT 50' : LIST_SQL);
  const ms = performance.now() - t0;
  await db.close();
  if (storage !== 'memory' && listed.length === 0) throw new Error(`database ${name} has no notes`);
  return ms;
}

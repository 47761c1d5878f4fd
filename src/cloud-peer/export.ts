import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appSchema } from '../notes/app-schema';
import { exportMarkdownZip } from '../notes/markdown';
import { installNoteHomes, NotebookScope } from '../notes/sharing';
import { openFileDatabase } from '../storage/node';
import { checkReplicaDatabase, MergeError, mergeReplica, Replica } from '../sync';
import { REPLICA_FILE } from './cloud-peer';

export interface ExportOptions {
  /// The cloud peer's data directory (holding `replica.sqlite`).
  readonly dataDir: string;
  /// Export this notebook only; otherwise everything the peer keeps.
  readonly notebookId?: string;
  /// `markdown`: a zip of Markdown files, as the app's "Export Markdown" writes it.
  /// `sqlite`: a database file that the sqlite3 CLI opens and the app's "Import" merges.
  readonly format: 'markdown' | 'sqlite';
  /// The file to write (replaced if it exists).
  readonly out: string;
}

export const EXPORT_USAGE = `Usage: npm run peer -- export --format markdown|sqlite --out <file> [--data <dir>] [--notebook <id>]

Exports what the cloud peer keeps, in the app's own formats: a zip of Markdown files, or an
SQLite database file (open it with sqlite3, or import it in the app). The database file of
everything carries the secrets of the shared notebooks the peer keeps: keep it private. With
--notebook, only that notebook (and no secrets). Safe while the peer runs: it reads a copy of
the replica.`;

/// Parses `export`'s arguments (after the word `export`).
export function parseExportArgs(argv: readonly string[], env: Record<string, string | undefined>): ExportOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { format: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' }, notebook: { type: 'string' } },
    strict: true,
  });
  if (values.format !== 'markdown' && values.format !== 'sqlite') throw new TypeError('--format must be markdown or sqlite');
  if (!values.out) throw new TypeError('--out <file> is required');
  return {
    dataDir: values.data ?? env.PEER_DATA ?? '.cloud-peer',
    format: values.format,
    out: values.out,
    ...(values.notebook ? { notebookId: values.notebook } : {}),
  };
}

/// Writes an export of the replica in `dataDir` to `out`. It never writes to the replica
/// itself (a running peer may have it open): it copies the file (and a hot journal, so that
/// SQLite can roll back a transaction caught half-written) and exports from the copy, taking
/// a fresh copy if that one turns out damaged.
export async function exportFromDataDir(options: ExportOptions): Promise<void> {
  const file = path.join(options.dataDir, REPLICA_FILE);
  await fs.access(file).catch((error: unknown) => {
    throw new Error(`there is no replica in ${options.dataDir} (${REPLICA_FILE} is missing)`, { cause: error });
  });
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'notes-export-'));
  try {
    const copy = await snapshot(file, work);
    const replica = await Replica.open({ db: await openFileDatabase(copy), schema: appSchema });
    let closed = false;
    try {
      if (options.notebookId !== undefined) {
        const [notebook] = await replica.query('SELECT id FROM notebooks WHERE id = ? AND deleted_at IS NULL', [options.notebookId]);
        if (!notebook) throw new Error(`the peer keeps no notebook ${options.notebookId}`);
      }
      let bytesOut: string;
      if (options.format === 'markdown') {
        bytesOut = path.join(work, 'export.zip');
        await fs.writeFile(bytesOut, await exportMarkdownZip(replica, options.notebookId === undefined ? {} : { notebookId: options.notebookId }));
      } else if (options.notebookId === undefined) {
        // The copy itself, once closed, is the file.
        await replica.close();
        closed = true;
        bytesOut = copy;
      } else {
        bytesOut = path.join(work, 'notebook.sqlite');
        await writeNotebookDatabase(replica, options.notebookId, bytesOut);
      }
      await writeAtomically(bytesOut, options.out);
    } finally {
      if (!closed) await replica.close();
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

const SNAPSHOT_ATTEMPTS = 5;

/// Copies the replica (and its journal, if a transaction is in flight) into `dir` and checks
/// the copy; returns its path.
async function snapshot(file: string, dir: string): Promise<string> {
  const copy = path.join(dir, REPLICA_FILE);
  for (let attempt = 1; ; attempt++) {
    await fs.rm(`${copy}-journal`, { force: true });
    await fs.copyFile(file, copy);
    const journal = await fs.stat(`${file}-journal`).catch(() => null);
    if (journal && journal.size > 0) await fs.copyFile(`${file}-journal`, `${copy}-journal`);
    try {
      const db = await openFileDatabase(copy);
      try {
        await checkReplicaDatabase(db, appSchema);
      } finally {
        await db.close();
      }
      return copy;
    } catch (error) {
      const damaged = (error instanceof MergeError && error.code === 'damaged') || (error as { kind?: unknown }).kind === 'corrupt';
      if (!damaged || attempt >= SNAPSHOT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/// A new database holding one notebook: what a sync session of that notebook would send.
async function writeNotebookDatabase(source: Replica, notebookId: string, file: string): Promise<void> {
  await installNoteHomes(source);
  const scope = new NotebookScope(source, notebookId);
  const target = await Replica.open({ db: await openFileDatabase(file), schema: appSchema });
  try {
    await mergeReplica(target, source, { scope });
  } finally {
    scope.dispose();
    await target.close();
  }
}

async function writeAtomically(from: string, to: string): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(to)), { recursive: true });
  const partial = `${to}.partial`;
  await fs.copyFile(from, partial);
  await fs.rename(partial, to);
}

import { useCallback, useState } from 'react';
import { appSchema } from '../../notes/app-schema';
import type { MarkdownFile } from '../../notes/markdown';
import { MarkdownImportError } from '../../notes/markdown/errors';
import { mergeNotesDatabase } from '../../notes/model';
import { openDatabaseCopy, StorageOpenError, type DatabaseCopy } from '../../storage/browser';
import { hasSqliteHeader } from '../../storage/open-errors';
import { checkReplicaDatabase, MergeError, Replica } from '../../sync';
import type { AppRuntime } from './boot';
import { useRuntime } from './context';
import { useNetwork } from './network-context';

/// "Your data": the whole database as a file, the notes as Markdown, and importing either.
/// The page's side of it (files, downloads, messages); the work is done by src/notes.

/// The Markdown code (markdown-it, prosemirror-markdown, yaml, fflate) loads when first used.
const markdownModule = () => import('../../notes/markdown');

/// Notebook for Markdown files picked on their own (not in a folder or a zip).
export const LOOSE_MARKDOWN_NOTEBOOK = 'Imported notes';

const SQLITE_NAME = /\.(sqlite3?|db)$/i;

/// The database as an SQLite file that the sqlite3 CLI opens, with every edit made so far.
/// On OPFS the stored file is read as it is between two calls; where the database lives in
/// IndexedDB (no raw file to read), an equivalent database is built in memory by merging
/// this one into a new one.
export async function databaseFile(runtime: AppRuntime): Promise<Uint8Array> {
  await runtime.replica.flush();
  if (runtime.storage.storageKind === 'opfs') return runtime.storage.readFile();
  const copy = await openDatabaseCopy(new Uint8Array());
  const built = await Replica.open({ db: copy, schema: appSchema }).catch(async (error: unknown) => {
    await copy.close();
    throw error;
  });
  try {
    await mergeNotesDatabase(built, runtime.replica);
    await built.flush();
    return await copy.readFile();
  } finally {
    await built.close();
  }
}

export async function downloadDatabase(runtime: AppRuntime): Promise<string> {
  const name = `notes-${dateStamp()}.sqlite`;
  saveFile(name, await databaseFile(runtime), 'application/vnd.sqlite3');
  return `Downloaded ${name}. Open it with any SQLite tool: select id, body, is_pinned from notes.`;
}

export async function downloadMarkdown(runtime: AppRuntime): Promise<string> {
  const name = `notes-markdown-${dateStamp()}.zip`;
  const { exportMarkdownZip } = await markdownModule();
  const zip = await exportMarkdownZip(runtime.replica);
  saveFile(name, zip, 'application/zip');
  return `Downloaded ${name}: a folder per notebook, a Markdown file per note.`;
}

/// Imports what the person picked: one or more database files (each merged in), or zips and
/// Markdown files (checked all together before any note is written). Returns what happened.
export async function importFiles(runtime: AppRuntime, picked: readonly File[]): Promise<string> {
  if (picked.length === 0) return 'Nothing was picked.';
  const read = await Promise.all(picked.map(async (file) => ({ file, bytes: new Uint8Array(await file.arrayBuffer()) })));
  const databases = read.filter(({ file, bytes }) => SQLITE_NAME.test(file.name) || hasSqliteHeader(bytes));
  if (databases.length > 0) {
    if (databases.length !== read.length) throw new ImportPickError('Import a database file on its own, without other files.');
    const messages: string[] = [];
    for (const { file, bytes } of databases) messages.push(await importDatabaseFile(runtime, file.name, bytes));
    return messages.join(' ');
  }
  const { importMarkdown, isMarkdownPath, looksLikeZip, readMarkdownArchive } = await markdownModule();
  const files: MarkdownFile[] = [];
  const skipped: string[] = [];
  for (const { file, bytes } of read) {
    if (/\.zip$/i.test(file.name) || looksLikeZip(bytes)) {
      const archive = readMarkdownArchive(bytes, file.name);
      const stem = file.name.replace(/\.zip$/i, '');
      // Notes at the top of a zip go into a notebook named after it.
      files.push(...archive.files.map((f) => ({ path: f.path.includes('/') ? f.path : `${stem}/${f.path}`, bytes: f.bytes })));
      skipped.push(...archive.skipped);
    } else if (file.webkitRelativePath) {
      // From a picked folder: like a zip, what is not Markdown is left out.
      if (file.webkitRelativePath.split('/').some((part) => part.startsWith('.'))) continue;
      if (isMarkdownPath(file.name)) files.push({ path: file.webkitRelativePath, bytes });
      else skipped.push(file.webkitRelativePath);
    } else {
      files.push({ path: file.name, bytes });
    }
  }
  const report = await importMarkdown(runtime.replica, { notebookNamed: LOOSE_MARKDOWN_NOTEBOOK }, files);
  const notebooks = await notebookNames(runtime, [...new Set(report.imported.map((n) => n.notebookId))]);
  const parts = [
    report.imported.length === 0 ? 'No new notes' : `Imported ${plural(report.imported.length, 'note')} into ${notebooks.join(', ')}`,
    report.alreadyHere.length > 0 ? `${plural(report.alreadyHere.length, 'note')} ${report.alreadyHere.length === 1 ? 'was' : 'were'} here already` : null,
    skipped.length > 0 ? `left out ${plural(skipped.length, 'file')} that ${skipped.length === 1 ? 'is' : 'are'} not Markdown (${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''})` : null,
  ];
  return `${parts.filter((p) => p !== null).join('; ')}.`;
}

async function importDatabaseFile(runtime: AppRuntime, name: string, bytes: Uint8Array): Promise<string> {
  let copy: DatabaseCopy | null = null;
  let source: Replica | null = null;
  try {
    copy = await openDatabaseCopy(bytes);
    await checkReplicaDatabase(copy, appSchema);
    source = await Replica.open({ db: copy, schema: appSchema });
    const report = await mergeNotesDatabase(runtime.replica, source);
    if (report.merge.rowsChanged === 0 && report.textsChanged === 0 && report.merge.localRows === 0) return `${name}: everything in it is here already.`;
    const added = [report.notesAdded > 0 ? plural(report.notesAdded, 'new note') : null, report.notebooksAdded > 0 ? plural(report.notebooksAdded, 'new notebook') : null];
    const changed = report.textsChanged - Math.max(0, report.notesAdded);
    return `Merged ${name}: ${[...added, changed > 0 ? `${plural(changed, 'note')} updated` : null].filter((p) => p !== null).join(', ') || 'changes merged'}.`;
  } catch (error) {
    throw new DatabaseImportError(name, error);
  } finally {
    if (source) await source.close().catch(() => undefined);
    else await copy?.close().catch(() => undefined);
  }
}

/// A picked set of files that cannot be imported together.
export class ImportPickError extends Error {
  override readonly name = 'ImportPickError';
}

/// A database file that could not be imported; `cause` says why. Nothing was merged, unless
/// the failure came in the middle of merging (then what was merged is kept, and importing the
/// file again completes it).
export class DatabaseImportError extends Error {
  override readonly name = 'DatabaseImportError';
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/// What to tell the person when a data action failed.
export function describeDataError(error: unknown): string {
  if (error instanceof MarkdownImportError || error instanceof ImportPickError) return `${error.message} Nothing was imported.`;
  if (error instanceof DatabaseImportError) {
    const cause = error.cause;
    const why =
      cause instanceof StorageOpenError
        ? cause.kind === 'not-a-database'
          ? 'is not an SQLite database'
          : 'could not be opened: it is damaged or incomplete'
        : cause instanceof MergeError
          ? cause.code === 'damaged'
            ? 'is damaged or incomplete'
            : cause.code === 'not-a-replica'
              ? 'is an SQLite database, but not one of this app'
              : 'is a database of another version of this app'
          : `could not be imported (${cause instanceof Error ? cause.message : String(cause)})`;
    return `${error.file} ${why}. Nothing was imported.`;
  }
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}

export interface YourDataState {
  readonly busy: boolean;
  /// The last action's outcome, or null.
  readonly status: string | null;
  readonly error: string | null;
  download(): void;
  exportMarkdown(): void;
  importFiles(files: readonly File[]): void;
}

/// The "Your data" actions for a component: each runs one at a time and reports its outcome.
export function useYourData(): YourDataState {
  const runtime = useRuntime();
  const network = useNetwork();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    (label: string, action: () => Promise<string>) => {
      setBusy(true);
      setError(null);
      setStatus(label);
      action().then(
        (message) => setStatus(message),
        (failure: unknown) => {
          console.error(failure);
          setStatus(null);
          setError(describeDataError(failure));
        },
      ).finally(() => setBusy(false));
    },
    [],
  );
  return {
    busy,
    status,
    error,
    download: () => run('Preparing the database file…', () => downloadDatabase(runtime)),
    exportMarkdown: () => run('Writing Markdown…', () => downloadMarkdown(runtime)),
    // An imported database may bring shared notebooks' keys: the network picks them up.
    importFiles: (files) => run('Importing…', () => importFiles(runtime, files).finally(() => void network.refresh())),
  };
}

async function notebookNames(runtime: AppRuntime, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await runtime.replica.query(`SELECT name FROM notebooks WHERE id IN (${ids.map(() => '?').join(', ')}) ORDER BY name`, ids);
  return rows.map((row) => `“${String(row.name)}”`);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function dateStamp(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/// Hands `bytes` to the browser as a download named `name`.
function saveFile(name: string, bytes: Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now in every browser; a minute leaves room for slow ones.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

import type { Node as PMNode } from 'prosemirror-model';
import type { Replica } from '../../sync';
import { notesSchema } from '../document/schema';
import { createNotebook, createNotes, type NewNote } from '../model';
import { MarkdownImportError } from './errors';
import { safeFileName } from './file-names';
import { splitFrontMatter, type NoteFrontMatter } from './front-matter';
import { markdownNormalForm, markdownToDoc } from './markdown';
import { readableTextOf, readNoteContent, writeNoteBody } from './note-doc';
import { IMPORT_LIMITS, isMarkdownPath, tooLarge, type MarkdownFile } from './zip';

/// Where imported notes go.
export type MarkdownImportTarget =
  /// Every note into this notebook.
  | { readonly notebookId: string }
  /// Each note into the notebook its front matter names, else the one named after its top
  /// folder (a zip exported with a folder per notebook, an Obsidian vault), else one named
  /// `notebookNamed`. A notebook of that name is used if there is one (not in Trash), else it
  /// is created, but only if a note goes into it.
  | { readonly notebookNamed: string };

export interface MarkdownImportReport {
  /// The files imported, each as a new note.
  readonly imported: readonly { readonly path: string; readonly noteId: string; readonly notebookId: string }[];
  /// Files whose note is here already (a note not in Trash with the same text and
  /// formatting): not imported again, so importing the same export twice adds nothing.
  readonly alreadyHere: readonly { readonly path: string; readonly noteId: string }[];
  /// Notebooks the import created.
  readonly createdNotebooks: readonly { readonly id: string; readonly name: string }[];
}

interface ParsedFile {
  readonly path: string;
  readonly frontMatter: NoteFrontMatter | null;
  /// In its Markdown normal form.
  readonly doc: PMNode;
  readonly text: string;
}

/// Imports Markdown files as new notes. Every file is checked first: a file that is not
/// Markdown by its name, not UTF-8 text, or too large fails the whole import with a
/// MarkdownImportError naming it, before anything is written.
///
/// - A file with front matter (as `exportMarkdownZip` writes) keeps its pinned state and its
///   dates. Its `id` is not reused: a note of the same id made independently on two devices
///   would merge into one with its text twice once they sync. Whether a file's note is here
///   already is decided by content instead (see `MarkdownImportReport.alreadyHere`).
/// - A file without a `title` whose first line is not its file name (Obsidian keeps titles in
///   file names) gets its file name as a heading on top, since a note's title is its first
///   line.
export async function importMarkdown(
  replica: Replica,
  target: MarkdownImportTarget,
  files: readonly MarkdownFile[],
  options: { readonly now?: number } = {},
): Promise<MarkdownImportReport> {
  const now = options.now ?? Date.now();
  if (files.length === 0) throw new MarkdownImportError('nothing-to-import', null, 'There are no Markdown files to import.');
  if (files.length > IMPORT_LIMITS.files) throw new MarkdownImportError('too-many-files', null, `One import takes at most ${IMPORT_LIMITS.files} files.`);
  const parsed = files.map(parseFile);

  await replica.flush();
  const existing = await existingNotesByText(replica);
  const normalForms = new Map<string, PMNode>();
  const fresh: ParsedFile[] = [];
  const alreadyHere: { path: string; noteId: string }[] = [];
  for (const file of parsed) {
    const match = await findSameNote(replica, existing, normalForms, file);
    if (match) alreadyHere.push({ path: file.path, noteId: match });
    else fresh.push(file);
  }

  const notebookOf = await resolveNotebooks(replica, target, fresh);
  const createdNotebooks: { id: string; name: string }[] = [];
  const idsByName = new Map<string, string>();
  for (const file of fresh) {
    const wanted = notebookOf.get(file)!;
    if (wanted.id !== null || idsByName.has(wanted.name)) continue;
    const id = await createNotebook(replica, wanted.name, now);
    idsByName.set(wanted.name, id);
    createdNotebooks.push({ id, name: wanted.name });
  }
  const rows: NewNote[] = fresh.map((file) => {
    const wanted = notebookOf.get(file)!;
    const createdAt = file.frontMatter?.created ?? now;
    return {
      notebookId: wanted.id ?? idsByName.get(wanted.name)!,
      pinned: file.frontMatter?.pinned ?? false,
      createdAt,
      updatedAt: file.frontMatter?.updated ?? createdAt,
    };
  });
  const ids = await createNotes(replica, rows);
  for (const [i, file] of fresh.entries()) await writeNoteBody(replica, ids[i]!, file.doc);
  await replica.flush();
  return {
    imported: fresh.map((file, i) => ({ path: file.path, noteId: ids[i]!, notebookId: rows[i]!.notebookId })),
    alreadyHere,
    createdNotebooks,
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function parseFile(file: MarkdownFile): ParsedFile {
  const path = normalizePath(file.path);
  if (!isMarkdownPath(path)) {
    throw new MarkdownImportError('not-markdown', path, `${path} is not a Markdown file (.md, .markdown or .txt).`);
  }
  if (file.bytes.byteLength > IMPORT_LIMITS.fileBytes) throw tooLarge(path);
  let source: string;
  try {
    source = decoder.decode(file.bytes);
  } catch (error) {
    throw new MarkdownImportError('not-text', path, `${path} is not text: it is not UTF-8, so it is probably not Markdown.`, error);
  }
  if (source.includes('\u0000')) throw new MarkdownImportError('not-text', path, `${path} is not text: it holds binary data.`);
  const { frontMatter, body } = splitFrontMatter(source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  let doc = markdownToDoc(body);
  if (frontMatter?.title === undefined) doc = withTitle(doc, fileStem(path));
  doc = markdownNormalForm(doc);
  return { path, frontMatter, doc, text: readableTextOf(doc) };
}

function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.?\/)+/, '');
}

function fileStem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.replace(/\.[^.]*$/, '');
}

/// Puts `title` on top as a heading unless the document's first line already is it.
function withTitle(doc: PMNode, title: string): PMNode {
  const firstLine = readableTextOf(doc).split('\n').map((line) => line.trim()).find((line) => line.length > 0) ?? '';
  if (title.trim() === '' || safeFileName(firstLine).toLowerCase() === safeFileName(title).toLowerCase()) return doc;
  const heading = notesSchema.nodes.heading!.create({ level: 1 }, notesSchema.text(title.trim()));
  return notesSchema.topNodeType.create(null, [heading, ...childrenOf(doc)]);
}

function childrenOf(node: PMNode): PMNode[] {
  const children: PMNode[] = [];
  node.forEach((child) => children.push(child));
  return children;
}

/// Live notes by their readable text: a cheap first look for notes a file may duplicate.
async function existingNotesByText(replica: Replica): Promise<Map<string, string[]>> {
  const rows = await replica.query("SELECT id, coalesce(body, '') AS body FROM notes WHERE deleted_at IS NULL ORDER BY id");
  const byText = new Map<string, string[]>();
  for (const row of rows) {
    const text = String(row.body);
    byText.set(text, [...(byText.get(text) ?? []), String(row.id)]);
  }
  return byText;
}

/// A live note whose document is the file's in Markdown normal form (so it would export as
/// the same Markdown), if there is one. `normalForms` caches the notes looked at.
async function findSameNote(replica: Replica, byText: Map<string, string[]>, normalForms: Map<string, PMNode>, file: ParsedFile): Promise<string | null> {
  for (const id of byText.get(file.text) ?? []) {
    let normal = normalForms.get(id);
    if (normal === undefined) {
      normal = markdownNormalForm((await readNoteContent(replica, id)).doc);
      normalForms.set(id, normal);
    }
    if (normal.eq(file.doc)) return id;
  }
  return null;
}

/// Each file's notebook: an id, or (id null) the name of one to create.
async function resolveNotebooks(replica: Replica, target: MarkdownImportTarget, files: readonly ParsedFile[]): Promise<Map<ParsedFile, { id: string | null; name: string }>> {
  const result = new Map<ParsedFile, { id: string | null; name: string }>();
  if ('notebookId' in target) {
    const [row] = await replica.query('SELECT name FROM notebooks WHERE id = ? AND deleted_at IS NULL', [target.notebookId]);
    if (!row) throw new MarkdownImportError('unknown-notebook', null, 'The notebook to import into no longer exists.');
    for (const file of files) result.set(file, { id: target.notebookId, name: String(row.name) });
    return result;
  }
  const live = await replica.query('SELECT id, name FROM notebooks WHERE deleted_at IS NULL ORDER BY created_at, id');
  const byName = new Map<string, string>();
  for (const row of live) if (!byName.has(String(row.name))) byName.set(String(row.name), String(row.id));
  for (const file of files) {
    const slash = file.path.indexOf('/');
    const name = (file.frontMatter?.notebook ?? (slash > 0 ? file.path.slice(0, slash) : target.notebookNamed)).trim() || target.notebookNamed;
    result.set(file, { id: byName.get(name) ?? null, name });
  }
  return result;
}

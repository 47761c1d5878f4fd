import type { Replica } from '../../sync';
import { titleAndSnippet } from '../model';
import { safeFileName, uniqueNames } from './file-names';
import { writeFrontMatter } from './front-matter';
import { docToMarkdown } from './markdown';
import { readNoteContent } from './note-doc';
import { writeZip } from './zip';

export interface MarkdownExportOptions {
  /// Export this notebook only, its notes at the top of the zip; otherwise every notebook,
  /// each in a folder of its name.
  readonly notebookId?: string;
}

interface ExportedNote {
  readonly id: string;
  readonly notebookId: string;
  readonly notebookName: string;
  readonly pinned: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/// Folder of notes whose notebook no longer exists (a sync can leave one behind).
const NO_NOTEBOOK = 'No notebook';

/// The live notes (not those in Trash) as Markdown files in a zip: one `.md` per note, named
/// after its title, with YAML front matter (id, notebook, pinned, created, updated, title).
/// The same notes give the same bytes: files are sorted and dated by their note's last
/// change, and names that would clash get a piece of the note's id.
export async function exportMarkdownZip(replica: Replica, options: MarkdownExportOptions = {}): Promise<Uint8Array> {
  const notes = await notesToExport(replica, options.notebookId);
  const contents = new Map<string, { title: string; markdown: string }>();
  for (const note of notes) {
    const { doc, text } = await readNoteContent(replica, note.id);
    contents.set(note.id, { title: titleAndSnippet(text).title, markdown: docToMarkdown(doc) });
  }

  const byFolder = options.notebookId === undefined ? folderNames(notes) : null;
  const groups = new Map<string, ExportedNote[]>();
  for (const note of notes) {
    const folder = byFolder?.get(note.notebookId) ?? '';
    groups.set(folder, [...(groups.get(folder) ?? []), note]);
  }
  const files: { path: string; bytes: Uint8Array; modified: number }[] = [];
  const encoder = new TextEncoder();
  for (const [folder, group] of groups) {
    const names = uniqueNames(group.map((note) => ({ key: note.id, name: safeFileName(contents.get(note.id)!.title) })));
    for (const note of group) {
      const { title, markdown } = contents.get(note.id)!;
      const frontMatter = writeFrontMatter({
        id: note.id,
        notebook: note.notebookName,
        pinned: note.pinned,
        created: note.createdAt,
        updated: note.updatedAt,
        title,
      });
      const path = `${folder ? `${folder}/` : ''}${names.get(note.id)!}.md`;
      files.push({ path, bytes: encoder.encode(`${frontMatter}\n${markdown}`), modified: note.updatedAt });
    }
  }
  return writeZip(files);
}

async function notesToExport(replica: Replica, notebookId: string | undefined): Promise<ExportedNote[]> {
  if (notebookId !== undefined) {
    const [notebook] = await replica.query('SELECT id FROM notebooks WHERE id = ? AND deleted_at IS NULL', [notebookId]);
    if (!notebook) throw new RangeError(`there is no notebook ${notebookId} to export`);
  }
  const rows = await replica.query(
    `SELECT n.id, n.notebook_id, n.is_pinned, n.created_at, n.updated_at, b.name AS notebook_name
     FROM notes n LEFT JOIN notebooks b ON b.id = n.notebook_id
     WHERE n.deleted_at IS NULL ${notebookId === undefined ? '' : 'AND n.notebook_id = ?'} ORDER BY n.id`,
    notebookId === undefined ? [] : [notebookId],
  );
  return rows.map((row) => ({
    id: String(row.id),
    notebookId: String(row.notebook_id ?? ''),
    notebookName: typeof row.notebook_name === 'string' ? row.notebook_name : NO_NOTEBOOK,
    pinned: row.is_pinned === 1,
    createdAt: Number(row.created_at ?? 0),
    updatedAt: Number(row.updated_at ?? 0),
  }));
}

/// A folder per notebook, named after it (notebooks of the same name told apart by id).
function folderNames(notes: readonly ExportedNote[]): Map<string, string> {
  const notebooks = new Map<string, string>();
  for (const note of notes) notebooks.set(note.notebookId, note.notebookName);
  return uniqueNames([...notebooks].map(([id, name]) => ({ key: id, name: safeFileName(name) })));
}

import type { Node as PMNode } from 'prosemirror-model';
import { prosemirrorToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import * as Y from 'yjs';
import { readableText, type Replica } from '../../sync';
import { noteBody } from '../app-schema';
import { checkDocCompatibility, NOTE_FRAGMENT, noteFragment, stampEditorSchemaVersion } from '../document/doc-version';
import { notesSchema } from '../document/schema';

/// The origin of the Yjs transaction that writes an imported note's body. Like every origin
/// that is not one of the runtime's own, it is stored and sent to peers as a local change.
export const ImportOrigin = Symbol('notes:import');

/// A note's document and its readable text, as they are now.
export interface NoteContent {
  readonly doc: PMNode;
  readonly text: string;
}

/// Reads note `id`'s document. The conversion runs on a copy of the note's Y.Doc: y-prosemirror
/// deletes what does not fit the schema while converting, and that must never reach the note.
/// A note this app cannot show (written by a newer editor) is read as its plain text, one
/// paragraph per line, so its words are not lost.
export async function readNoteContent(replica: Replica, id: string): Promise<NoteContent> {
  const handle = await replica.texts.openDoc(noteBody(id));
  const copy = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(handle.doc));
  } finally {
    await handle.release();
  }
  try {
    const text = readableText(copy);
    const fragment = noteFragment(copy);
    if (fragment === null || !checkDocCompatibility(copy).editable) return { doc: plainTextDoc(text), text };
    return { doc: yXmlFragmentToProseMirrorRootNode(fragment, notesSchema), text };
  } finally {
    copy.destroy();
  }
}

/// The readable text a document gets once stored: what the notes list, search and the
/// sqlite3 CLI show, and what `readNoteContent` reports.
export function readableTextOf(doc: PMNode): string {
  const ydoc = new Y.Doc();
  try {
    prosemirrorToYXmlFragment(doc, ydoc.getXmlFragment(NOTE_FRAGMENT));
    return readableText(ydoc);
  } finally {
    ydoc.destroy();
  }
}

/// Writes `doc` as the body of note `id`, whose body must still be empty (a note just
/// created), in one Yjs transaction, and records the editor schema version that wrote it.
export async function writeNoteBody(replica: Replica, id: string, doc: PMNode): Promise<void> {
  const handle = await replica.texts.openDoc(noteBody(id));
  try {
    const fragment = noteFragment(handle.doc);
    if (fragment === null || fragment.length > 0) throw new Error(`note ${id} already has a body`);
    handle.doc.transact(() => {
      prosemirrorToYXmlFragment(doc, fragment);
      stampEditorSchemaVersion(handle.doc);
    }, ImportOrigin);
  } finally {
    await handle.release();
  }
}

function plainTextDoc(text: string): PMNode {
  const lines = text.split('\n');
  return notesSchema.topNodeType.create(
    null,
    lines.map((line) => notesSchema.nodes.paragraph!.create(null, line ? notesSchema.text(line) : null)),
  );
}

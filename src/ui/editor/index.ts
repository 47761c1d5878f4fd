/// The notes rich-text editor: a ProseMirror schema bound to each note's Y.Doc with
/// y-prosemirror, Markdown-like shortcuts, checklists, and a gate that opens notes from a
/// newer app read-only instead of rewriting what it does not understand.
export { NoteEditor, type NoteEditorProps } from './NoteEditor';
export { EDITOR_SCHEMA_VERSION, notesSchema, safeHref } from '../../notes/document/schema';
export {
  checkDocCompatibility,
  EditorOrigin,
  META_EDITOR_SCHEMA,
  NOTE_FRAGMENT,
  NOTE_META,
  readEditorSchemaVersion,
  type DocCompatibility,
  type RecordedSchemaVersion,
} from '../../notes/document/doc-version';
export { mountNoteEditor, type CursorSource, type MountedNoteView, type NoteEditorViewOptions } from './editor-view';
export { mountReadOnlyNote } from './read-only-view';
export { mountNote, type MountedNote, type MountNoteOptions } from './mount-note';
export type { LinkUrlRequest } from './commands';

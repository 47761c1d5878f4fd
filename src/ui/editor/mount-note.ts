import type * as Y from 'yjs';
import { checkDocCompatibility, type DocCompatibility } from '../../notes/document/doc-version';
import { bindCompatibleNote, type MountedNoteView, type NoteEditorViewOptions } from './editor-view';
import { mountReadOnlyNote } from './read-only-view';

export interface MountNoteOptions extends NoteEditorViewOptions {
  /// Show the note read-only even when this app could edit it.
  readonly readOnly?: boolean;
  /// The note's compatibility changed while it was shown read-only: mount it again.
  readonly onCompatibilityChange?: () => void;
}

export interface MountedNote extends MountedNoteView {
  /// What `checkDocCompatibility` said when the note was mounted.
  readonly compatibility: DocCompatibility;
  readonly editable: boolean;
}

/// Shows the note `doc` in `place`: editable when allowed and compatible, read-only otherwise.
/// Compatibility is checked here, right before binding, so nothing that arrived earlier slips
/// past; from then on the editor's guard (or the read-only view's watch) follows every change
/// and reports through `onIncompatible` / `onCompatibilityChange`.
export function mountNote(place: HTMLElement, doc: Y.Doc, options: MountNoteOptions = {}): MountedNote {
  const compatibility = checkDocCompatibility(doc);
  if (!options.readOnly && compatibility.editable) {
    return { ...bindCompatibleNote(place, doc, options), compatibility, editable: true };
  }
  const watch = options.onCompatibilityChange;
  const view = mountReadOnlyNote(place, doc, {
    compatibleAtOpen: compatibility.editable,
    ...(watch ? { onCompatibilityChange: () => watch() } : {}),
  });
  return { ...view, compatibility, editable: false };
}

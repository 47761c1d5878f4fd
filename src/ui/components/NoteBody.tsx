import { useEffect, useMemo, useRef } from 'react';
import type { EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import { NoteEditor } from '../editor';
import { ephemeralCursorSource } from '../editor/ephemeral-cursors';
import { useRuntime } from '../runtime/context';
import { useNetwork } from '../runtime/network-context';
import { personColor } from './people';

/// The open note's editor, with the cursors of the people in it. A chunk of its own (see
/// NotePane): ProseMirror and y-prosemirror are half of the interface's code, and the note
/// list does not need them to show.
export default function NoteBody(props: { noteId: string; doc: Y.Doc; readOnly: boolean; autoFocus: boolean }) {
  const { replica } = useRuntime();
  const network = useNetwork();
  const view = useRef<EditorView | null>(null);
  // Where this person's cursor goes and other people's come from: the note's EPHEMERAL cursor column.
  const cursors = useMemo(
    () =>
      ephemeralCursorSource({
        ephemeral: replica.ephemeral,
        doc: props.doc,
        table: 'notes',
        pk: [props.noteId],
        column: 'cursor',
        getView: () => view.current,
        personOf: (peer) => {
          const person = network.personOfSite(peer);
          return person ? { name: person.name, color: personColor(person.identityKey) } : null;
        },
      }),
    [replica, network, props.noteId, props.doc],
  );
  useEffect(() => () => cursors.destroy(), [cursors]);
  return (
    <NoteEditor
      key={props.noteId}
      doc={props.doc}
      readOnly={props.readOnly}
      className="note-editor"
      cursorSource={cursors}
      onReady={(ready) => {
        view.current = ready;
        if (props.autoFocus) ready.focus();
      }}
    />
  );
}

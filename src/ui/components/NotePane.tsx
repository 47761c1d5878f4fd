import { memo, useEffect, useMemo, useRef } from 'react';
import type { EditorView } from 'prosemirror-view';
import { noteBody } from '../../notes/app-schema';
import { NoteEditor } from '../editor';
import { moveToTrash, restoreNote, setPinned, touchNote } from '../../notes/model';
import { useLiveQuery, useRuntime, useTextDoc } from '../runtime/context';
import { useNetwork } from '../runtime/network-context';
import { ephemeralCursorSource } from '../editor/ephemeral-cursors';
import { personColor } from './people';

interface NoteRow {
  id: string;
  is_pinned: number;
  deleted_at: number | null;
}

/// The open note: its toolbar and its editor. A note in Trash opens read-only.
export const NotePane = memo(function NotePane(props: { noteId: string; autoFocus: boolean; onBack: () => void; onDeleted: () => void }) {
  const { replica } = useRuntime();
  const rows = useLiveQuery<NoteRow>('SELECT id, is_pinned, deleted_at FROM notes WHERE id = ?', [props.noteId], ['notes']);
  const note = rows?.[0] ?? null;
  const doc = useTextDoc(note ? noteBody(props.noteId) : null);
  const network = useNetwork();
  const view = useRef<EditorView | null>(null);
  // Where this person's cursor goes and other people's come from: the note's EPHEMERAL cursor column.
  const cursors = useMemo(
    () =>
      doc &&
      ephemeralCursorSource({
        ephemeral: replica.ephemeral,
        doc,
        table: 'notes',
        pk: [props.noteId],
        column: 'cursor',
        getView: () => view.current,
        personOf: (peer) => {
          const person = network.personOfSite(peer);
          return person ? { name: person.name, color: personColor(person.identityKey) } : null;
        },
      }),
    [replica, network, props.noteId, doc],
  );
  useEffect(() => () => cursors?.destroy(), [cursors]);

  // Local edits move the note up the list ("by last edit").
  useEffect(() => {
    return replica.texts.onTextChanged((refs, origin) => {
      if (origin === 'local' && refs.some((r) => r.table === 'notes' && r.pk[0] === props.noteId)) void touchNote(replica, props.noteId);
    });
  }, [replica, props.noteId]);

  if (rows !== null && note === null) {
    return (
      <section className="note-pane note-pane--missing" aria-label="Note">
        <p>This note no longer exists.</p>
        <button type="button" onClick={props.onBack}>
          Back to notes
        </button>
      </section>
    );
  }
  const inTrash = note?.deleted_at != null;
  return (
    <section className="note-pane" aria-label="Note">
      <div className="note-toolbar" role="toolbar" aria-label="Note actions">
        <button type="button" className="back" onClick={props.onBack}>
          ‹ Notes
        </button>
        <span className="spacer" />
        {inTrash ? (
          <button type="button" onClick={() => void restoreNote(replica, props.noteId)}>
            Restore
          </button>
        ) : (
          <>
            <button type="button" aria-pressed={note?.is_pinned === 1} onClick={() => note && void setPinned(replica, note.id, note.is_pinned !== 1)}>
              Pin note
            </button>
            <button
              type="button"
              onClick={async () => {
                await moveToTrash(replica, props.noteId);
                props.onDeleted();
              }}
            >
              Delete note
            </button>
          </>
        )}
      </div>
      {doc ? <NoteEditor
          key={props.noteId}
          doc={doc}
          readOnly={inTrash}
          className="note-editor"
          cursorSource={cursors ?? undefined}
          onReady={(ready) => {
            view.current = ready;
            if (props.autoFocus) ready.focus();
          }}
        /> : <div className="note-editor loading" aria-busy="true" />}
    </section>
  );
});

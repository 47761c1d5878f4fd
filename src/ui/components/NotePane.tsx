import { memo, useCallback, useEffect, useState } from 'react';
import { noteBody } from '../../notes/app-schema';
import { moveToTrash, restoreNote, setPinned, touchNote } from '../../notes/model';
import { useLiveQuery, useRuntime, useTextDoc } from '../runtime/context';
import type NoteBodyModule from './NoteBody';

type NoteBodyComponent = typeof NoteBodyModule;
let loadedNoteBody: NoteBodyComponent | null = null;
let loadingNoteBody: Promise<NoteBodyComponent> | undefined;

/// The editor's chunk, loaded at start (render.tsx asks for it while the notes open) or
/// when a note first opens, whichever comes first. Not React.lazy: a Suspense boundary that has
/// shown its fallback reveals the content no sooner than 300 ms later, even when the chunk
/// is already there.
export function loadNoteBody(): Promise<NoteBodyComponent> {
  loadingNoteBody ??= import('./NoteBody').then(
    (module) => (loadedNoteBody = module.default),
    (error: unknown) => {
      loadingNoteBody = undefined; // asked again, it is fetched again
      throw error;
    },
  );
  return loadingNoteBody;
}

/// The editor component once its chunk has loaded, else null while it loads; `failed`
/// says why it could not be loaded, and `retry` asks again.
function useNoteBody(): { component: NoteBodyComponent | null; failed: string | null; retry: () => void } {
  const [component, setComponent] = useState<NoteBodyComponent | null>(() => loadedNoteBody);
  const [failed, setFailed] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (component) return;
    let live = true;
    loadNoteBody().then(
      (loaded) => live && setComponent(() => loaded),
      (error: unknown) => {
        console.error('could not load the editor', error);
        if (live) setFailed(error instanceof Error ? error.message : String(error));
      },
    );
    return () => {
      live = false;
    };
  }, [component, attempt]);
  const retry = useCallback(() => {
    setFailed(null);
    setAttempt((n) => n + 1);
  }, []);
  return { component, failed, retry };
}

interface NoteRow {
  id: string;
  is_pinned: number;
  deleted_at: number | null;
}

/// The open note: its toolbar and its editor. A note in Trash opens read-only.
export const NotePane = memo(function NotePane(props: { noteId: string; autoFocus: boolean; onBack: () => void; onDeleted: () => void }) {
  const { replica } = useRuntime();
  const rows = useLiveQuery<NoteRow>('SELECT id, is_pinned, deleted_at FROM notes WHERE id = ?', [props.noteId], ['notes'], { text: false });
  const note = rows?.[0] ?? null;
  const doc = useTextDoc(note ? noteBody(props.noteId) : null);
  const { component: NoteBody, failed: editorFailed, retry: retryEditor } = useNoteBody();
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
      {editorFailed ? (
        <div className="note-editor note-editor--failed" role="alert">
          <p>The editor could not be loaded ({editorFailed}). The note is safe.</p>
          <button type="button" onClick={retryEditor}>
            Try again
          </button>
        </div>
      ) : doc && NoteBody ? (
        <NoteBody noteId={props.noteId} doc={doc} readOnly={inTrash} autoFocus={props.autoFocus} />
      ) : (
        <div className="note-editor loading" aria-busy="true" />
      )}
    </section>
  );
});

import { useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import type { EditorView } from 'prosemirror-view';
import type * as Y from 'yjs';
import { promptForLinkUrl, type LinkUrlRequest } from './commands';
import type { CursorSource } from './editor-view';
import { mountNote } from './mount-note';
import './editor.css';

export interface NoteEditorProps {
  /// The note's Y.Doc; its body is the Y.XmlFragment 'prosemirror'.
  readonly doc: Y.Doc;
  /// Show the note without letting anyone change it (a note in the trash, say).
  readonly readOnly: boolean;
  /// Called with each ProseMirror view the editor creates: after mounting, and again when it
  /// switches between editing and read-only. The view is destroyed with the component.
  readonly onReady?: (view: EditorView) => void;
  readonly className?: string;
  /// Where other people's cursors come from and this person's goes (see `CursorSource`).
  readonly cursorSource?: CursorSource;
  /// Asks for a link target on Mod-k; `window.prompt` when not given.
  readonly requestLinkUrl?: LinkUrlRequest;
}

/// The rich-text body of a note, bound live to its Y.Doc. A note written by a newer app, or
/// holding content this app does not know, opens read-only with a notice and is never written
/// to; a note that becomes such while open (a peer's edit) switches to read-only.
export function NoteEditor({ doc, readOnly, onReady, className, cursorSource, requestLinkUrl }: NoteEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  // Bumped when the note's compatibility may have changed, to check it again and remount.
  const [generation, recheck] = useReducer((n: number) => n + 1, 0);
  const [notice, setNotice] = useState<string | null>(null);

  // The callbacks are read when used, so a new function on each render does not rebuild the view.
  const latest = useRef({ onReady, requestLinkUrl });
  useLayoutEffect(() => {
    latest.current = { onReady, requestLinkUrl };
  });

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const mounted = mountNote(host, doc, {
      readOnly,
      cursorSource,
      requestLinkUrl: (current) => (latest.current.requestLinkUrl ?? promptForLinkUrl)(current),
      onIncompatible: recheck,
      onCompatibilityChange: recheck,
    });
    setNotice(mounted.compatibility.editable ? null : mounted.compatibility.reason);
    latest.current.onReady?.(mounted.view);
    return () => mounted.destroy();
  }, [doc, readOnly, cursorSource, generation]);

  return (
    <div className={className ? `note-editor-host ${className}` : 'note-editor-host'}>
      {notice === null ? null : (
        <p className="note-editor-host__notice" role="status">
          {notice}
        </p>
      )}
      <div ref={hostRef} className="note-editor-host__body" />
    </div>
  );
}

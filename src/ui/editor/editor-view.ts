import { EditorState, Plugin, type Transaction } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { yCursorPlugin, ySyncPlugin, ySyncPluginKey, yUndoPlugin } from 'y-prosemirror';
import type * as Y from 'yjs';
import type { LinkUrlRequest } from './commands';
import { checkDocCompatibility, noteFragment, stampEditorSchemaVersion, transactionIncompatibility } from '../../notes/document/doc-version';
import { buildInputRules } from './input-rules';
import { buildKeymaps } from './keymap';
import { notesSchema } from '../../notes/document/schema';
import { taskItemNodeView } from './task-item-view';

/// The presence source `yCursorPlugin` reads, keyed by Y.Doc client id. y-protocols'
/// `Awareness` is one; so is any object with these members. What y-prosemirror 1.3.7 calls:
/// - `getStates()` whenever it redraws cursors: a Map from client id to that client's state;
///   a state's `cursor` field is `{ anchor, head }` (Yjs relative positions as JSON) and its
///   `user` field `{ name, color }` (color `#rrggbb`). It writes defaults into a `user`
///   object that lacks them, so hand it copies.
/// - `getLocalState()` on every view update: this client's state or null.
/// - `setLocalStateField('cursor', { anchor, head } | null)` when the selection moves while
///   the editor has focus, on blur, and `null` when the editor is destroyed.
/// - `on('change', listener)` once per view and `off('change', listener)` on destroy; the
///   listener ignores its arguments and schedules a redraw (a setTimeout(0) dispatch).
/// It never reads `doc` or `clientID` from the source: the editor's Y.Doc `clientID` is what
/// it compares state keys with, to leave out this client's own cursor.
export interface CursorSource {
  readonly doc?: Y.Doc;
  getStates(): Map<number, Record<string, unknown>>;
  getLocalState(): Record<string, unknown> | null;
  setLocalStateField(field: string, value: unknown): void;
  on(event: 'change', listener: (...args: unknown[]) => void): void;
  off(event: 'change', listener: (...args: unknown[]) => void): void;
}

/// The editable element's role and name, for assistive technology and for tests.
export const EDITOR_ATTRIBUTES = {
  role: 'textbox',
  'aria-multiline': 'true',
  'aria-label': 'Note body',
  class: 'note-body',
} as const;

export interface NoteEditorViewOptions {
  readonly cursorSource?: CursorSource;
  readonly requestLinkUrl?: LinkUrlRequest;
  /// Called once when a change from elsewhere (a peer with a newer app, say) makes the note
  /// one this editor must not write. By then the view has stopped editing and y-prosemirror
  /// is unbound, so nothing the editor does can delete what it does not understand; the
  /// owner should replace the view with a read-only one.
  readonly onIncompatible?: (reason: string) => void;
}

export interface MountedNoteView {
  readonly view: EditorView;
  destroy(): void;
}

/// Refuses every document change once `isFrozen()` says so.
export function freezePlugin(isFrozen: () => boolean): Plugin {
  return new Plugin({ filterTransaction: (tr) => !(isFrozen() && tr.docChanged) });
}

/// Binds an editable ProseMirror view, placed in `place`, to the note `doc`. Everything it
/// creates (the y-prosemirror binding, the UndoManager, the state, the view and its
/// listeners) belongs to the returned handle and goes with `destroy()`, so it can be called
/// from one React effect and undone in its cleanup.
///
/// Throws when `checkDocCompatibility(doc)` says the doc may not be edited: binding
/// y-prosemirror to it would delete what this schema does not know (use `mountNote`, which
/// shows such a note read-only). The doc's schema version is recorded on the first local
/// edit, not on open.
export function mountNoteEditor(place: HTMLElement, doc: Y.Doc, options: NoteEditorViewOptions = {}): MountedNoteView {
  const compatibility = checkDocCompatibility(doc);
  if (!compatibility.editable) throw new Error(`mountNoteEditor: ${compatibility.reason}`);
  return bindCompatibleNote(place, doc, options);
}

/// `mountNoteEditor` for a doc the caller has just found compatible.
export function bindCompatibleNote(place: HTMLElement, doc: Y.Doc, options: NoteEditorViewOptions): MountedNoteView {
  const fragment = noteFragment(doc);
  if (fragment === null) throw new Error('mountNoteEditor: the note body root is not a Y.XmlFragment');
  let frozen = false;
  let view: EditorView | null = null;

  const plugins: Plugin[] = [
    ySyncPlugin(fragment) as Plugin,
    yUndoPlugin(),
    buildInputRules(notesSchema),
    ...buildKeymaps(notesSchema, { requestLinkUrl: options.requestLinkUrl }),
    freezePlugin(() => frozen),
  ];
  if (options.cursorSource) {
    // yCursorPlugin is typed for y-protocols' Awareness but uses only what CursorSource has.
    plugins.push(yCursorPlugin(options.cursorSource as unknown as Parameters<typeof yCursorPlugin>[0]) as Plugin);
  }

  // 'beforeObserverCalls' fires before any Yjs observer of the transaction runs,
  // y-prosemirror's included. Local ProseMirror edits cannot add what the schema lacks;
  // anything else (remote, loaded, undo) is checked before y-prosemirror renders it.
  const guard = (transaction: Y.Transaction) => {
    if (frozen || transaction.origin === ySyncPluginKey) return;
    const reason = transactionIncompatibility(transaction, doc, fragment);
    if (reason === null) return;
    frozen = true;
    // Dropping the y-prosemirror plugins destroys their views without a last update, so the
    // binding never writes the stale document back over what it does not understand.
    if (view && !view.isDestroyed) view.updateState(view.state.reconfigure({ plugins: [freezePlugin(() => true)] }));
    options.onIncompatible?.(reason);
  };
  doc.on('beforeObserverCalls', guard);

  try {
    view = new EditorView(place, {
      state: EditorState.create({ schema: notesSchema, plugins }),
      attributes: EDITOR_ATTRIBUTES,
      editable: () => !frozen,
      nodeViews: { task_item: taskItemNodeView },
      // ySyncPlugin dispatches from inside the EditorView constructor, before `view` is
      // assigned, and y-prosemirror defers some dispatches with setTimeout(0), which can land
      // after destroy(): use the view ProseMirror passes as `this`, and drop what comes late.
      dispatchTransaction(this: EditorView, tr: Transaction) {
        if (this.isDestroyed) return;
        this.updateState(this.state.apply(tr));
        if (tr.docChanged && tr.getMeta(ySyncPluginKey) === undefined && !frozen) stampEditorSchemaVersion(doc);
      },
    });
  } catch (error) {
    doc.off('beforeObserverCalls', guard);
    throw error;
  }
  const mounted = view;
  scrollCaretAtFrame(mounted);
  return {
    view: mounted,
    destroy() {
      doc.off('beforeObserverCalls', guard);
      mounted.destroy();
    },
  };
}

/// y-prosemirror keeps the caret in view across a peer's change by scrolling inside that
/// change's dispatch: a forced layout between applying a peer's keystroke and showing it.
/// The frame lays the page out anyway, so the scroll waits for it (one per frame, and only
/// when the caret was in view before the change, as y-prosemirror decides).
function scrollCaretAtFrame(view: EditorView): void {
  const binding = (ySyncPluginKey.getState(view.state) as { binding?: { _isLocalCursorInView?: () => boolean } } | undefined)?.binding;
  const wasInView = binding?._isLocalCursorInView?.bind(binding);
  if (!binding || !wasInView) return;
  let frame: number | null = null;
  binding._isLocalCursorInView = () => {
    if (frame === null && wasInView()) {
      frame = requestAnimationFrame(() => {
        frame = null;
        if (!view.isDestroyed) view.dispatch(view.state.tr.scrollIntoView());
      });
    }
    return false;
  };
}

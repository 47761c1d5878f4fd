import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createNote, emptyTrash, ensureDefaultNotebook, restoreNote, setPinned } from '../../notes/model';
import { useRuntime } from '../runtime/context';
import { useNoteList } from '../runtime/note-list';
import { useNoteSearch } from '../runtime/note-search';
import { IdentityPanel } from '../identity/IdentityPanel';
import type { DeviceIdentity } from '../identity/keystore';
import { HelpSheet, isMac } from './HelpSheet';
import { NoteList, type NoteListItem } from './NoteList';
import { NotePane } from './NotePane';
import { SettingsDialog } from './SettingsDialog';
import { Sidebar } from './Sidebar';
import { PresenceList } from './PresenceList';
import { ShareDialog } from './ShareDialog';
import { SyncStatus } from './SyncStatus';

/// The app: notebooks, the note list and the open note. On a narrow screen the list and
/// the note are separate views ("list" or "note"), with Back between them.
export function Shell({ me, joinedNotebook }: { me: DeviceIdentity & { wrapped: boolean }; joinedNotebook: string | null }) {
  const { replica } = useRuntime();
  const [notebookId, setNotebookId] = useState<string | null>(null);
  const [inTrash, setInTrash] = useState(false);
  const [noteId, setNoteId] = useState<string | null>(null);
  /// The note whose editor takes the focus once it has loaded.
  const [focusNote, setFocusNote] = useState<string | null>(null);
  const [phoneView, setPhoneView] = useState<'menu' | 'list' | 'note'>('list');
  const [help, setHelp] = useState(false);
  const [settings, setSettings] = useState(false);
  const [identity, setIdentity] = useState(false);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void ensureDefaultNotebook(replica).then((id) => {
      performance.mark('notes:notebook-known');
      setNotebookId((current) => current ?? id);
    });
  }, [replica]);
  // A notebook joined through a peer link opens at once.
  useEffect(() => {
    if (!joinedNotebook) return;
    setNotebookId(joinedNotebook);
    setInTrash(false);
    setPhoneView('list');
  }, [joinedNotebook]);
  const [sharing, setSharing] = useState(false);

  // Nothing to list until the notebook is known (the first run creates it).
  const rows = useNoteList(notebookId, inTrash);
  // Heads come from useNoteHeads (NoteList), which keeps them current as notes are edited.
  const items: NoteListItem[] = useMemo(() => (rows ?? []).map((r) => ({ id: r.id, head: undefined, pinned: r.is_pinned === 1, updatedAt: r.updated_at })), [rows]);

  // Search as you type, across every notebook; results replace the list.
  const { hits: found, search: runSearch } = useNoteSearch();
  const hits: NoteListItem[] | null = useMemo(
    () => found && found.map((h) => ({ id: h.id, head: h.head, pinned: h.pinned, updatedAt: h.updatedAt, match: { snippet: h.snippet, highlights: h.highlights } })),
    [found],
  );
  // The search box is left to the browser (uncontrolled): a keystroke in it re-renders
  // nothing while its search runs, and the hits are the one render it causes.
  const changeQuery = useCallback(
    (text: string) => {
      if (search.current && search.current.value !== text) search.current.value = text;
      runSearch(text);
    },
    [runSearch],
  );

  const open = useCallback((id: string, focusEditor: boolean) => {
    setNoteId(id);
    setPhoneView('note');
    setFocusNote(focusEditor ? id : null);
  }, []);

  const newNote = useCallback(async () => {
    // Close the open note at once: what is typed next belongs to the new one.
    setNoteId(null);
    // A click that comes before the first notebook is known still lands somewhere.
    const home = notebookId ?? (await ensureDefaultNotebook(replica));
    setNotebookId(home);
    setInTrash(false);
    changeQuery('');
    const id = await createNote(replica, home);
    open(id, true);
  }, [replica, notebookId, open, changeQuery]);

  // Keyboard shortcuts (listed in the help sheet).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = isMac ? e.metaKey : e.ctrlKey;
      const inText = e.target instanceof HTMLElement && (e.target.isContentEditable || ['INPUT', 'TEXTAREA'].includes(e.target.tagName));
      if (e.altKey && e.code === 'KeyN') {
        e.preventDefault();
        void newNote();
      } else if ((mod && e.shiftKey && e.code === 'KeyF') || (!inText && e.key === '/')) {
        e.preventDefault();
        search.current?.focus();
      } else if (e.altKey && e.code === 'KeyP' && noteId) {
        e.preventDefault();
        const item = items.find((i) => i.id === noteId);
        if (item) void setPinned(replica, noteId, !item.pinned);
      } else if ((mod && e.key === '/') || (!inText && e.key === '?')) {
        e.preventDefault();
        setHelp(true);
      } else if (e.key === 'Escape' && inText && e.target instanceof HTMLElement && e.target.isContentEditable) {
        setPhoneView('list');
        document.querySelector<HTMLElement>(`[data-note-id="${noteId}"] button`)?.focus();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [newNote, noteId, items, replica]);

  const listItems = hits ?? items;
  // Stable callbacks: the panes are memoised, so that typing in the search box (or a peer's
  // status changing) re-renders what changed, not the whole app.
  const selectNotebook = useCallback((id: string) => {
    setNotebookId(id);
    setInTrash(false);
    setPhoneView('list');
  }, []);
  const openTrash = useCallback(() => {
    setInTrash(true);
    changeQuery('');
    setPhoneView('list');
  }, [changeQuery]);
  const openSettings = useCallback(() => setSettings(true), []);
  const closeSettings = useCallback(() => setSettings(false), []);
  const openIdentity = useCallback(() => setIdentity(true), []);
  const closeIdentity = useCallback(() => setIdentity(false), []);
  const openHelp = useCallback(() => setHelp(true), []);
  const closeHelp = useCallback(() => setHelp(false), []);
  const backToList = useCallback(() => setPhoneView('list'), []);
  const restoreAction = useCallback(
    (item: NoteListItem) => (
      <button type="button" className="note-row__action" onClick={() => void restoreNote(replica, item.id)}>
        Restore
      </button>
    ),
    [replica],
  );
  return (
    <div className={`shell shell--${phoneView}`}>
      <Sidebar
        notebookId={notebookId}
        inTrash={inTrash}
        onSelectNotebook={selectNotebook}
        onOpenTrash={openTrash}
        onOpenSettings={openSettings}
        onOpenIdentity={openIdentity}
        onOpenHelp={openHelp}
      />
      <section className="list-pane" aria-label={inTrash ? 'Trash' : 'Note list'}>
        <header className="list-pane__header">
          <button type="button" className="menu-button" onClick={() => setPhoneView('menu')}>
            Notebooks
          </button>
          <input ref={search} type="text" inputMode="search" enterKeyHint="search" aria-label="Search notes" placeholder="Search" onChange={(e) => runSearch(e.target.value)} />
          {inTrash ? (
            <button type="button" disabled={items.length === 0} onClick={() => confirm('Delete every note in Trash for good, on every device?') && void emptyTrash(replica)}>
              Empty Trash
            </button>
          ) : (
            <>
              <button type="button" className="share-button" aria-label="Share notebook" title="Share notebook" disabled={!notebookId} onClick={() => setSharing(true)}>
                Share
              </button>
              <button type="button" onClick={() => void newNote()}>
                New note
              </button>
            </>
          )}
        </header>
        {!inTrash && notebookId ? <PresenceList notebookId={notebookId} /> : null}
        {inTrash && hits === null ? <h2 className="list-pane__title">Trash</h2> : null}
        <NoteList
          items={listItems}
          selectedId={noteId}
          onOpen={open}
          emptyText={hits ? 'No notes match.' : inTrash ? 'Trash is empty.' : 'No notes yet. Press “New note” to write one.'}
          actions={inTrash && hits === null ? restoreAction : undefined}
        />
        <SyncStatus notebookId={inTrash ? null : notebookId} />
      </section>
      <main className="note-area">
        {noteId ? (
          <NotePane key={noteId} noteId={noteId} autoFocus={focusNote === noteId} onBack={backToList} onDeleted={backToList} />
        ) : (
          <p className="note-area__empty">Select a note, or press Alt+N for a new one.</p>
        )}
      </main>
      <HelpSheet open={help} onClose={closeHelp} />
      {sharing && notebookId ? <ShareDialog notebookId={notebookId} onClose={() => setSharing(false)} /> : null}
      <SettingsDialog open={settings} onClose={closeSettings} />
      <IdentityPanel me={me} wrapped={me.wrapped} open={identity} onClose={closeIdentity} />
    </div>
  );
}

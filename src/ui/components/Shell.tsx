import { useCallback, useEffect, useRef, useState } from 'react';
import { createNote, emptyTrash, ensureDefaultNotebook, restoreNote, setPinned } from '../../notes/model';
import { useLiveQuery, useRuntime } from '../runtime/context';
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

interface ListRow {
  id: string;
  head: string | null;
  is_pinned: number;
  updated_at: number;
}

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
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<NoteListItem[] | null>(null);
  const [help, setHelp] = useState(false);
  const [settings, setSettings] = useState(false);
  const [identity, setIdentity] = useState(false);
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void ensureDefaultNotebook(replica).then((id) => setNotebookId((current) => current ?? id));
  }, [replica]);
  // A notebook joined through a peer link opens at once.
  useEffect(() => {
    if (!joinedNotebook) return;
    setNotebookId(joinedNotebook);
    setInTrash(false);
    setPhoneView('list');
  }, [joinedNotebook]);
  const [sharing, setSharing] = useState(false);

  const rows = useLiveQuery<ListRow>(
    inTrash
      ? `SELECT id, substr(coalesce(body, ''), 1, 300) AS head, is_pinned, updated_at FROM notes
         WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC`
      : `SELECT id, substr(coalesce(body, ''), 1, 300) AS head, is_pinned, updated_at FROM notes
         WHERE deleted_at IS NULL AND notebook_id = ? ORDER BY is_pinned DESC, updated_at DESC`,
    inTrash ? [] : [notebookId ?? ''],
    ['notes'],
  );
  const items: NoteListItem[] = (rows ?? []).map((r) => ({ id: r.id, head: r.head, pinned: r.is_pinned === 1, updatedAt: r.updated_at }));

  // Search as you type, across every notebook; results replace the list.
  useEffect(() => {
    const q = query.trim();
    if (q === '') return setHits(null);
    let live = true;
    const run = async () => {
      const found = await replica.search('notes', q, 200);
      if (found.length === 0) return live && setHits([]);
      const ids = found.map((h) => h.pk[0] as string);
      const meta = await replica.query(
        `SELECT id, substr(coalesce(body, ''), 1, 300) AS head, is_pinned, updated_at FROM notes WHERE deleted_at IS NULL AND id IN (${ids.map(() => '?').join(',')})`,
        ids,
      );
      const byId = new Map(meta.map((m) => [m.id as string, m]));
      if (!live) return;
      setHits(
        found.flatMap((h) => {
          const m = byId.get(h.pk[0] as string);
          return m ? [{ id: m.id as string, head: m.head as string, pinned: m.is_pinned === 1, updatedAt: Number(m.updated_at), match: { snippet: h.snippet, highlights: h.highlights } }] : [];
        }),
      );
    };
    void run();
    const off = replica.subscribe(() => void run());
    return () => {
      live = false;
      off();
    };
  }, [replica, query]);

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
    setQuery('');
    const id = await createNote(replica, home);
    open(id, true);
  }, [replica, notebookId, open]);

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
  return (
    <div className={`shell shell--${phoneView}`}>
      <Sidebar
        notebookId={notebookId}
        inTrash={inTrash}
        onSelectNotebook={(id) => {
          setNotebookId(id);
          setInTrash(false);
          setPhoneView('list');
        }}
        onOpenTrash={() => {
          setInTrash(true);
          setQuery('');
          setPhoneView('list');
        }}
        onOpenSettings={() => setSettings(true)}
        onOpenIdentity={() => setIdentity(true)}
        onOpenHelp={() => setHelp(true)}
      />
      <section className="list-pane" aria-label={inTrash ? 'Trash' : 'Note list'}>
        <header className="list-pane__header">
          <button type="button" className="menu-button" onClick={() => setPhoneView('menu')}>
            Notebooks
          </button>
          <input ref={search} type="text" inputMode="search" enterKeyHint="search" aria-label="Search notes" placeholder="Search" value={query} onChange={(e) => setQuery(e.target.value)} />
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
          actions={
            inTrash && hits === null
              ? (item) => (
                  <button type="button" className="note-row__action" onClick={() => void restoreNote(replica, item.id)}>
                    Restore
                  </button>
                )
              : undefined
          }
        />
        <SyncStatus notebookId={inTrash ? null : notebookId} />
      </section>
      <main className="note-area">
        {noteId ? (
          <NotePane key={noteId} noteId={noteId} autoFocus={focusNote === noteId} onBack={() => setPhoneView('list')} onDeleted={() => setPhoneView('list')} />
        ) : (
          <p className="note-area__empty">Select a note, or press Alt+N for a new one.</p>
        )}
      </main>
      <HelpSheet open={help} onClose={() => setHelp(false)} />
      {sharing && notebookId ? <ShareDialog notebookId={notebookId} onClose={() => setSharing(false)} /> : null}
      <SettingsDialog open={settings} onClose={() => setSettings(false)} />
      <IdentityPanel me={me} wrapped={me.wrapped} open={identity} onClose={() => setIdentity(false)} />
    </div>
  );
}

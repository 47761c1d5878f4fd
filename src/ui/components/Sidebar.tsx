import { memo, useEffect, useMemo, useState } from 'react';
import { createNotebook, deleteNotebook, NOTEBOOK_LIST_SQL, notebookCountsQuery, renameNotebook, type NotebookCountRow, type NotebookListRow } from '../../notes/model';
import { useLiveQuery, useRuntime } from '../runtime/context';

/// Notebooks, Trash and the app's settings.
export const Sidebar = memo(function Sidebar(props: {
  notebookId: string | null;
  inTrash: boolean;
  onSelectNotebook: (id: string) => void;
  onOpenTrash: () => void;
  onOpenSettings: () => void;
  onOpenIdentity: () => void;
  onOpenHelp: () => void;
}) {
  const { replica } = useRuntime();
  const notebooks = useLiveQuery<NotebookListRow>(NOTEBOOK_LIST_SQL, [], ['notebooks'], { text: false }) ?? [];
  // Counts a moment later: at start they would queue ahead of the note list's first rows.
  const counts = useNoteCounts();
  const [renaming, setRenaming] = useState<string | null>(null);
  const selected = notebooks.find((b) => b.id === props.notebookId) ?? null;
  // The open notebook was deleted, on another device or by an import that found it an empty
  // twin: open the first one there is. One not listed yet (just created or joined) stays. Read
  // once the page is idle: at start it would queue ahead of the note list's first rows.
  const openDeleted = useLiveQuery('SELECT 1 AS deleted FROM notebooks WHERE id = ? AND deleted_at IS NOT NULL', [props.notebookId ?? ''], ['notebooks'], { text: false, idleFirst: true });
  const first = notebooks[0]?.id;
  const { onSelectNotebook } = props;
  useEffect(() => {
    if (openDeleted && openDeleted.length > 0 && !props.inTrash && first) onSelectNotebook(first);
  }, [openDeleted, first, props.inTrash, onSelectNotebook]);

  return (
    <nav className="sidebar" aria-label="Notebooks">
      <h1 className="app-title">Notes</h1>
      <ul className="notebooks" aria-label="Notebooks">
        {notebooks.map((b) =>
          renaming === b.id ? (
            <li key={b.id}>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  const name = new FormData(e.currentTarget).get('name');
                  void renameNotebook(replica, b.id, String(name ?? ''));
                  setRenaming(null);
                }}
              >
                <input name="name" aria-label="Notebook name" defaultValue={b.name} autoFocus onBlur={(e) => e.currentTarget.form?.requestSubmit()} />
              </form>
            </li>
          ) : (
            <li key={b.id}>
              <button
                type="button"
                className="notebook"
                aria-current={!props.inTrash && b.id === props.notebookId ? 'page' : undefined}
                onClick={() => props.onSelectNotebook(b.id)}
                onDoubleClick={() => setRenaming(b.id)}
              >
                <span>{b.name}</span>
                {counts ? <NoteCount count={counts.get(b.id) ?? 0} /> : null}
              </button>
            </li>
          ),
        )}
      </ul>
      <div className="sidebar__actions">
        <button
          type="button"
          onClick={async () => {
            const name = prompt('Name of the new notebook', 'New notebook');
            if (name !== null) props.onSelectNotebook(await createNotebook(replica, name));
          }}
        >
          New notebook
        </button>
        {selected ? (
          <>
            <button type="button" onClick={() => setRenaming(selected.id)}>
              Rename notebook
            </button>
            <button
              type="button"
              disabled={notebooks.length <= 1}
              title={notebooks.length <= 1 ? 'The last notebook cannot be deleted' : undefined}
              onClick={async () => {
                if (!confirm(`Delete the notebook “${selected.name}”? Its notes move to Trash.`)) return;
                await deleteNotebook(replica, selected.id);
                const next = notebooks.find((b) => b.id !== selected.id);
                if (next) props.onSelectNotebook(next.id);
              }}
            >
              Delete notebook
            </button>
          </>
        ) : null}
      </div>
      <button type="button" className="trash-link" aria-current={props.inTrash ? 'page' : undefined} onClick={props.onOpenTrash}>
        Trash
      </button>
      <div className="sidebar__footer">
        <button type="button" onClick={props.onOpenIdentity}>
          Identity
        </button>
        <button type="button" onClick={props.onOpenSettings}>
          Settings
        </button>
        <button type="button" onClick={props.onOpenHelp} aria-label="Keyboard shortcuts">
          ?
        </button>
      </div>
    </nav>
  );
});

/// Notes per notebook (not in Trash), by notebook id (a notebook without notes is not in
/// it); null until first read, once the page is idle.
function useNoteCounts(): Map<string, number> | null {
  const { replica } = useRuntime();
  const { sql, params } = notebookCountsQuery(replica);
  const rows = useLiveQuery<NotebookCountRow>(sql, params, ['notes'], { text: false, idleFirst: true });
  return useMemo(() => rows && new Map(rows.map((r) => [r.notebook_id, r.count])), [rows]);
}

function NoteCount({ count }: { count: number }) {
  return (
    <span className="count" aria-label={count === 1 ? '1 note' : `${count} notes`}>
      {count}
    </span>
  );
}

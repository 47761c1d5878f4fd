import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, type ReactNode, useRef } from 'react';
import { relativeTime, titleAndSnippet } from '../../notes/model';
import { useNoteHeads } from '../runtime/note-list';

export interface NoteListItem {
  readonly id: string;
  /// The note's first characters when the item comes with them (search hits); otherwise
  /// the list reads them for the rows on screen.
  readonly head: string | undefined;
  readonly pinned: boolean;
  readonly updatedAt: number;
  /// Search hits: a snippet with highlighted ranges instead of the head of the note.
  readonly match?: { snippet: string; highlights: readonly (readonly [number, number])[] };
}

const ROW_HEIGHT = 76;

/// The list of notes, virtualised so that 10,000 notes scroll as smoothly as 10. Each item
/// is named by the note's title. Up/Down move between notes, Enter opens one.
export const NoteList = memo(function NoteList(props: {
  items: readonly NoteListItem[];
  selectedId: string | null;
  onOpen: (id: string, focusEditor: boolean) => void;
  emptyText: string;
  actions?: (item: NoteListItem) => ReactNode;
}) {
  const { items, selectedId, onOpen } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 4,
  });
  const now = Date.now();
  const rows = virtualizer.getVirtualItems();
  // Rows on screen whose text the list query did not read.
  const heads = useNoteHeads(rows.flatMap((row) => (items[row.index] && items[row.index]!.head === undefined ? [items[row.index]!.id] : [])));

  const onKeyDown = (event: KeyboardEvent<HTMLElement>, index: number) => {
    const next = event.key === 'ArrowDown' ? index + 1 : event.key === 'ArrowUp' ? index - 1 : -1;
    if (next >= 0 && next < items.length) {
      event.preventDefault();
      virtualizer.scrollToIndex(next);
      onOpen(items[next]!.id, false);
      requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`[data-note-id="${items[next]!.id}"] button`)?.focus());
    } else if (event.key === 'Enter') {
      event.preventDefault();
      onOpen(items[index]!.id, true);
    }
  };

  if (items.length === 0) {
    return (
      <div className="note-list note-list--empty" ref={scroller}>
        <ul role="list" aria-label="Notes" />
        <p className="empty">{props.emptyText}</p>
      </div>
    );
  }
  return (
    <div className="note-list" ref={scroller}>
      <ul role="list" aria-label="Notes" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {rows.map((row) => {
          const item = items[row.index]!;
          const head = item.head ?? heads.get(item.id);
          const { title, snippet } = head === undefined ? { title: 'Loading…', snippet: '' } : titleAndSnippet(head);
          return (
            <li
              key={item.id}
              role="listitem"
              aria-label={title}
              aria-busy={head === undefined ? true : undefined}
              data-note-id={item.id}
              className={item.id === selectedId ? 'note-row selected' : 'note-row'}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: row.size, transform: `translateY(${row.start}px)` }}
            >
              <button type="button" className="note-row__open" aria-current={item.id === selectedId ? 'true' : undefined} onClick={() => onOpen(item.id, true)} onKeyDown={(e) => onKeyDown(e, row.index)}>
                <span className="note-row__title">
                  {item.pinned ? <span className="pin-mark" aria-label="Pinned" role="img">📌</span> : null}
                  {title}
                </span>
                <span className="note-row__meta">
                  <time dateTime={new Date(item.updatedAt).toISOString()}>{relativeTime(item.updatedAt, now)}</time>
                  <span className="note-row__snippet">{item.match ? <Highlighted {...item.match} /> : snippet}</span>
                </span>
              </button>
              {props.actions?.(item)}
            </li>
          );
        })}
      </ul>
    </div>
  );
});

function Highlighted({ snippet, highlights }: { snippet: string; highlights: readonly (readonly [number, number])[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  highlights.forEach(([start, end], i) => {
    if (start > at) parts.push(snippet.slice(at, start));
    parts.push(<mark key={i}>{snippet.slice(start, end)}</mark>);
    at = end;
  });
  parts.push(snippet.slice(at));
  return <>{parts}</>;
}

import { useEffect, useState, useSyncExternalStore } from 'react';
import { noteHeads, noteListQuery, type NoteListRow } from '../../notes/model';
import type { Replica } from '../../sync';
import { rerunner, useRuntime, whenIdle } from './context';

/// Heads (first characters: title and snippet) of notes, for list rows on screen: read for
/// the ids asked, kept, and read again when a note changes, the previous head showing
/// meanwhile. One per replica, shared by every list.
class NoteHeads {
  private readonly known = new Map<string, string>();
  private readonly stale = new Set<string>();
  private readonly asking = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private version = 0;

  constructor(private readonly replica: Replica) {
    replica.subscribe((event) => {
      let touched = false;
      for (const ref of [...event.rows, ...event.docs]) {
        const id = ref.table === 'notes' ? ref.pk[0] : undefined;
        if (typeof id === 'string' && this.known.has(id)) {
          this.stale.add(id);
          touched = true;
        }
      }
      if (touched) this.changed();
    });
  }

  get(id: string): string | undefined {
    return this.known.get(id);
  }

  /// Heads read by another query (a list's first rows).
  prime(heads: ReadonlyMap<string, string>): void {
    for (const [id, head] of heads) {
      this.known.set(id, head);
      this.stale.delete(id);
    }
    this.changed();
  }

  /// Reads the heads of those of `ids` that are unknown or out of date.
  request(ids: readonly string[]): void {
    const wanted = ids.filter((id) => (!this.known.has(id) || this.stale.has(id)) && !this.asking.has(id));
    if (wanted.length === 0) return;
    for (const id of wanted) {
      this.asking.add(id);
      this.stale.delete(id);
    }
    noteHeads(this.replica, wanted)
      .then((heads) => {
        for (const id of wanted) this.known.set(id, heads.get(id) ?? '');
        // A list scrolled through 10,000 notes keeps only what it may show again soon.
        if (this.known.size > 5000) for (const id of [...this.known.keys()].slice(0, 2500)) this.known.delete(id);
      })
      .catch((error: unknown) => console.error('could not read note heads', error))
      .finally(() => {
        for (const id of wanted) this.asking.delete(id);
        this.changed();
      });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

const headsOf = new WeakMap<Replica, NoteHeads>();

function noteHeadsFor(replica: Replica): NoteHeads {
  let heads = headsOf.get(replica);
  if (!heads) headsOf.set(replica, (heads = new NoteHeads(replica)));
  return heads;
}

/// The heads of these notes as far as known; asks for the rest (and for changed ones), and
/// re-renders when they come.
export function useNoteHeads(ids: readonly string[]): { get(id: string): string | undefined } {
  const { replica } = useRuntime();
  const heads = noteHeadsFor(replica);
  useSyncExternalStore(heads.subscribe, heads.getVersion);
  const key = ids.join('\n');
  const version = heads.getVersion();
  useEffect(() => {
    if (key !== '') heads.request(key.split('\n'));
  }, [heads, key, version]);
  return heads;
}

/// Rows shown before the whole list has been read.
const FIRST_ROWS = 60;

/// The note list of a notebook (or Trash: null), pinned first, then by last edit. The first
/// rows (with their heads) come in a few milliseconds, so the list paints at once; then the
/// ids and sort keys of every note. Read again when a note's row changes; edits of a note's
/// text only refresh its head (see useNoteHeads), not the whole list.
export function useNoteList(notebookId: string | null, inTrash: boolean): NoteListRow[] | null {
  const { replica } = useRuntime();
  const [rows, setRows] = useState<NoteListRow[] | null>(null);
  const ready = inTrash || notebookId !== null;
  const list = inTrash ? null : notebookId;
  useEffect(() => {
    setRows(null);
    if (!ready) return;
    const heads = noteHeadsFor(replica);
    let live = true;
    let first = true;
    const run = rerunner(async () => {
      if (!live) return;
      if (first) {
        first = false;
        const top = noteListQuery(list, FIRST_ROWS);
        performance.mark('notes:list-asked');
        const topRows = (await replica.query(top.sql, top.params)) as unknown as NoteListRow[];
        performance.mark('notes:list-read');
        if (!live) return;
        heads.prime(new Map(topRows.map((r) => [r.id, r.head ?? ''])));
        if (topRows.length < FIRST_ROWS) return setRows(topRows);
        setRows((current) => current ?? topRows);
        // The rest once the page is idle: a note clicked in the meantime opens first.
        await whenIdle();
        if (!live) return;
      }
      const all = noteListQuery(list);
      const allRows = (await replica.query(all.sql, all.params)) as unknown as NoteListRow[];
      if (live) setRows(allRows);
    }, 'could not read the note list');
    void run();
    // Rows only: a note's text changing moves nothing in the list (its updated_at does).
    const off = replica.subscribe((event) => {
      if (event.rows.some((r) => r.table === 'notes')) void run();
    });
    return () => {
      live = false;
      off();
    };
  }, [replica, ready, list]);
  return rows;
}

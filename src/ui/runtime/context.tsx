import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type * as Y from 'yjs';
import type { ChangeEvent, DocRef, SqlRow, SqlValue, TextHandle } from '../../sync';
import type { AppRuntime } from './boot';

const RuntimeContext = createContext<AppRuntime | null>(null);

export function RuntimeProvider({ runtime, children }: { runtime: AppRuntime; children: ReactNode }) {
  return <RuntimeContext.Provider value={runtime}>{children}</RuntimeContext.Provider>;
}

export function useRuntime(): AppRuntime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error('useRuntime outside RuntimeProvider');
  return runtime;
}

export interface LiveQueryOptions {
  /// Whether edits of the tables' REALTIME_TEXT columns run the read again (the default);
  /// a read of other columns leaves it out, and is not run at every typing pause.
  readonly text?: boolean;
  /// The first read waits until the page is idle: for what may show a moment after the
  /// rest, so that it does not queue ahead of the first screen's reads.
  readonly idleFirst?: boolean;
}

/// Runs a read and runs it again whenever a change touches one of `tables` (by the user's
/// table name). Unsubscribes on unmount.
export function useLiveQuery<T = SqlRow>(sql: string, params: readonly SqlValue[], tables: readonly string[], options: LiveQueryOptions = {}): T[] | null {
  const { replica } = useRuntime();
  const [rows, setRows] = useState<T[] | null>(null);
  const key = JSON.stringify([sql, params]);
  const tablesKey = tables.join(',');
  const { text = true, idleFirst = false } = options;
  useEffect(() => {
    let live = true;
    const run = rerunner(async () => {
      if (!live) return;
      const result = (await replica.query(sql, params)) as T[];
      if (live) setRows(result);
    }, 'query failed');
    if (idleFirst) void whenIdle().then(run);
    else void run();
    const watched = new Set(tablesKey.split(','));
    const touches = (e: ChangeEvent) => e.rows.some((r) => watched.has(r.table)) || (text && e.docs.some((d) => watched.has(d.table)));
    const off = replica.subscribe((e) => {
      if (touches(e)) void run();
    });
    return () => {
      live = false;
      off();
    };
  }, [replica, key, tablesKey, text, idleFirst]);
  return rows;
}

/// Resolves when the page is next idle (at most a second from now).
export const whenIdle = () => new Promise<void>((resolve) => ('requestIdleCallback' in window ? requestIdleCallback(() => resolve(), { timeout: 1000 }) : setTimeout(resolve, 100)));

/// Wraps a read so that calls while it runs do not overlap it: they make it run once more
/// when it ends (the reads that matter are the first and the newest). Failures are logged.
export function rerunner(read: () => Promise<void>, what: string): () => Promise<void> {
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) return void (again = true);
    running = true;
    try {
      do {
        again = false;
        await read();
      } while (again);
    } catch (error) {
      console.error(what, error);
    } finally {
      running = false;
    }
  };
  return run;
}

/// The Yjs document of a REALTIME_TEXT cell, open while the component is mounted.
export function useTextDoc(ref: DocRef | null): Y.Doc | null {
  const { replica } = useRuntime();
  const [doc, setDoc] = useState<Y.Doc | null>(null);
  const key = ref ? JSON.stringify(ref) : null;
  const refRef = useRef(ref);
  refRef.current = ref;
  useEffect(() => {
    const current = refRef.current;
    if (!current) {
      setDoc(null);
      return;
    }
    let handle: TextHandle | null = null;
    let live = true;
    void replica.texts.openDoc(current).then((h) => {
      if (!live) return void h.release();
      handle = h;
      setDoc(h.doc);
    });
    return () => {
      live = false;
      setDoc(null);
      void handle?.release();
    };
  }, [replica, key]);
  return doc;
}

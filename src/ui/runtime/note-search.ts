import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { searchNotes, SEARCH_FIRST_HITS as FIRST_HITS, SEARCH_MAX_HITS as MAX_HITS, type NoteSearchHit } from '../../notes/model';
import { rerunner, useRuntime, whenIdle } from './context';

/// How long the query must stand before the hits beyond the first ones are read.
const REST_AFTER_MS = 300;

/// Search as you type. `search` starts in the event that calls it (an effect would start a
/// frame later); only the newest query's hits are shown, and they follow changes to the notes
/// while the query stands. Hits are null while there is no query.
export function useNoteSearch(): { hits: NoteSearchHit[] | null; search: (text: string) => void } {
  const { replica } = useRuntime();
  const [hits, setHits] = useState<NoteSearchHit[] | null>(null);
  const current = useRef({ query: '', run: 0 });

  const find = useCallback(
    async (query: string, run: number, refresh: boolean) => {
      const newest = () => current.current.run === run;
      try {
        // A refresh (the notes changed) reads every hit at once: showing the first ones
        // again would shorten a list the person may have scrolled.
        if (!refresh) {
          const first = await searchNotes(replica, query, FIRST_HITS);
          if (!newest()) return;
          // Rendered now, in this task: left to the scheduler, the render waits for a task of
          // its own, after whatever the browser runs first (a frame, a message).
          flushSync(() => setHits(first));
          if (first.length < FIRST_HITS) return;
          // The rest once typing pauses: read at every keystroke, it would hold up the
          // storage worker while the next keystroke's search waits behind it.
          await new Promise((resolve) => setTimeout(resolve, REST_AFTER_MS));
          if (!newest()) return;
          await whenIdle();
          if (!newest()) return;
        }
        const all = await searchNotes(replica, query, MAX_HITS);
        if (newest()) setHits(all);
      } catch (error) {
        console.error('search failed', error);
      }
    },
    [replica],
  );

  const search = useCallback(
    (text: string) => {
      const query = text.trim();
      const run = ++current.current.run;
      current.current.query = query;
      if (query === '') return setHits(null);
      void find(query, run, false);
    },
    [find],
  );

  // A change to the notes reads the hits again; changes that come while that read runs make
  // it run once more, not once each (a person typing in a note flushes several a second).
  useEffect(() => {
    const refresh = rerunner(async () => {
      const { query } = current.current;
      if (query !== '') await find(query, ++current.current.run, true);
    }, 'search failed');
    return replica.subscribe((event) => {
      if ([...event.rows, ...event.docs].some((ref) => ref.table === 'notes')) void refresh();
    });
  }, [replica, find]);
  return { hits, search };
}

import { describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/node';
import { Replica } from '../sync';
import { appSchema } from './app-schema';
import { createNote, createNotebook, deleteNotebook, emptyTrash, ensureDefaultNotebook, moveToTrash, relativeTime, restoreNote, setPinned, titleAndSnippet } from './model';

async function replica() {
  return Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
}

describe('notes intents', () => {
  it('pin, trash, restore and empty trash', async () => {
    const r = await replica();
    const nb = await ensureDefaultNotebook(r);
    expect(await ensureDefaultNotebook(r)).toBe(nb);
    const a = await createNote(r, nb, 1000);
    const b = await createNote(r, nb, 2000);
    await setPinned(r, a, true);
    const order = async () => (await r.query('SELECT id FROM notes WHERE deleted_at IS NULL ORDER BY is_pinned DESC, updated_at DESC')).map((x) => x.id);
    expect(await order()).toEqual([a, b]);
    await moveToTrash(r, a);
    expect(await order()).toEqual([b]);
    await restoreNote(r, a);
    expect(await order()).toEqual([a, b]);
    await moveToTrash(r, b);
    await emptyTrash(r);
    expect(await r.query('SELECT id FROM notes')).toEqual([{ id: a }]);
    await r.close();
  });

  it('deleting a notebook trashes its notes; restoring one puts it in a notebook that exists', async () => {
    const r = await replica();
    const first = await createNotebook(r, 'Work', 1);
    const second = await createNotebook(r, 'Home', 2);
    const note = await createNote(r, second);
    await deleteNotebook(r, second);
    expect(await r.query('SELECT deleted_at IS NOT NULL AS trashed FROM notes')).toEqual([{ trashed: 1 }]);
    await restoreNote(r, note);
    expect(await r.query('SELECT notebook_id, deleted_at FROM notes')).toEqual([{ notebook_id: first, deleted_at: null }]);
    await r.close();
  });

  it('titles are the first non-empty line', () => {
    expect(titleAndSnippet('\n  Groceries \nmilk\neggs')).toEqual({ title: 'Groceries', snippet: 'milk eggs' });
    expect(titleAndSnippet(null)).toEqual({ title: 'New note', snippet: '' });
    expect(relativeTime(0, 10)).toBe('just now');
    expect(relativeTime(0, 3 * 3600e3)).toMatch(/3 hours ago/);
  });
});

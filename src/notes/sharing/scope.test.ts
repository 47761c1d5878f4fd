import { describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../../storage/node';
import { encodeWireMessage, Replica, SyncError, SyncSession } from '../../sync';
import { transportPair } from '../../sync/testing/memory-transport';
import { ManualFrames } from '../../sync/testing/fixtures';
import { appSchema, noteBody } from '../app-schema';
import { createNote, createNotebook, emptyTrash, moveToTrash } from '../model';
import { installNoteHomes, NotebookScope } from './scope';

const noTimers = { setTimer: () => () => undefined };

async function device(frames = new ManualFrames()) {
  const replica = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema, scheduler: frames.scheduler });
  await installNoteHomes(replica);
  return replica;
}

function share(a: Replica, b: Replica, notebookId: string) {
  const [ta, tb] = transportPair();
  const sa = new SyncSession(a, ta, { ...noTimers, scope: new NotebookScope(a, notebookId) });
  const sb = new SyncSession(b, tb, { ...noTimers, scope: new NotebookScope(b, notebookId) });
  const runs = [sa.run().catch((e: unknown) => e), sb.run().catch((e: unknown) => e)];
  return { sa, sb, runs, close: async () => (ta.close(), Promise.all(runs)) };
}

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ids = async (r: Replica) => (await r.query('SELECT id FROM notes ORDER BY id')).map((row) => row.id);

describe('note homes', () => {
  it('copies in the notes that were there before, once; then the triggers keep them', async () => {
    const replica = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
    const home = await createNotebook(replica, 'Home');
    const before = await createNote(replica, home);
    await installNoteHomes(replica);
    const homes = async () => (await replica.query('SELECT id, notebook_id FROM note_homes ORDER BY id')).map((r) => [r.id, r.notebook_id]);
    expect(await homes()).toEqual([[before, home]]);
    // A second start does not copy every note again: a row taken out stays out.
    await replica.execute('DELETE FROM note_homes');
    await installNoteHomes(replica);
    expect(await homes()).toEqual([]);
    const work = await createNotebook(replica, 'Work');
    const after = await createNote(replica, home);
    await replica.execute('UPDATE notes SET notebook_id = ? WHERE id = ?', [work, after]);
    expect(await homes()).toEqual([[after, work]]);
    // Notes that arrive from a peer are kept by the triggers too.
    const peer = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
    await installNoteHomes(peer);
    await peer.applyChangeset(await replica.changesSince(0));
    expect((await peer.query('SELECT id, notebook_id FROM note_homes ORDER BY id')).map((r) => [r.id, r.notebook_id])).toEqual([[before, home], [after, work]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    await replica.close();
    await peer.close();
  });
});

describe('NotebookScope', () => {
  it('shares one notebook: its row, its notes, their text and deletes; nothing of another notebook', async () => {
    const frames = new ManualFrames();
    const a = await device(frames);
    const b = await device();
    const shared = await createNotebook(a, 'Shared');
    const privateBook = await createNotebook(a, 'Private');
    const visible = await createNote(a, shared);
    const hidden = await createNote(a, privateBook);
    const text = await a.texts.openDoc(noteBody(hidden));
    text.doc.getText('t').insert(0, 'my diary');
    frames.frame();
    await text.release();

    const link = share(a, b, shared);
    await until(async () => (await ids(b)).length === 1, 'the shared note');
    expect(await ids(b)).toEqual([visible]);
    expect(await b.query('SELECT name FROM notebooks')).toEqual([{ name: 'Shared' }]);

    // Live text of the private note never leaves a.
    const live = await a.texts.openDoc(noteBody(hidden));
    live.doc.getText('t').insert(0, 'more diary ');
    frames.frame();
    await a.idle();
    await new Promise((r) => setTimeout(r, 30));
    await live.release();
    expect(await b.query('SELECT count(*) AS n FROM sync_text_slots')).toEqual([{ n: 0 }]);

    // A delete emptied from Trash reaches the peer, although the row is gone on a.
    await moveToTrash(a, visible);
    await emptyTrash(a);
    await until(async () => (await ids(b)).length === 0, 'the delete');
    await link.close();
  });

  it('refuses a change to a note of another notebook, and a note created elsewhere, applying nothing', async () => {
    const a = await device();
    const mallory = await device();
    const shared = await createNotebook(a, 'Shared');
    const other = await createNotebook(a, 'Other');
    const target = await createNote(a, other);
    // Mallory forges a change to a's note in `other`, and a note claiming `other` as home.
    await mallory.execute('INSERT INTO notes (id, notebook_id, is_pinned) VALUES (?, ?, 1)', [target, shared]);
    const forged = await mallory.changesSince(0);
    const before = await a.query('SELECT id, notebook_id, is_pinned FROM notes ORDER BY id');

    const [t, attacker] = transportPair();
    const running = new SyncSession(a, t, { ...noTimers, scope: new NotebookScope(a, shared) }).run().catch((e: unknown) => e);
    await attacker.send(encodeWireMessage({ type: 'hello', protocol: 1, schemaHash: appSchema.hash, schemaRevision: appSchema.revision, site: mallory.siteBytes }));
    await attacker.send(encodeWireMessage({ type: 'changes', changeset: forged }));
    const error = await running;
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe('out-of-scope');
    expect(await a.query('SELECT id, notebook_id, is_pinned FROM notes ORDER BY id')).toEqual(before);
  });

  it('keeps progress per notebook, so sharing a second notebook with the same peer sends all of it', async () => {
    const a = await device();
    const b = await device();
    const first = await createNotebook(a, 'First');
    const second = await createNotebook(a, 'Second');
    await createNote(a, first);
    await createNote(a, second);
    const one = share(a, b, first);
    await until(async () => (await ids(b)).length === 1, 'the first notebook');
    await one.close();
    const two = share(a, b, second);
    await until(async () => (await ids(b)).length === 2, 'the second notebook');
    await two.close();
  });
});

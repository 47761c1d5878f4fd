import { expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/node';
import { Replica } from './index';
import { notesSchema } from './testing/fixtures';

/// vlcn-io/cr-sqlite#413: A and B write the same row; each merge of the other's write is a
/// no-op, so a peer that tracks what it knows per origin version (B:1 learned from A, A:1
/// from B) records both as known while neither relay carried the row. The wasm build here
/// predates the opt-in fix. This runtime tracks progress per sending peer's db_version and
/// sends what the sender holds, so the row arrives; this test pins that.
it('a third peer syncing through two peers that inserted the same key gets the row', async () => {
  const open = async () => Replica.open({ db: await openMemoryDatabase(), schema: notesSchema });
  const [a, b, c] = [await open(), await open(), await open()];
  for (const [r, pinned] of [[a, 1], [b, 1]] as const) {
    await r.execute('INSERT INTO notes (id, is_pinned) VALUES (?, ?)', ['same', pinned]);
  }
  await a.execute('INSERT INTO notes (id) VALUES (?)', ['pk-only']);
  await b.execute('INSERT INTO notes (id) VALUES (?)', ['pk-only']);

  // a and b merge each other: identical values, so the merges are no-ops.
  await a.applyChangeset(await b.changesSince(0));
  await b.applyChangeset(await a.changesSince(0));

  // c hears only what a relays as changed since b's merge, then only b.
  await c.applyChangeset(await a.changesSince(0, { excludeSite: b.siteBytes }));
  await c.applyChangeset(await b.changesSince(0, { excludeSite: a.siteBytes }));
  const rows = 'SELECT id, is_pinned FROM notes ORDER BY id';
  expect(await c.query(rows)).toEqual([
    { id: 'pk-only', is_pinned: null },
    { id: 'same', is_pinned: 1 },
  ]);

  // And every order of full syncs ends with the same rows everywhere.
  const d = await open();
  await d.applyChangeset(await b.changesSince(0));
  await d.applyChangeset(await c.changesSince(0));
  for (const r of [a, b, c, d]) expect(await r.query(rows)).toEqual(await c.query(rows));
  for (const r of [a, b, c, d]) await r.close();
});

import fc from 'fast-check';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { compileSyncSchema } from '../schema';
import { openMemoryDatabase } from '../storage/node';
import { decodeChangeset, encodeChangeset, Replica, SyncError, type Change, type Changeset } from './index';
import { encodeSlot } from './text-slots';
import { ManualFrames, notesSchema } from './testing/fixtures';

async function pair() {
  const open = async () => Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: new ManualFrames().scheduler });
  const a = await open();
  const b = await open();
  await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 1)");
  const h = await a.texts.openDoc({ table: 'notes', column: 'body', pk: ['n'] });
  h.doc.getText('t').insert(0, 'hello world');
  await h.release();
  return { a, b, good: await a.changesSince(0) };
}

/// Everything a replica holds that a bad message might have touched.
async function fingerprint(r: Replica) {
  return {
    version: await r.dbVersion(),
    changes: await r.query('SELECT "table", hex(pk) AS pk, cid, quote(val) AS val, col_version, db_version, hex(site_id) AS site, cl, seq FROM crsql_changes ORDER BY db_version, seq'),
    peers: await r.query('SELECT hex(site) AS site, sent_up_to, received_up_to FROM sync_peers'),
    text: await r.query('SELECT * FROM notes__text'),
  };
}

async function expectRefused(r: Replica, set: Changeset, code: SyncError['code']) {
  const before = await fingerprint(r);
  const error = await r.applyChangeset(set).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SyncError);
  expect((error as SyncError).code).toBe(code);
  expect(await fingerprint(r)).toEqual(before);
}

const withChange = (set: Changeset, index: number, patch: Partial<Change>): Changeset => ({
  ...set,
  changes: set.changes.map((c, i) => (i === index ? { ...c, ...patch } : c)),
});

describe('malformed remote input is refused with a typed error and changes nothing', () => {
  it('garbage and truncated changeset bytes', async () => {
    const { good } = await pair();
    const bytes = encodeChangeset(good);
    expect(() => decodeChangeset(new Uint8Array([1, 2, 3]))).toThrow(SyncError);
    for (const cut of [1, 5, bytes.length >> 1, bytes.length - 1]) {
      let error: unknown = null;
      try {
        decodeChangeset(bytes.subarray(0, cut));
      } catch (e) {
        error = e;
      }
      expect(error, `cut at ${cut}`).toBeInstanceOf(SyncError);
      expect((error as SyncError).code).toBe('malformed');
    }
    // Trailing bytes are as wrong as missing ones.
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decodeChangeset(longer)).toThrow(/does not end/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (garbage) => {
        try {
          decodeChangeset(garbage);
        } catch (error) {
          return error instanceof SyncError;
        }
        return true; // a garbage that happens to decode still goes through validation
      }),
    );
  });

  it('oversized changesets', () => {
    expect(() => decodeChangeset(new Uint8Array(33 * 1024 * 1024))).toThrow(expect.objectContaining({ code: 'oversized' }));
  });

  it('a changeset made under another schema, saying which side is older', async () => {
    const { b, good } = await pair();
    await expectRefused(b, { ...good, schemaHash: 'f'.repeat(64), schemaRevision: 0 }, 'schema-mismatch');
    await expect(b.applyChangeset({ ...good, schemaHash: 'f'.repeat(64), schemaRevision: 0 })).rejects.toThrow(/the peer is older/);
    await expect(b.applyChangeset({ ...good, schemaHash: 'f'.repeat(64), schemaRevision: 9 })).rejects.toThrow(/this replica is older/);
    const other = compileSyncSchema('CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT, is_pinned LWW_TEXT, cursor EPHEMERAL_INTEGER);', { revision: 2 });
    await expect(b.applyChangeset({ ...good, schemaHash: other.hash, schemaRevision: other.revision })).rejects.toMatchObject({ code: 'schema-mismatch' });
  });

  it('changes for unknown tables and columns, and internal tables', async () => {
    const { b, good } = await pair();
    await expectRefused(b, withChange(good, 0, { table: 'secrets' }), 'unknown-table');
    await expectRefused(b, withChange(good, 0, { table: 'sync_peers' }), 'unknown-table');
    await expectRefused(b, withChange(good, 0, { table: 'notes' }), 'unknown-table'); // the view, not the CRR table
    await expectRefused(b, withChange(good, 0, { cid: 'is_admin' }), 'unknown-column');
    await expectRefused(b, withChange(good, 0, { cid: 'cursor' }), 'unknown-column'); // ephemeral never syncs as a row
    await expectRefused(b, withChange(good, 0, { siteId: new Uint8Array(3) }), 'malformed');
    await expectRefused(b, withChange(good, 0, { colVersion: -1 }), 'malformed');
  });

  it('truncated or garbage Yjs updates in a text slot', async () => {
    const { b, good } = await pair();
    const index = good.changes.findIndex((c) => c.table === 'sync_text_slots' && (c.val as Uint8Array).byteLength > 0);
    expect(index).toBeGreaterThanOrEqual(0);
    const slot = good.changes[index]!.val as Uint8Array;
    await expectRefused(b, withChange(good, index, { val: slot.subarray(0, slot.length - 3) }), 'invalid-text-update');
    await expectRefused(b, withChange(good, index, { val: encodeSlot({ kind: 'delta', seq: 1, update: new Uint8Array([0, 9, 9, 9, 200, 1]) }) }), 'invalid-text-update');
    await expectRefused(b, withChange(good, index, { val: 'not bytes' }), 'invalid-text-update');
    await expectRefused(b, withChange(good, index, { val: new Uint8Array([7, 7, 7]) }), 'invalid-text-update');
    // And the good changeset still applies afterwards.
    await b.applyChangeset(good);
    expect(await b.query('SELECT body FROM notes')).toEqual([{ body: 'hello world' }]);
  });

  it('truncated and oversized live updates never reach the document', async () => {
    const { a } = await pair();
    const ref = { table: 'notes', column: 'body', pk: ['n'] };
    const source = new Y.Doc();
    source.getText('t').insert(0, 'live text that is long enough to cut');
    const update = Y.encodeStateAsUpdateV2(source);
    await expect(a.texts.applyLiveUpdate(ref, update.subarray(0, update.length - 4))).rejects.toMatchObject({ code: 'invalid-text-update' });
    await expect(a.texts.applyLiveUpdate(ref, new Uint8Array(9 * 1024 * 1024))).rejects.toMatchObject({ code: 'oversized' });
    const h = await a.texts.openDoc(ref);
    expect(h.doc.getText('t').toString()).toBe('hello world');
    await h.release();
  });
});

describe('changeset codec', () => {
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 40 });
  const value = fc.oneof(
    fc.constant(null),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }).filter((d) => !Number.isSafeInteger(d)),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    fc.string(),
    fc.uint8Array({ maxLength: 40 }),
  );
  const count = fc.nat({ max: 2 ** 40 });
  const change = fc.record({
    table: fc.string(),
    pk: bytes,
    cid: fc.string(),
    val: value,
    colVersion: count,
    dbVersion: count,
    siteId: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    cl: count,
    seq: count,
  });
  const changeset = fc.record({
    schemaHash: fc.string(),
    schemaRevision: count,
    fromSite: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    since: count,
    upTo: count,
    changes: fc.array(change, { maxLength: 20 }),
  });

  it('round-trips every changeset', () => {
    fc.assert(
      fc.property(changeset, (set) => {
        expect(decodeChangeset(encodeChangeset(set))).toEqual(set);
      }),
    );
  });

  it('decodes a message that sits inside a larger buffer without reading past it', () => {
    fc.assert(
      fc.property(changeset, fc.uint8Array({ minLength: 1, maxLength: 8 }), (set, tail) => {
        const encoded = encodeChangeset(set);
        const buffer = new Uint8Array(encoded.length + tail.length);
        buffer.set(encoded);
        buffer.set(tail, encoded.length);
        expect(decodeChangeset(buffer.subarray(0, encoded.length))).toEqual(set);
        expect(() => decodeChangeset(buffer.subarray(0, encoded.length - 1))).toThrow(SyncError);
      }),
    );
  });
});

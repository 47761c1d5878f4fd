import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import { openFileDatabase, openMemoryDatabase } from '../storage/node';
import { Replica, type ReplicaOptions } from './index';
import { decodeSlot } from './text-slots';
import { ManualClock, ManualFrames, notesSchema, seededRandom } from './testing/fixtures';

const NOTE = { table: 'notes', column: 'body', pk: ['n'] };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-text-'));
  dirs.push(dir);
  return path.join(dir, 'notes.db');
}

async function slotRows(r: Replica) {
  return r.query('SELECT hex(site) AS site, slot, data FROM sync_text_slots ORDER BY site, slot');
}

/// The document as another replica would rebuild it from the stored rows alone.
async function storedText(r: Replica): Promise<string> {
  const doc = new Y.Doc();
  for (const row of await slotRows(r)) {
    const slot = decodeSlot(row.data as Uint8Array);
    if (slot) Y.applyUpdateV2(doc, slot.update);
  }
  return doc.getText('t').toString();
}

describe('REALTIME_TEXT storage', () => {
  it('an edit is stored one frame after typing pauses, and keeps being batched while typing goes on', async () => {
    const frames = new ManualFrames();
    const clock = new ManualClock();
    const r = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: frames.scheduler, clock, text: { busyFlushIntervalMs: 100 } });
    const h = await r.texts.openDoc(NOTE);
    const text = h.doc.getText('t');
    text.insert(0, 'a');
    expect(await storedText(r)).toBe('');
    frames.frame(); // the frame after the pause
    await r.idle();
    expect(await storedText(r)).toBe('a');

    // Typing every frame: storage is written at least every busyFlushIntervalMs.
    for (let i = 0; i < 10; i++) {
      text.insert(text.length, 'b');
      clock.advance(16);
      frames.frame();
      await r.idle();
    }
    const whileBusy = await storedText(r);
    expect(whileBusy.length).toBeGreaterThan(1);
    frames.frame(); // a pause
    await r.idle();
    expect(await storedText(r)).toBe('a' + 'b'.repeat(10));
    await h.release();
    await r.close();
  });

  it('rows and clock rows per note stay bounded however many edits are made', async () => {
    const frames = new ManualFrames();
    const K = 4;
    const r = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: frames.scheduler, text: { ringSize: K, slotTargetBytes: 64 } });
    const h = await r.texts.openDoc(NOTE);
    const text = h.doc.getText('t');
    const rand = seededRandom(7);
    for (let i = 0; i < 2000; i++) {
      if (text.length > 0 && rand() < 0.3) text.delete(Math.floor(rand() * text.length), 1);
      else text.insert(Math.floor(rand() * (text.length + 1)), 'x');
      frames.frame();
      await r.idle();
    }
    frames.frame(); // a frame with no edit: typing paused
    await r.idle();
    const [rows] = await r.query('SELECT count(*) AS n FROM sync_text_slots');
    const [clock] = await r.query('SELECT count(*) AS n FROM sync_text_slots__crsql_clock');
    const [changes] = await r.query("SELECT count(*) AS n FROM crsql_changes WHERE \"table\" = 'sync_text_slots'");
    expect(Number(rows!.n)).toBeLessThanOrEqual(1 + K);
    expect(Number(clock!.n)).toBeLessThanOrEqual(1 + K);
    expect(Number(changes!.n)).toBeLessThanOrEqual(1 + K);
    expect(await storedText(r)).toBe(text.toString());
    await h.release();
    await r.close();
  });

  it('a restarted session continues its ring and keeps every earlier edit (trap 2)', async () => {
    const file = tempFile();
    const expected = new Y.Doc();
    const options = (frames: ManualFrames): Partial<ReplicaOptions> => ({
      scheduler: frames.scheduler,
      // Tiny slots and no compaction on close: restarts happen mid-ring.
      text: { ringSize: 3, slotTargetBytes: 32, compactRatio: 0.5, compactMinBytes: 200, compactOnReleaseRatio: 100 },
    });
    for (let session = 0; session < 12; session++) {
      const frames = new ManualFrames();
      const r = await Replica.open({ db: await openFileDatabase(file), schema: notesSchema, ...options(frames) });
      const h = await r.texts.openDoc(NOTE);
      expect(h.doc.getText('t').toString(), `session ${session} loads everything`).toBe(expected.getText('t').toString());
      for (let i = 0; i < 3; i++) {
        const word = `s${session}e${i} `;
        h.doc.getText('t').insert(h.doc.getText('t').length, word);
        expected.getText('t').insert(expected.getText('t').length, word);
        frames.frame();
        await r.idle();
      }
      // Each session uses a new Yjs client id: updates streamed before a crash must not clash.
      const clients = new Set<number>();
      for (const row of await slotRows(r)) {
        const slot = decodeSlot(row.data as Uint8Array);
        if (slot) for (const [client] of Y.decodeStateVector(Y.encodeStateVectorFromUpdateV2(slot.update))) clients.add(client);
      }
      expect(clients.has(h.doc.clientID)).toBe(true);
      // No release: the session ends as a closed tab would, after its last frame.
      await r.close();
    }
    const r = await Replica.open({ db: await openFileDatabase(file), schema: notesSchema });
    expect(await storedText(r)).toBe(expected.getText('t').toString());
    expect((await slotRows(r)).length).toBeLessThanOrEqual(4);
    await r.close();
  });

  it('edits made while a flush or compaction is being written are not lost (trap 1)', async () => {
    const frames = new ManualFrames();
    const r = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: frames.scheduler, text: { ringSize: 2, slotTargetBytes: 16, compactMinBytes: 32, compactRatio: 0.1 } });
    const h = await r.texts.openDoc(NOTE);
    const text = h.doc.getText('t');
    for (let i = 0; i < 200; i++) {
      text.insert(text.length, `${i % 10}`);
      frames.frame(); // starts a flush (and sometimes a compaction) without waiting for it
      text.insert(0, '-'); // lands while that write is in flight
    }
    await r.flush();
    expect(await storedText(r)).toBe(text.toString());
    await h.release();
    await r.close();
  });

  it('two sites writing one document keep their own rows, and a third loads their union', async () => {
    const open = async () => Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: new ManualFrames().scheduler, text: { ringSize: 3 } });
    const [a, b, c] = [await open(), await open(), await open()];
    const ha = await a.texts.openDoc(NOTE);
    ha.doc.getText('t').insert(0, 'from a. ');
    await ha.release();
    await b.applyChangeset(await a.changesSince(0));
    const hb = await b.texts.openDoc(NOTE);
    hb.doc.getText('t').insert(hb.doc.getText('t').length, 'from b.');
    await hb.release();
    await c.applyChangeset(await a.changesSince(0));
    await c.applyChangeset(await b.changesSince(0));
    const sites = new Set((await slotRows(c)).map((row) => row.site));
    expect(sites.size).toBe(2);
    expect((await slotRows(c)).length).toBeLessThanOrEqual(2 * 4);
    const hc = await c.texts.openDoc(NOTE);
    expect(hc.doc.getText('t').toString()).toBe('from a. from b.');
    await hc.release();
    expect(await c.query('SELECT body FROM notes__text')).toEqual([{ body: 'from a. from b.' }]);
    for (const r of [a, b, c]) await r.close();
  });

  it('streams the first edit after a quiet frame at once, later ones at most once per frame', async () => {
    const frames = new ManualFrames();
    const a = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: frames.scheduler });
    const sent: string[] = [];
    const peer = new Y.Doc();
    a.texts.onUpdate((_ref, update, origin) => {
      if (origin !== 'local') return;
      Y.applyUpdateV2(peer, update);
      sent.push(peer.getText('t').toString());
    });
    const h = await a.texts.openDoc(NOTE);
    const text = h.doc.getText('t');
    const type = (s: string) => h.doc.transact(() => text.insert(text.length, s));
    const microtask = () => Promise.resolve();

    type('a');
    type('b'); // the same task: one message
    await microtask();
    expect(sent).toEqual(['ab']);
    type('c');
    type('d');
    await microtask();
    expect(sent).toEqual(['ab']); // sent in this frame already: waits for the next
    frames.frame();
    expect(sent).toEqual(['ab', 'abcd']);
    type('e');
    await microtask();
    expect(sent).toEqual(['ab', 'abcd']); // that frame sent: the next one takes this
    frames.frame();
    expect(sent).toEqual(['ab', 'abcd', 'abcde']);
    frames.frame(); // a frame without edits
    type('f');
    await microtask();
    expect(sent).toEqual(['ab', 'abcd', 'abcde', 'abcdef']);
    await h.release();
    await a.close();
  });

  it('streams local edits once per frame, and applies live edits without echoing them', async () => {
    const fa = new ManualFrames();
    const a = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: fa.scheduler });
    const fb = new ManualFrames();
    const clockB = new ManualClock();
    const b = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: fb.scheduler, clock: clockB, text: { remoteStoreDelayMs: 1000 } });
    const fromA: Uint8Array[] = [];
    const fromB: { origin: string }[] = [];
    a.texts.onUpdate((_ref, update, origin) => origin === 'local' && fromA.push(update));
    b.texts.onUpdate((_ref, _update, origin) => fromB.push({ origin }));
    const ha = await a.texts.openDoc(NOTE);
    ha.doc.getText('t').insert(0, 'h');
    ha.doc.getText('t').insert(1, 'i');
    expect(fromA).toHaveLength(0);
    await Promise.resolve();
    fa.frame();
    expect(fromA).toHaveLength(1); // two keystrokes in one task: one message
    for (const update of fromA) await b.texts.applyLiveUpdate(NOTE, update);
    expect(fromB).toEqual([{ origin: 'remote-live' }]);
    const hb = await b.texts.openDoc(NOTE);
    expect(hb.doc.getText('t').toString()).toBe('hi');
    // b stores the live edit too, since its author may crash before storing it, but only
    // after remoteStoreDelayMs: usually the author's own slots come first. (b holds the
    // document open for a while after a live edit, so closing the editor does not make it
    // load and compact per keystroke.)
    await hb.release();
    clockB.advance(999);
    fb.frame();
    await b.idle();
    expect(await storedText(b)).toBe('');
    clockB.advance(1);
    fb.frame();
    await b.idle();
    expect(await storedText(b)).toBe('hi');
    await ha.release();
    await a.close();
    await b.close();
  });

  it('a transaction that changes nothing is no edit: a reader stores live edits no sooner and streams nothing of its own', async () => {
    const fa = new ManualFrames();
    const a = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: fa.scheduler });
    const fb = new ManualFrames();
    const clockB = new ManualClock();
    const b = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: fb.scheduler, clock: clockB, text: { remoteStoreDelayMs: 1000, busyFlushIntervalMs: 100 } });
    const fromA: Uint8Array[] = [];
    const fromB: string[] = [];
    a.texts.onUpdate((_ref, update, origin) => origin === 'local' && fromA.push(update));
    b.texts.onUpdate((_ref, _update, origin) => fromB.push(origin));
    const ha = await a.texts.openDoc(NOTE);
    const hb = await b.texts.openDoc(NOTE);
    ha.doc.getText('t').insert(0, 'hi');
    await Promise.resolve();
    for (const update of fromA) await b.texts.applyLiveUpdate(NOTE, update);
    // b's editor writes its unchanged view back after every update, as y-prosemirror does
    // (with its plugin key as the origin): empty transactions b's store must not count.
    const editor = { name: 'an editor binding' };
    for (let i = 0; i < 6; i++) {
      hb.doc.transact(() => undefined, editor);
      await Promise.resolve();
      clockB.advance(150);
      fb.frame();
      await b.idle();
    }
    expect(fromB).toEqual(['remote-live']);
    expect(await storedText(b)).toBe(''); // 900 ms: still waiting for a's own slots
    clockB.advance(100);
    fb.frame();
    await b.idle();
    expect(await storedText(b)).toBe('hi');
    await ha.release();
    await hb.release();
    await a.close();
    await b.close();
  });
});

describe('readable text', () => {
  it('catches up with the document after typing stops, without another edit', async () => {
    const frames = new ManualFrames();
    const clock = new ManualClock();
    const r = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: frames.scheduler, clock, text: { readableTextIntervalMs: 1000 } });
    await r.execute("INSERT INTO notes (id) VALUES ('n')");
    const h = await r.texts.openDoc(NOTE);
    h.doc.getText('t').insert(0, 'first');
    frames.frame();
    await r.idle();
    expect(await r.query('SELECT body FROM notes')).toEqual([{ body: null }]); // not due yet
    for (let i = 0; i < 5; i++) {
      clock.advance(300);
      frames.frame();
      await r.idle();
    }
    expect(await r.query('SELECT body FROM notes')).toEqual([{ body: 'first' }]);
    expect(frames.pending).toBe(0); // and then it stops asking for frames
    await h.release();
    await r.close();
  });
});

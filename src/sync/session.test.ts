import { describe, expect, it } from 'vitest';
import { compileSyncSchema } from '../schema';
import { openMemoryDatabase } from '../storage/node';
import { Replica, SyncError } from './index';
import { SyncSession } from './session';
import { transportPair } from './testing/memory-transport';
import { ManualClock, ManualFrames, notesSchema } from './testing/fixtures';
import { decodeWireMessage, encodeWireMessage } from './wire';

const body = (id: string) => ({ table: 'notes', column: 'body', pk: [id] });
const noTimers = { setTimer: () => () => undefined };

async function replica(frames = new ManualFrames(), schema = notesSchema) {
  return Replica.open({ db: await openMemoryDatabase(), schema, scheduler: frames.scheduler });
}

function connect(a: Replica, b: Replica) {
  const [ta, tb] = transportPair();
  const sa = new SyncSession(a, ta, noTimers);
  const sb = new SyncSession(b, tb, noTimers);
  const runs = [sa.run().catch((e: unknown) => e), sb.run().catch((e: unknown) => e)];
  return { sa, sb, close: async () => (ta.close(), Promise.all(runs)), runs };
}

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const rowsOf = (r: Replica) => r.query('SELECT id, is_pinned, body FROM notes ORDER BY id');

describe('SyncSession', () => {
  it('catches a new peer up in acknowledged batches, text included', async () => {
    const a = await replica();
    const b = await replica();
    await a.transact(Array.from({ length: 3000 }, (_, i) => ({ sql: 'INSERT INTO notes (id, is_pinned) VALUES (?, ?)', params: [`n${i}`, i % 2] })));
    const h = await a.texts.openDoc(body('n1'));
    h.doc.getText('t').insert(0, 'hello from a');
    await h.release();
    const link = connect(a, b);
    await until(async () => (await b.query('SELECT count(*) AS n FROM notes'))[0]!.n === 3000, 'catch-up');
    await until(async () => JSON.stringify(await rowsOf(a)) === JSON.stringify(await rowsOf(b)), 'identical rows');
    expect((await b.query("SELECT body FROM notes WHERE id = 'n1'"))[0]!.body).toBe('hello from a');
    expect(link.sa.progress.sent).toBeGreaterThanOrEqual(3000);
    expect((await a.peerProgress(b.siteBytes)).sentUpTo).toBe(await a.dbVersion());
    await link.close();
  });

  it('streams text edits live and pushes pins as they commit, without echoing', async () => {
    const fa = new ManualFrames();
    const a = await replica(fa);
    const b = await replica();
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 0)");
    const link = connect(a, b);
    await until(async () => (await b.query('SELECT count(*) AS n FROM notes'))[0]!.n === 1, 'the note');
    const hb = await b.texts.openDoc(body('n'));
    const ha = await a.texts.openDoc(body('n'));
    ha.doc.getText('t').insert(0, 'typed on a');
    fa.frame(); // the frame seals the edit and streams it
    await until(async () => hb.doc.getText('t').toString() === 'typed on a', 'the live edit');
    await b.execute("UPDATE notes SET is_pinned = 1 WHERE id = 'n'");
    await until(async () => (await a.query("SELECT is_pinned FROM notes"))[0]!.is_pinned === 1, 'the pin');
    expect(ha.doc.getText('t').toString()).toBe('typed on a');
    await ha.release();
    await hb.release();
    await link.close();
  });

  it('while a note is typed in, its stored slots reach peers at most once a second; a pin goes at once and takes them along', async () => {
    const clock = new ManualClock();
    const fa = new ManualFrames();
    // Every flush rewrites the readable text too, which tells the sessions at once.
    const a = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, scheduler: fa.scheduler, clock, text: { readableTextIntervalMs: 0 } });
    const b = await replica();
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 0)");
    const later: { ms: number; run: () => void }[] = [];
    const [ta, tb] = transportPair();
    const sa = new SyncSession(a, ta, { ...noTimers, delay: (ms, run) => (later.push({ ms, run }), () => undefined) });
    const sb = new SyncSession(b, tb, noTimers);
    const runs = [sa.run().catch((e: unknown) => e), sb.run().catch((e: unknown) => e)];
    await until(async () => (await b.query('SELECT count(*) AS n FROM notes'))[0]!.n === 1, 'the note');
    // a's slots of the note as stored on a replica.
    const slotsOfA = async (r: Replica) => JSON.stringify(await r.query('SELECT slot, hex(data) AS data FROM sync_text_slots WHERE hex(site) = ? ORDER BY slot', [`${a.site}00`.toUpperCase()]));
    const h = await a.texts.openDoc(body('n'));
    const type = async (text: string) => {
      h.doc.getText('t').insert(h.doc.getText('t').length, text);
      fa.frame(); // streams the edit
      fa.frame(); // a frame without edits: the pause that stores it
      await a.idle();
    };

    await type('a');
    await until(async () => (await slotsOfA(b)) === (await slotsOfA(a)), 'the first slot'); // the first goes at once
    expect(later).toHaveLength(0);
    await type('b');
    await until(async () => later.length === 1, 'the next slot held back');
    expect(later[0]!.ms).toBe(1000);
    expect(await slotsOfA(b)).not.toBe(await slotsOfA(a));
    await a.execute("UPDATE notes SET is_pinned = 1 WHERE id = 'n'");
    await until(async () => (await b.query('SELECT is_pinned FROM notes'))[0]!.is_pinned === 1, 'the pin');
    expect(await slotsOfA(b)).toBe(await slotsOfA(a)); // the pin took the slot along
    await type('c');
    expect(await slotsOfA(b)).not.toBe(await slotsOfA(a));
    clock.advance(1000);
    later[0]!.run();
    await until(async () => (await slotsOfA(b)) === (await slotsOfA(a)), 'the held-back slot');
    // Once no one has typed for a while, slots go as they commit again.
    clock.advance(1500);
    await a.execute("INSERT INTO sync_text_slots (doc, site, slot, data) SELECT doc, site, 99, data FROM sync_text_slots WHERE slot = 1 AND hex(site) = ?", [`${a.site}00`.toUpperCase()]);
    await until(async () => (await slotsOfA(b)) === (await slotsOfA(a)), 'a slot written after typing stopped');
    expect(later).toHaveLength(1);
    await h.release();
    ta.close();
    await Promise.all(runs);
  });

  it('applies live text while its replica is busy writing (recording an ack does not hold up the stream)', async () => {
    const fa = new ManualFrames();
    const a = await replica(fa);
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 0)");
    const db = await openMemoryDatabase();
    // b's writes wait behind a gate, as behind a long flush on a slow disk.
    let open: () => void = () => undefined;
    let gate: Promise<void> | null = null;
    const gated = { ...db, query: db.query.bind(db), execScript: db.execScript.bind(db), close: db.close.bind(db), transact: async (statements: Parameters<typeof db.transact>[0]) => (await gate, db.transact(statements)) };
    const b = await Replica.open({ db: gated, schema: notesSchema, scheduler: new ManualFrames().scheduler });
    const hb = await b.texts.openDoc(body('n'));
    gate = new Promise<void>((resolve) => (open = resolve));
    const link = connect(a, b);
    await until(async () => link.sa.progress.peer !== null && link.sb.progress.peer !== null, 'both hellos');
    const ha = await a.texts.openDoc(body('n'));
    ha.doc.getText('t').insert(0, 'while b writes');
    fa.frame();
    // b has a's ack to record (and a's note to merge), both waiting at the gate.
    await until(async () => hb.doc.getText('t').toString() === 'while b writes', 'the live edit');
    open();
    await until(async () => (await b.query('SELECT count(*) AS n FROM notes'))[0]!.n === 1, 'the note');
    await ha.release();
    await hb.release();
    await link.close();
  });

  it('sends live text last to a session that asks for it (a relay), after the others', async () => {
    const fa = new ManualFrames();
    const a = await replica(fa);
    const [b, c] = [await replica(), await replica()];
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 0)");
    const order: string[] = [];
    const watch = (t: ReturnType<typeof transportPair>[0], name: string) => {
      const send = t.send.bind(t);
      t.send = (bytes) => (decodeWireMessage(bytes).type === 'text' && order.push(name), send(bytes));
      return t;
    };
    const [tRelay, tc] = transportPair();
    const [tMember, tb] = transportPair();
    const sessions = [
      new SyncSession(a, watch(tRelay, 'relay'), { ...noTimers, liveTextLast: true }),
      new SyncSession(c, tc, noTimers),
      new SyncSession(a, watch(tMember, 'member'), noTimers),
      new SyncSession(b, tb, noTimers),
    ];
    const runs = sessions.map((session) => session.run().catch((e: unknown) => e));
    await until(async () => (await Promise.all([b, c].map((r) => r.query('SELECT count(*) AS n FROM notes')))).every((rows) => rows[0]!.n === 1), 'the note on both');
    const ha = await a.texts.openDoc(body('n'));
    ha.doc.getText('t').insert(0, 'x');
    fa.frame();
    await until(async () => order.length === 2, 'both sends');
    expect(order).toEqual(['member', 'relay']); // the relay's session was opened first
    await ha.release();
    tRelay.close();
    tMember.close();
    await Promise.all(runs);
  });

  it('relays through a middle peer, also to a peer that was away when the edit was made', async () => {
    const [a, cloud, b] = [await replica(), await replica(), await replica()];
    const ab = connect(a, cloud);
    await a.execute("INSERT INTO notes (id, is_pinned) VALUES ('from-a', 1)");
    await until(async () => (await cloud.query('SELECT count(*) AS n FROM notes'))[0]!.n === 1, 'a to cloud');
    await ab.close(); // a goes offline
    const cb = connect(cloud, b);
    await until(async () => (await b.query('SELECT count(*) AS n FROM notes'))[0]!.n === 1, 'cloud to b');
    await b.execute("INSERT INTO notes (id, is_pinned) VALUES ('from-b', 0)");
    await until(async () => (await cloud.query('SELECT count(*) AS n FROM notes'))[0]!.n === 2, 'b to cloud');
    await cb.close(); // b leaves
    const back = connect(a, cloud); // a returns
    await until(async () => JSON.stringify(await rowsOf(a)) === JSON.stringify(await rowsOf(b)), 'a gets b\'s edit');
    await back.close();
  });

  it('ends with a typed error when the schemas differ, saying which side is older, and applies nothing', async () => {
    const older = await replica();
    const newer = await replica(new ManualFrames(), compileSyncSchema(
      'CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT, is_pinned LWW_INTEGER, cursor EPHEMERAL_INTEGER, color LWW_TEXT);',
      { revision: 2 },
    ));
    await newer.execute("INSERT INTO notes (id, color) VALUES ('x', 'red')");
    const link = connect(older, newer);
    const [a, b] = await Promise.all(link.runs);
    expect(a).toBeInstanceOf(SyncError);
    expect((a as SyncError).message).toMatch(/this replica is older/);
    expect((b as SyncError).message).toMatch(/the peer is older|ended the session/);
    expect(await older.query('SELECT count(*) AS n FROM notes')).toEqual([{ n: 0 }]);
  });

  it('ends on a malformed or out-of-place message and applies nothing', async () => {
    for (const bad of [new Uint8Array([99, 1, 2]), encodeWireMessage({ type: 'ack', upTo: 5 }), encodeWireMessage({ type: 'text', doc: '["secrets","x","1"]', update: new Uint8Array([0]) })]) {
      const victim = await replica();
      const [t, attacker] = transportPair();
      const running = new SyncSession(victim, t, noTimers).run().catch((e: unknown) => e);
      attacker.send(bad).catch(() => undefined);
      const error = await running;
      expect(error).toBeInstanceOf(SyncError);
      expect(await victim.query('SELECT count(*) AS n FROM crsql_changes')).toEqual([{ n: 0 }]);
    }
  });

  it('shares presence, and forgets a peer\'s when its session ends', async () => {
    const a = await replica();
    const b = await replica();
    const link = connect(a, b);
    await until(async () => link.sb.progress.peer !== null && link.sa.progress.peer !== null, 'hello');
    a.ephemeral.set('notes', ['n'], 'cursor', 7);
    await until(async () => b.ephemeral.query({ table: 'notes', pk: ['n'], column: 'cursor' }).some((e) => e.value === 7), 'the cursor');
    await link.close();
    expect(b.ephemeral.query({ table: 'notes', pk: ['n'], column: 'cursor' })).toEqual([]);
    // And none of it is in either database.
    expect(await b.query("SELECT count(*) AS n FROM crsql_changes WHERE cid = 'cursor'")).toEqual([{ n: 0 }]);
  });

  it('sends presence only as a heartbeat to a session that asks for that (a cloud peer)', async () => {
    const a = await replica();
    const b = await replica();
    const [ta, tb] = transportPair();
    const heartbeats: (() => void)[] = [];
    const sa = new SyncSession(a, ta, { livePresence: false, setTimer: (_ms, beat) => (heartbeats.push(beat), () => undefined) });
    const sb = new SyncSession(b, tb, noTimers);
    const runs = [sa.run().catch((e: unknown) => e), sb.run().catch((e: unknown) => e)];
    await until(async () => sb.progress.peer !== null && sa.progress.peer !== null, 'hello');
    const cursorOnB = () => b.ephemeral.query({ table: 'notes', pk: ['n'], column: 'cursor' }).map((e) => e.value);
    a.ephemeral.set('notes', ['n'], 'cursor', 7);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cursorOnB()).toEqual([]);
    heartbeats[0]!();
    await until(async () => cursorOnB()[0] === 7, 'the cursor with the heartbeat');
    ta.close();
    await Promise.all(runs);
  });
});

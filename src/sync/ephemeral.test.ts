import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileDatabase, openMemoryDatabase } from '../storage/node';
import { Replica } from './index';
import { ManualClock, ManualFrames, notesSchema } from './testing/fixtures';

// A value whose bytes are easy to find: 0x5EC2E7A1.
const CURSOR = 0x5ec2e7a1;

describe('EPHEMERAL columns', () => {
  it('never reach the database file or crsql_changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-ephemeral-'));
    const file = path.join(dir, 'notes.db');
    try {
      const r = await Replica.open({ db: await openFileDatabase(file), schema: notesSchema, scheduler: new ManualFrames().scheduler });
      await r.execute("INSERT INTO notes (id, is_pinned) VALUES ('n', 1)");
      r.ephemeral.set('notes', ['n'], 'cursor', CURSOR);
      r.ephemeral.applyRemote({ peer: 'peer-b', session: 's', counter: 1, entries: [{ table: 'notes', pk: ['n'], column: 'cursor', value: CURSOR + 1 }] });
      expect(r.ephemeral.query({ table: 'notes', pk: ['n'], column: 'cursor' }).map((e) => e.value).sort()).toEqual([CURSOR, CURSOR + 1]);
      const changes = await r.query('SELECT cid, val FROM crsql_changes');
      expect(changes.some((c) => c.cid === 'cursor' || c.val === CURSOR || c.val === CURSOR + 1)).toBe(false);
      await r.close();

      const bytes = fs.readFileSync(file);
      const needles = [CURSOR, CURSOR + 1].flatMap((v) => {
        const be = Buffer.alloc(4);
        be.writeUInt32BE(v);
        return [be, Buffer.from(String(v))];
      });
      for (const needle of needles) expect(bytes.indexOf(needle), `bytes ${needle.toString('hex')} in the file`).toBe(-1);
      // The check can fail: the same value written as an LWW column is found.
      const r2 = await Replica.open({ db: await openFileDatabase(file), schema: notesSchema });
      await r2.execute('UPDATE notes SET is_pinned = ? WHERE id = ?', [CURSOR, 'n']);
      await r2.close();
      expect(fs.readFileSync(file).indexOf(needles[0]!)).toBeGreaterThanOrEqual(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answer who is where, expire when a peer goes quiet, and drop stale or duplicate messages', async () => {
    const clock = new ManualClock();
    const r = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema, clock, ephemeral: { ttlMs: 10_000 } });
    const message = (peer: string, session: string, counter: number, id: string, value: number) => ({
      peer,
      session,
      counter,
      entries: [{ table: 'notes', pk: [id], column: 'cursor', value }],
    });
    const changes: string[] = [];
    r.ephemeral.subscribe((origin) => changes.push(origin));

    expect(r.ephemeral.applyRemote(message('b', 's1', 2, 'x', 5))).toBe(true);
    expect(r.ephemeral.applyRemote(message('b', 's1', 2, 'x', 6))).toBe(false); // duplicate
    expect(r.ephemeral.applyRemote(message('b', 's1', 1, 'x', 7))).toBe(false); // late
    expect(r.ephemeral.applyRemote(message('c', 's9', 1, 'y', 3))).toBe(true);
    const cursorsIn = (id: string) => r.ephemeral.query({ table: 'notes', pk: [id], column: 'cursor' }).map((e) => [e.peer, e.value]);
    expect(cursorsIn('x')).toEqual([['b', 5]]);
    expect(cursorsIn('y')).toEqual([['c', 3]]);

    clock.advance(6_000);
    expect(r.ephemeral.applyRemote(message('b', 's1', 3, 'y', 8))).toBe(true); // b moved to y
    clock.advance(6_000); // c has been quiet for 12 s
    expect(cursorsIn('x')).toEqual([]);
    expect(cursorsIn('y')).toEqual([['b', 8]]);
    // A restarted peer (new session) starts its counter again.
    expect(r.ephemeral.applyRemote(message('b', 's2', 1, 'x', 1))).toBe(true);
    expect(cursorsIn('x')).toEqual([['b', 1]]);

    r.ephemeral.set('notes', ['x'], 'cursor', 42);
    const local = r.ephemeral.localMessage();
    expect(local.entries).toEqual([{ table: 'notes', pk: ['x'], column: 'cursor', value: 42 }]);
    expect(r.ephemeral.localMessage().counter).toBe(local.counter);
    r.ephemeral.set('notes', ['x'], 'cursor', null);
    expect(r.ephemeral.localMessage().entries).toEqual([]);
    expect(r.ephemeral.localMessage().counter).toBeGreaterThan(local.counter);
    expect(changes).toContain('local');
    expect(changes).toContain('remote');
    await r.close();
  });

  it('refuses values for columns that are not ephemeral, or of the wrong type', async () => {
    const r = await Replica.open({ db: await openMemoryDatabase(), schema: notesSchema });
    expect(() => r.ephemeral.set('notes', ['x'], 'is_pinned', 1)).toThrow(/not an EPHEMERAL column/);
    expect(() => r.ephemeral.set('notes', ['x'], 'cursor', 'text')).toThrow(/takes an integer/);
    expect(() =>
      r.ephemeral.applyRemote({ peer: 'b', session: 's', counter: 1, entries: [{ table: 'secrets', pk: ['x'], column: 'cursor', value: 1 }] }),
    ).toThrow(/not an EPHEMERAL column/);
    const many = Array.from({ length: 300 }, (_, i) => ({ table: 'notes', pk: [String(i)], column: 'cursor', value: i }));
    expect(() => r.ephemeral.applyRemote({ peer: 'b', session: 's', counter: 1, entries: many })).toThrow(/oversized/);
    expect(r.ephemeral.query({ table: 'notes' }).length).toBe(0);
    await r.close();
  });
});

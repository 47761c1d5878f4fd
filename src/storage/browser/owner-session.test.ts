import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../node';
import type { WasmSqlDatabase } from '../wasm-database';
import type { OpenedStorage } from './engines';
import { TabHandoverError } from './errors';
import { CALL_LOG_TABLE, OwnerSession } from './owner-session';

// The owner's session over a Node in-memory database (the same WasmSqlDatabase code as in
// the worker): exactly-once forwarded calls and group commit, deterministically.

const open: WasmSqlDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close().catch(() => undefined);
});

async function openSession() {
  const db = await openMemoryDatabase();
  open.push(db);
  await db.execScript("CREATE TABLE t (id INTEGER PRIMARY KEY NOT NULL, v TEXT); SELECT crsql_as_crr('t');");
  const writes: string[] = [];
  const storage: OpenedStorage = { kind: 'memory', db, readFile: () => Promise.reject(new Error('none')), close: () => db.close() };
  return { db, writes, session: new OwnerSession(storage, (origin) => writes.push(origin)) };
}

const insert = (id: number, v = `v${id}`) => ({ kind: 'transact' as const, statements: [{ sql: 'INSERT INTO t (id, v) VALUES (?, ?)', params: [id, v] }, { sql: 'SELECT count(*) AS n FROM t' }] });
const callId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('forwarded calls run at most once per call id', () => {
  it('a transact sent again after it committed returns the first result and writes nothing', async () => {
    const { db, session } = await openSession();
    const first = await session.run(insert(1), 'tab-b', callId(1));
    await db.transact([{ sql: "INSERT INTO t VALUES (2, 'later')" }]);
    const again = await session.run(insert(1), 'tab-b', callId(1));
    expect(again).toEqual(first);
    expect(first).toEqual([[], [{ n: 1 }]]);
    expect(await db.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 2 }]);
  });

  it('a failed call leaves no record, so its retry runs', async () => {
    const { db, session } = await openSession();
    await db.transact([{ sql: "INSERT INTO t VALUES (1, 'taken')" }]);
    await expect(session.run(insert(1), 'tab-b', callId(7))).rejects.toThrow(/UNIQUE/);
    await db.transact([{ sql: 'DELETE FROM t WHERE id = 1' }]);
    expect(await session.run(insert(1), 'tab-b', callId(7))).toEqual([[], [{ n: 1 }]]);
  });

  it('a writing query and a script are recorded too; reads are not', async () => {
    const { db, session } = await openSession();
    await session.run({ kind: 'query', sql: "INSERT INTO t VALUES (5, 'q') RETURNING id", params: [] }, 'tab-b', callId(2));
    expect(await session.run({ kind: 'query', sql: "INSERT INTO t VALUES (5, 'q') RETURNING id", params: [] }, 'tab-b', callId(2))).toEqual([{ id: 5 }]);
    await session.run({ kind: 'execScript', sql: "INSERT INTO t VALUES (6, 's'); -- trailing comment" }, 'tab-b', callId(3));
    await session.run({ kind: 'execScript', sql: "INSERT INTO t VALUES (6, 's'); -- trailing comment" }, 'tab-b', callId(3));
    await session.run({ kind: 'query', sql: 'SELECT 1 AS one', params: [] }, 'tab-b', callId(4));
    expect(await db.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 5 }, { id: 6 }]);
    expect(await db.query(`SELECT count(*) AS n FROM ${CALL_LOG_TABLE}`)).toEqual([{ n: 2 }]);
  });

  it('refuses a malformed call id', async () => {
    const { session } = await openSession();
    await expect(session.run(insert(1), 'tab-b', "x'); DROP TABLE t; --")).rejects.toThrow(/call id/);
  });
});

describe('group commit', () => {
  it('calls waiting together commit together, each atomic, each answered with its own result', async () => {
    const { db, session, writes } = await openSession();
    const calls = [1, 2, 3, 4, 5].map((id) => session.run(id === 3 ? insert(1) : insert(id), id % 2 ? 'tab-a' : 'tab-b', id === 4 ? callId(40) : undefined));
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled.map((s) => (s.status === 'fulfilled' ? (s.value as unknown[][])[1] : null))).toEqual([[{ n: 1 }], [{ n: 2 }], null, [{ n: 3 }], [{ n: 4 }]]);
    expect(await db.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 4 }, { id: 5 }]);
    expect(writes).toEqual(['tab-a', 'tab-b', 'tab-b', 'tab-a']);
    // The first call started at once, alone; the four queued behind it shared one
    // transaction (one db_version), the failed one rolled back to its savepoint.
    const versions = await db.query('SELECT DISTINCT db_version AS v FROM crsql_changes ORDER BY v');
    expect(versions.length).toBe(2);
    expect(await db.query("SELECT count(*) AS n FROM crsql_changes WHERE cid = 'v' AND db_version = ?", [versions[1]!.v ?? null])).toEqual([{ n: 3 }]);
    // The logged call was recorded in the same commit.
    expect(await session.run(insert(4), 'tab-b', callId(40))).toEqual([[], [{ n: 3 }]]);
  });

  it('when an error ends the whole transaction, every call runs again alone', async () => {
    const { db, session } = await openSession();
    await db.transact([{ sql: "INSERT INTO t VALUES (9, 'taken')" }]);
    const calls = [
      session.run(insert(1), 'tab-a'), // runs at once; the next three are grouped
      session.run(insert(3), 'tab-a'),
      // OR ROLLBACK ends the enclosing transaction, savepoints and all.
      session.run({ kind: 'transact', statements: [{ sql: "INSERT OR ROLLBACK INTO t VALUES (9, 'again')" }] }, 'tab-a'),
      session.run(insert(2), 'tab-a'),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await db.query('SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 1, v: 'v1' },
      { id: 2, v: 'v2' },
      { id: 3, v: 'v3' },
      { id: 9, v: 'taken' },
    ]);
  });

  it('keeps arrival order: a read between two writes sees the first and not the second', async () => {
    const { session } = await openSession();
    const first = session.run(insert(1), 'tab-a');
    const read = session.run({ kind: 'query', sql: 'SELECT count(*) AS n FROM t', params: [] }, 'tab-a');
    const second = session.run(insert(2), 'tab-a');
    await Promise.all([first, second]);
    expect(await read).toEqual([{ n: 1 }]);
  });

  it('answers the calls queued before close, and refuses later ones as retryable', async () => {
    const { session } = await openSession();
    const before = session.run(insert(1), 'tab-a');
    const closing = session.close();
    const after = session.run(insert(2), 'tab-b', callId(5));
    await expect(before).resolves.toEqual([[], [{ n: 1 }]]);
    await closing;
    const error = await after.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TabHandoverError);
    expect((error as TabHandoverError).retryable).toBe(true);
    open.pop(); // closed by the session
  });
});


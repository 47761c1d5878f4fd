import type { SqlDatabase } from '../ports';

/// How a contract check reaches an adapter. `reopen` closes nothing: it opens the same
/// stored database again after the caller closed it (absent for memory-only adapters).
export interface StorageUnderTest {
  open(): Promise<SqlDatabase>;
  reopen?: () => Promise<SqlDatabase>;
}

export interface ContractCheck {
  readonly name: string;
  readonly needsReopen?: boolean;
  run(subject: StorageUnderTest): Promise<void>;
}

/// The storage port's contract, as plain async checks so that the same suite runs under
/// Vitest in Node and inside a browser page (the OPFS adapter). Each check throws on failure.
export const storageContract: readonly ContractCheck[] = [
  {
    name: 'round-trips every SQL value type',
    async run({ open }) {
      const db = await open();
      try {
        await db.execScript('CREATE TABLE v (i INTEGER, big INTEGER, r REAL, t TEXT, b BLOB, n)');
        const big = 1_764_000_000_123; // a millisecond timestamp: beyond 32 bits
        const blob = new Uint8Array([0, 1, 2, 255]);
        await db.transact([{ sql: 'INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)', params: [42, big, 1.5, 'héllo ✓', blob, null] }]);
        const [row] = await db.query('SELECT i, big, typeof(big) AS bigType, r, t, b, n FROM v');
        equal(row?.i, 42, 'integer');
        equal(row?.big, big, 'large integer');
        equal(row?.bigType, 'integer', 'large integers stay integers');
        equal(row?.r, 1.5, 'real');
        equal(row?.t, 'héllo ✓', 'text');
        equal(Array.from(row?.b as Uint8Array).join(), Array.from(blob).join(), 'blob');
        equal(row?.n, null, 'null');
        const [empty] = await db.query('SELECT typeof(?) AS type, length(?) AS n', [new Uint8Array(0), new Uint8Array(0)]);
        equal(empty?.type, 'blob', 'an empty blob stays a blob, not NULL');
        equal(empty?.n, 0, 'an empty blob is empty');
        const [bigint] = await db.query('SELECT ? AS v', [2n ** 60n]);
        equal(BigInt(bigint!.v as bigint), 2n ** 60n, 'bigint parameter');
      } finally {
        await db.close();
      }
    },
  },
  {
    name: 'transact is all or nothing',
    async run({ open }) {
      const db = await open();
      try {
        await db.execScript('CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, v INTEGER)');
        await db.transact([{ sql: "INSERT INTO t VALUES ('a', 1)" }]);
        let failed = false;
        try {
          await db.transact([
            { sql: "UPDATE t SET v = 2 WHERE k = 'a'" },
            { sql: "INSERT INTO t VALUES ('b', 1)" },
            { sql: "INSERT INTO t VALUES ('a', 3)" }, // primary key conflict
          ]);
        } catch {
          failed = true;
        }
        equal(failed, true, 'a failing statement fails the transaction');
        const rows = await db.query('SELECT k, v FROM t ORDER BY k');
        equal(JSON.stringify(rows), JSON.stringify([{ k: 'a', v: 1 }]), 'nothing of the failed transaction remains');
        const results = await db.transact([{ sql: "INSERT INTO t VALUES ('c', 5)" }, { sql: 'SELECT count(*) AS n FROM t' }]);
        equal(results[1]?.[0]?.n, 2, 'each statement returns its rows');
      } finally {
        await db.close();
      }
    },
  },
  {
    name: 'concurrent calls never interleave inside a transaction',
    async run({ open }) {
      const db = await open();
      try {
        await db.execScript('CREATE TABLE p (k INTEGER PRIMARY KEY NOT NULL)');
        const writes = Array.from({ length: 20 }, (_, i) =>
          db.transact([{ sql: 'INSERT INTO p VALUES (?)', params: [2 * i] }, { sql: 'INSERT INTO p VALUES (?)', params: [2 * i + 1] }]),
        );
        const counts = Array.from({ length: 20 }, () => db.query('SELECT count(*) AS n FROM p'));
        await Promise.all(writes);
        for (const c of await Promise.all(counts)) equal(Number(c[0]!.n) % 2, 0, 'a reader never sees half a transaction');
        const [all] = await db.query('SELECT count(*) AS n FROM p');
        equal(all?.n, 40, 'every write landed');
      } finally {
        await db.close();
      }
    },
  },
  {
    name: 'has cr-sqlite: CRR tables record changes',
    async run({ open }) {
      const db = await open();
      try {
        await db.execScript("CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, v INTEGER); SELECT crsql_as_crr('c');");
        await db.transact([{ sql: "INSERT INTO c VALUES ('x', 7)" }]);
        const changes = await db.query('SELECT "table", cid, val FROM crsql_changes');
        equal(JSON.stringify(changes), JSON.stringify([{ table: 'c', cid: 'v', val: 7 }]), 'the insert is a change');
        const [site] = await db.query('SELECT length(crsql_site_id()) AS n');
        equal(site?.n, 16, 'a 16-byte site id');
      } finally {
        await db.close();
      }
    },
  },
  {
    name: 'a failed statement leaves the database usable',
    async run({ open }) {
      const db = await open();
      try {
        let failed = false;
        try {
          await db.query('SELECT * FROM no_such_table');
        } catch {
          failed = true;
        }
        equal(failed, true, 'a bad query rejects');
        const [row] = await db.query('SELECT 1 AS one');
        equal(row?.one, 1, 'the next query works');
      } finally {
        await db.close();
      }
    },
  },
  {
    name: 'committed data and the site id survive close and reopen',
    needsReopen: true,
    async run({ open, reopen }) {
      const db = await open();
      await db.execScript("CREATE TABLE d (id TEXT PRIMARY KEY NOT NULL, v TEXT); SELECT crsql_as_crr('d');");
      await db.transact([{ sql: "INSERT INTO d VALUES ('k', 'kept')" }]);
      const [before] = await db.query('SELECT hex(crsql_site_id()) AS site');
      await db.close();
      const again = await reopen!();
      try {
        const [row] = await again.query('SELECT v FROM d');
        equal(row?.v, 'kept', 'the row is there');
        const [after] = await again.query('SELECT hex(crsql_site_id()) AS site');
        equal(after?.site, before?.site, 'the site id is the same');
        const [check] = await again.query('PRAGMA integrity_check');
        equal(check?.integrity_check, 'ok', 'integrity check');
      } finally {
        await again.close();
      }
    },
  },
];

function equal(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

import * as SQLite from '@vlcn.io/wa-sqlite';
import type { SqlDatabase, SqlRow, SqlStatement, SqlValue } from '../sync/ports';

/// Pragmas that make CRR writes fast on these VFSs (see DESIGN.md: 63 s -> 5.8 s for
/// 10,000 single-row transactions). WAL is avoided: a WAL database could not be reopened
/// on the OPFS pool VFS.
const PRAGMAS = `
  PRAGMA locking_mode = exclusive;
  PRAGMA journal_mode = truncate;
  PRAGMA synchronous = normal;
  PRAGMA temp_store = memory;
`;

/// One queue per wa-sqlite module: its async wrappers keep results in shared scratch memory
/// across an await (prepare_v2 reads the statement pointer after awaiting the call), so two
/// databases of one module must not interleave calls either.
const moduleQueues = new WeakMap<SQLiteAPI, { tail: Promise<unknown> }>();

function serialOn<T>(sqlite3: SQLiteAPI, task: () => Promise<T>): Promise<T> {
  let queue = moduleQueues.get(sqlite3);
  if (!queue) moduleQueues.set(sqlite3, (queue = { tail: Promise.resolve() }));
  const run = queue.tail.then(task);
  queue.tail = run.catch(() => undefined);
  return run;
}

/// `SqlDatabase` over a wa-sqlite (cr-sqlite) connection. One code path for every place the
/// database lives: Node memory, Node file, browser OPFS. Calls are serialised, since the
/// wa-sqlite API is asynchronous and statements of two callers must never interleave.
export class WasmSqlDatabase implements SqlDatabase {
  private readonly statements = new Map<string, number>();
  private closed = false;

  private constructor(
    private readonly sqlite3: SQLiteAPI,
    private readonly module: WasmSqliteModule,
    private readonly db: number,
  ) {}

  /// Opens (creating if needed) `filename` on the VFS named `vfs` (the module's default
  /// when omitted) and applies the runtime's pragmas. `module` is the Emscripten module
  /// `sqlite3` was made from.
  static async open(sqlite3: SQLiteAPI, module: WasmSqliteModule, filename: string, vfs?: string): Promise<WasmSqlDatabase> {
    return serialOn(sqlite3, async () => {
      const flags = SQLite.SQLITE_OPEN_CREATE | SQLite.SQLITE_OPEN_READWRITE;
      const db = await sqlite3.open_v2(filename, flags, vfs);
      try {
        await sqlite3.exec(db, PRAGMAS);
        // Reading the schema forces SQLite to read page 1, so a file that is not a database
        // fails here, at open, rather than at the first query.
        await sqlite3.exec(db, 'SELECT count(*) FROM sqlite_master');
      } catch (error) {
        await sqlite3.close(db).catch(() => undefined);
        throw error;
      }
      return new WasmSqlDatabase(sqlite3, module, db);
    });
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.serial(() => this.run(sql, params));
  }

  transact(statements: readonly SqlStatement[]): Promise<SqlRow[][]> {
    return this.serial(async () => {
      await this.sqlite3.exec(this.db, 'BEGIN');
      try {
        const results: SqlRow[][] = [];
        for (const s of statements) results.push(await this.run(s.sql, s.params ?? []));
        await this.sqlite3.exec(this.db, 'COMMIT');
        return results;
      } catch (error) {
        await this.rollback();
        throw error;
      }
    });
  }

  execScript(sql: string): Promise<void> {
    return this.serial(async () => {
      await this.sqlite3.exec(this.db, 'BEGIN');
      try {
        await this.sqlite3.exec(this.db, sql);
        await this.sqlite3.exec(this.db, 'COMMIT');
      } catch (error) {
        await this.rollback();
        throw error;
      }
    });
  }

  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      for (const stmt of this.statements.values()) await this.sqlite3.finalize(stmt);
      this.statements.clear();
      // cr-sqlite asks for this right before closing, and only then.
      await this.sqlite3.exec(this.db, 'SELECT crsql_finalize()');
      await this.sqlite3.close(this.db);
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    return serialOn(this.sqlite3, () => {
      if (this.closed) throw new Error('the database is closed');
      return task();
    });
  }

  private async rollback(): Promise<void> {
    // A failed COMMIT or a constraint error may already have ended the transaction.
    if (!this.sqlite3.get_autocommit(this.db)) await this.sqlite3.exec(this.db, 'ROLLBACK');
  }

  private async run(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
    const stmt = await this.prepare(sql);
    try {
      const expected = this.sqlite3.bind_parameter_count(stmt);
      if (expected !== params.length) {
        throw new RangeError(`statement takes ${expected} parameters, got ${params.length}: ${sql}`);
      }
      params.forEach((value, i) => this.bind(stmt, i + 1, value));
      const rows: SqlRow[] = [];
      let columns: string[] | undefined;
      while ((await this.sqlite3.step(stmt)) === SQLite.SQLITE_ROW) {
        columns ??= this.sqlite3.column_names(stmt);
        const values = this.sqlite3.row(stmt);
        const row: Record<string, SqlValue> = {};
        columns.forEach((name, i) => (row[name] = values[i] as SqlValue));
        rows.push(row);
      }
      return rows;
    } finally {
      await this.sqlite3.reset(stmt).catch(() => undefined);
    }
  }

  private bind(stmt: number, index: number, value: SqlValue): void {
    // wa-sqlite binds integers beyond 32 bits as doubles; keep them integers.
    if (typeof value === 'number' && Number.isSafeInteger(value) && value !== (value | 0)) {
      this.sqlite3.bind_int64(stmt, index, BigInt(value));
    } else if (value instanceof Uint8Array && value.byteLength === 0) {
      // wa-sqlite copies blobs into sqlite3_malloc(length), which is NULL for length 0, and
      // SQLite binds a NULL pointer as NULL: an empty blob would become NULL.
      const ptr = this.module._sqlite3_malloc(1);
      const rc = this.module._sqlite3_bind_blob(stmt, index, ptr, 0, this.module._getSqliteFree());
      if (rc !== SQLite.SQLITE_OK) throw new Error(`binding an empty blob failed (${rc})`);
    } else {
      this.sqlite3.bind(stmt, index, value);
    }
  }

  /// Prepared statements are cached by their text: the runtime's hot paths run the same few.
  private async prepare(sql: string): Promise<number> {
    const cached = this.statements.get(sql);
    if (cached !== undefined) return cached;
    const str = this.sqlite3.str_new(this.db, sql);
    try {
      const prepared = await this.sqlite3.prepare_v2(this.db, this.sqlite3.str_value(str));
      if (!prepared) throw new RangeError(`no statement in: ${sql}`);
      if (this.statements.size >= MAX_CACHED_STATEMENTS) {
        const [oldSql, oldStmt] = this.statements.entries().next().value!;
        this.statements.delete(oldSql);
        await this.sqlite3.finalize(oldStmt);
      }
      this.statements.set(sql, prepared.stmt);
      return prepared.stmt;
    } finally {
      this.sqlite3.str_finish(str);
    }
  }
}

const MAX_CACHED_STATEMENTS = 200;

/// The parts of the Emscripten module of the wa-sqlite build that this adapter calls directly.
export interface WasmSqliteModule {
  _sqlite3_malloc(bytes: number): number;
  _sqlite3_bind_blob(stmt: number, index: number, ptr: number, length: number, destructor: number): number;
  _getSqliteFree(): number;
}

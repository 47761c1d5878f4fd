import type { CompiledSchema } from '../schema';
import { LAYOUT_VERSION, META, q } from './layout';
import type { SqlDatabase, SqlValue } from './ports';
import type { Replica } from './replica';
import { scopedPeerKey, type SyncScope } from './scope';

export type MergeErrorCode =
  /// SQLite reports the database damaged (a truncated file, say).
  | 'damaged'
  /// An SQLite database, but not a replica of this runtime.
  | 'not-a-replica'
  /// A replica of another schema, or of another storage layout.
  | 'schema-mismatch';

/// Why a database cannot be merged into a replica. Nothing has been merged when it is thrown.
export class MergeError extends Error {
  constructor(
    readonly code: MergeErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'MergeError';
  }
}

/// Checks, without writing to it, that `db` holds a replica of `schema` that
/// `Replica.open` will open as it is and `mergeReplica` can read: SQLite finds it
/// undamaged, and its storage layout and tables are this runtime's and this schema's.
export async function checkReplicaDatabase(db: SqlDatabase, schema: CompiledSchema): Promise<void> {
  let problems: string[];
  try {
    problems = (await db.query('PRAGMA quick_check')).map((row) => String(Object.values(row)[0]));
  } catch (error) {
    throw new MergeError('damaged', `the database cannot be read: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (problems.length !== 1 || problems[0] !== 'ok') {
    const detail = problems.filter((p) => !p.startsWith('***')).slice(0, 3);
    throw new MergeError('damaged', `the database is damaged (${detail.join('; ')})`);
  }

  const [hasMeta] = await db.query("SELECT 1 AS yes FROM sqlite_master WHERE type = 'table' AND name = ?", [META]);
  if (!hasMeta) throw new MergeError('not-a-replica', 'the database was not written by this sync runtime');
  const meta = new Map((await db.query(`SELECT key, value FROM ${META}`)).map((r) => [String(r.key), String(r.value)]));
  if (meta.get('layout_version') !== String(LAYOUT_VERSION)) {
    throw new MergeError('schema-mismatch', `the database uses storage layout ${meta.get('layout_version') ?? 'unknown'}, this runtime ${LAYOUT_VERSION}`);
  }
  const stored = [...meta.keys()].filter((key) => key.startsWith('table:')).map((key) => key.slice('table:'.length));
  for (const table of schema.tables) {
    const descriptor = meta.get(`table:${table.name}`);
    if (descriptor === undefined) throw new MergeError('schema-mismatch', `the database has no table ${table.name}`);
    if (descriptor !== JSON.stringify(table)) throw new MergeError('schema-mismatch', `the database's table ${table.name} differs from this schema's`);
  }
  const extra = stored.filter((name) => !schema.tables.some((t) => t.name === name));
  if (extra.length > 0) throw new MergeError('schema-mismatch', `the database has tables this schema does not: ${extra.join(', ')}`);
  try {
    await db.query('SELECT count(*) AS n FROM crsql_changes WHERE db_version > crsql_db_version()');
  } catch (error) {
    throw new MergeError('damaged', `the database's change log cannot be read: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

export interface MergeOptions {
  /// Changes per applied batch (each batch ends on a whole transaction of the source).
  readonly batchSize?: number;
  /// Local (not synced) tables whose rows are copied too, where the target lacks them
  /// (INSERT OR IGNORE, by the columns both have). A table the source lacks is passed over;
  /// one only the target lacks is created as the source declares it.
  readonly localTables?: readonly string[];
  /// Merge only what this scope shares (as a sync session with it would send).
  readonly scope?: SyncScope;
}

export interface MergeReport {
  /// Changes read from the source, and the batches they were applied in.
  readonly changes: number;
  readonly batches: number;
  /// Rows of the target's tables, and REALTIME_TEXT documents, that the merge changed.
  readonly rowsChanged: number;
  readonly docsChanged: number;
  /// Rows of local tables copied.
  readonly localRows: number;
}

/// Merges everything `source` holds into `target`, as if `source` were a peer that sent all
/// its changes: through `changesSince` and `applyChangeset`, so REALTIME_TEXT documents keep
/// the history they need to go on syncing, a change `target` has already is a no-op, and
/// merging the same source twice changes nothing the second time. Each batch is applied
/// atomically; should one fail, the batches before it stay merged (a merge of a part is
/// still a consistent state, and merging again completes it).
export async function mergeReplica(target: Replica, source: Replica, options: MergeOptions = {}): Promise<MergeReport> {
  if (source.schema.hash !== target.schema.hash) throw new MergeError('schema-mismatch', 'the two replicas have different schemas');
  let since = 0;
  let changes = 0;
  let batches = 0;
  const rows = new Set<string>();
  const docs = new Set<string>();
  for (;;) {
    const set = await source.changesSince(since, options.batchSize === undefined ? {} : { maxChanges: options.batchSize });
    if (set.changes.length === 0) break;
    since = set.upTo;
    const shared = options.scope ? await options.scope.filterOutgoing(set.changes) : set.changes;
    if (shared.length === 0) continue;
    // What the target records having received from the source is kept apart per scope, as a
    // scoped sync session keeps it: a part merged is not the whole.
    const event = await target.applyChangeset({ ...set, changes: shared }, options.scope ? { peerKey: scopedPeerKey(source.siteBytes, options.scope) } : {});
    changes += shared.length;
    batches++;
    for (const row of event.rows) rows.add(JSON.stringify([row.table, row.pk]));
    for (const doc of event.docs) docs.add(JSON.stringify([doc.table, doc.column, doc.pk]));
  }
  let localRows = 0;
  for (const table of options.localTables ?? []) localRows += await copyLocalRows(target, source, table);
  return { changes, batches, rowsChanged: rows.size, docsChanged: docs.size, localRows };
}

/// Bound parameters per statement: SQLite's limit is 32,766.
const MAX_PARAMS = 30_000;

async function copyLocalRows(target: Replica, source: Replica, table: string): Promise<number> {
  const [declared] = await source.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]);
  if (!declared) return 0;
  const [present] = await target.query("SELECT 1 AS yes FROM sqlite_master WHERE type = 'table' AND name = ?", [table]);
  if (!present) await target.transact([{ sql: String(declared.sql) }]);
  const columnsOf = async (r: Replica) => (await r.query('SELECT name FROM pragma_table_info(?)', [table])).map((c) => String(c.name));
  const targetColumns = new Set(await columnsOf(target));
  const columns = (await columnsOf(source)).filter((c) => targetColumns.has(c));
  if (columns.length === 0) return 0;
  const list = columns.map(q).join(', ');
  const rows = await source.query(`SELECT ${list} FROM ${q(table)}`);
  const before = await target.query(`SELECT count(*) AS n FROM ${q(table)}`);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const statements = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    statements.push({
      sql: `INSERT OR IGNORE INTO ${q(table)} (${list}) VALUES ${chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`,
      params: chunk.flatMap((row) => columns.map((c) => row[c] as SqlValue)),
    });
  }
  if (statements.length > 0) await target.transact(statements);
  const after = await target.query(`SELECT count(*) AS n FROM ${q(table)}`);
  return Number(after[0]!.n) - Number(before[0]!.n);
}

import type { CompiledSchema, TableDescriptor } from '../schema';
import { type Change, type Changeset, MAX_CHANGES_PER_SET } from './changeset';
import { EphemeralStore, type EphemeralOptions } from './ephemeral';
import { SyncError } from './errors';
import { LAYOUT_VERSION, META, PEERS, physical, q, RUNTIME_DDL, syncedTables, tableDdl, TEXT_SLOTS } from './layout';
import { systemClock, timerScheduler, type Clock, type Scheduler, type SqlDatabase, type SqlRow, type SqlStatement, type SqlValue } from './ports';
import { defaultTextOptions, RealtimeTextStore, type RealtimeTextOptions } from './realtime-text';
import { docKey, parseDocKey, toHex, type DocRef, type RowRef, type SiteId } from './refs';
import { unpackColumns } from './packed-key';
import { validateSlot } from './text-slots';
import { WriteQueue } from './write-queue';

export interface RowChange extends RowRef {
  /// The row no longer exists.
  readonly deleted: boolean;
}

/// What changed in one committed transaction, and whether this replica or a peer made it.
export interface ChangeEvent {
  readonly origin: 'local' | 'remote';
  readonly rows: readonly RowChange[];
  /// REALTIME_TEXT documents whose content (and readable text) changed.
  readonly docs: readonly DocRef[];
}

export interface PeerProgress {
  /// Our db_version up to which the peer has confirmed our changes.
  readonly sentUpTo: number;
  /// The peer's db_version up to which we have applied its changes.
  readonly receivedUpTo: number;
}

/// What one change is about (see `subjectsOf`). `column` is null for a row's existence
/// (created, or `deleted`).
export type ChangeSubject =
  | { readonly kind: 'row'; readonly table: string; readonly pk: readonly SqlValue[]; readonly column: string | null; readonly value: SqlValue; readonly deleted: boolean }
  | { readonly kind: 'text'; readonly doc: DocRef }
  | { readonly kind: 'unknown' };

export interface SearchHit {
  readonly pk: readonly SqlValue[];
  /// A window of the matching text; `highlights` are [start, end) offsets of matches in it.
  readonly snippet: string;
  readonly highlights: readonly (readonly [number, number])[];
  /// The columns asked for with `SearchOptions.columns`.
  readonly row: SqlRow;
}

export interface SearchOptions {
  readonly limit?: number;
  /// Columns of the matching row to return with each hit (one query, not one per list).
  readonly columns?: readonly string[];
  /// REALTIME_TEXT columns among `columns` are cut to this many characters.
  readonly textPrefix?: number;
  /// Hits in the order of these columns of the row (primary key or LWW), instead of best
  /// match first. With a local index on the table in this order (after the `where`
  /// columns), a word found in most rows reads about `limit` rows, not every match.
  readonly orderBy?: readonly SearchOrder[];
  /// Only rows whose columns (primary key or LWW) hold these values; null means IS NULL.
  readonly where?: Readonly<Record<string, SqlValue>>;
}

export interface SearchOrder {
  readonly column: string;
  readonly descending?: boolean;
}

/// A query that matches at least this many rows is "common": its ordered hits are found by
/// walking the rows in order (an index) and keeping the matching ones, which stops after
/// about limit x rows / matches rows; a rarer one sorts its matches. The two cost the same
/// near sqrt(limit x rows), about a thousand for 50 hits among 10,000 to 100,000 rows.
const COMMON_MATCHES = 1000;

export interface ReplicaOptions {
  readonly db: SqlDatabase;
  readonly schema: CompiledSchema;
  readonly clock?: Clock;
  readonly scheduler?: Scheduler;
  /// Uniform in [0, 1): Yjs client ids and the presence session id. Seeded in simulations.
  readonly random?: () => number;
  readonly text?: Partial<RealtimeTextOptions>;
  readonly ephemeral?: Partial<EphemeralOptions>;
  /// Which writer of this database this replica is (0-255). Replicas that share one
  /// database at the same time (tabs of one browser profile) need different writers, since
  /// REALTIME_TEXT slots are owned per writer; a writer number must not be used by two at
  /// once (the app leases them with Web Locks). Defaults to 0.
  readonly writer?: number;
}

type Listener = (event: ChangeEvent) => void;

/// One replica of a synced schema over one cr-sqlite database: local reads and writes, the
/// change feed for peers, REALTIME_TEXT documents and EPHEMERAL presence.
export class Replica {
  readonly texts: RealtimeTextStore;
  /// The replica's time (injected for tests).
  readonly clock: Clock;
  readonly ephemeral: EphemeralStore;
  private readonly queue = new WriteQueue();
  private readonly listeners = new Set<Listener>();
  private readonly synced: Map<string, Set<string>>;
  private readonly userTableOf = new Map<string, TableDescriptor>();
  private closed = false;
  /// The db_version up to which catchUp() has looked.
  private seenVersion = 0;

  private constructor(
    private readonly db: SqlDatabase,
    readonly schema: CompiledSchema,
    /// This replica's cr-sqlite site id.
    readonly siteBytes: Uint8Array,
    options: ReplicaOptions,
  ) {
    const clock = (this.clock = options.clock ?? systemClock);
    const random = options.random ?? Math.random;
    this.synced = syncedTables(schema);
    for (const t of schema.tables) this.userTableOf.set(physical.crr(t.name), t);
    const writer = options.writer ?? 0;
    if (!Number.isInteger(writer) || writer < 0 || writer > 255) throw new RangeError('writer must be 0-255');
    const owner = new Uint8Array(siteBytes.byteLength + 1);
    owner.set(siteBytes);
    owner[siteBytes.byteLength] = writer;
    this.texts = new RealtimeTextStore(
      db,
      this.queue,
      owner,
      options.scheduler ?? timerScheduler(),
      clock,
      () => Math.floor(random() * 0xffffffff) >>> 0,
      (table) => this.table(table).primaryKey,
      { ...defaultTextOptions, ...options.text },
    );
    this.texts.onTextChanged((docs, origin) => this.emit({ origin, rows: [], docs }));
    const session = Math.floor(random() * 2 ** 48).toString(36);
    this.ephemeral = new EphemeralStore(schema, clock, this.site, session, {
      ttlMs: 30_000,
      maxEntriesPerPeer: 256,
      ...options.ephemeral,
    });
  }

  /// Opens a replica, creating the schema's tables on first use.
  static async open(options: ReplicaOptions): Promise<Replica> {
    const { db, schema } = options;
    await db.execScript(RUNTIME_DDL);
    const meta = new Map((await db.query(`SELECT key, value FROM ${META}`)).map((r) => [r.key as string, r.value as string]));
    const storedLayout = meta.get('layout_version');
    if (storedLayout !== undefined && Number(storedLayout) !== LAYOUT_VERSION) {
      throw new SyncError('schema-mismatch', `the database uses storage layout ${storedLayout}, this runtime ${LAYOUT_VERSION}`);
    }
    // Written only when something changed: a write at every start costs a commit (~10 ms
    // on OPFS) before the first screen.
    const statements: SqlStatement[] = [];
    if (storedLayout === undefined) statements.push({ sql: `INSERT INTO ${META} (key, value) VALUES ('layout_version', ?)`, params: [String(LAYOUT_VERSION)] });
    for (const table of schema.tables) {
      const descriptor = JSON.stringify(table);
      const stored = meta.get(`table:${table.name}`);
      if (stored === undefined) {
        await db.execScript(tableDdl(table));
        statements.push({ sql: `INSERT INTO ${META} (key, value) VALUES (?, ?)`, params: [`table:${table.name}`, descriptor] });
      } else if (stored !== descriptor) {
        throw new SyncError('schema-mismatch', `table ${table.name} differs from the one stored in this database; schema migration is not supported yet`);
      }
    }
    if (meta.get('schema_hash') !== schema.hash) statements.push({ sql: `INSERT OR REPLACE INTO ${META} (key, value) VALUES ('schema_hash', ?)`, params: [schema.hash] });
    if (statements.length > 0) await db.transact(statements);
    const [site] = await db.query('SELECT crsql_site_id() AS site, crsql_db_version() AS version');
    const replica = new Replica(db, schema, site!.site as Uint8Array, options);
    replica.seenVersion = Number(site!.version);
    return replica;
  }

  /// The cr-sqlite table that stores a user table's synced columns (the user's table is a
  /// view over it). Apps that keep local indexes of synced rows hang triggers on it.
  storedTableOf(table: string): string {
    return physical.crr(this.table(table).name);
  }

  get site(): SiteId {
    return toHex(this.siteBytes) as SiteId;
  }

  /// Reads. The user's tables are views, so `SELECT * FROM notes` shows readable text.
  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.db.query(sql, params);
  }

  /// Local writes in one transaction; subscribers hear of them as 'local'.
  transact(statements: readonly SqlStatement[]): Promise<SqlRow[][]> {
    this.assertOpen();
    return this.queue.run(async () => {
      const before = await this.dbVersion();
      const results = await this.db.transact(statements);
      const effective = await this.changesAfter(before);
      this.noteSeen(before, effective);
      if (effective.length > 0) this.emit({ origin: 'local', ...(await this.describe(effective)) });
      return results;
    });
  }

  execute(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.transact([{ sql, params }]).then((r) => r[0]!);
  }

  async dbVersion(): Promise<number> {
    const [row] = await this.db.query('SELECT crsql_db_version() AS v');
    return Number(row!.v);
  }

  /// Changes after `since` for a peer, in a batch that ends on a whole db_version.
  /// Changes that originated at `excludeSite` (the peer itself) are left out.
  async changesSince(since: number, options: { excludeSite?: Uint8Array; maxChanges?: number } = {}): Promise<Changeset> {
    const max = Math.min(options.maxChanges ?? 5000, MAX_CHANGES_PER_SET);
    const [cut] = await this.db.query(
      'SELECT db_version FROM crsql_changes WHERE db_version > ? ORDER BY db_version, seq LIMIT 1 OFFSET ?',
      [since, max - 1],
    );
    const upTo = cut ? Number(cut.db_version) : await this.dbVersion();
    const exclude = options.excludeSite ? ' AND site_id IS NOT ?' : '';
    const rows = await this.db.query(
      `SELECT "table", pk, cid, val, col_version, db_version, site_id, cl, seq FROM crsql_changes
       WHERE db_version > ? AND db_version <= ?${exclude} ORDER BY db_version, seq`,
      options.excludeSite ? [since, upTo, options.excludeSite] : [since, upTo],
    );
    return {
      schemaHash: this.schema.hash,
      schemaRevision: this.schema.revision,
      fromSite: this.siteBytes,
      since,
      upTo,
      changes: rows.map(toChange),
    };
  }

  /// Applies a peer's changeset atomically. Input that fails validation is refused with a
  /// `SyncError` and changes nothing.
  /// `peerKey` names the record of what the sender has given us (its site by default; a
  /// scoped session keys it by site and scope).
  /// The result's `dbVersions` are the local versions the merge was written under: the sender
  /// has everything in them, so a session need not send them back.
  async applyChangeset(set: Changeset, options: { peerKey?: Uint8Array } = {}): Promise<ChangeEvent & { readonly dbVersions: readonly number[] }> {
    this.assertOpen();
    this.validate(set);
    return this.queue.run(async () => {
      const before = await this.dbVersion();
      const statements: SqlStatement[] = [];
      for (let i = 0; i < set.changes.length; i += APPLY_CHUNK) {
        const chunk = set.changes.slice(i, i + APPLY_CHUNK);
        statements.push({
          sql: `INSERT INTO crsql_changes ("table", pk, cid, val, col_version, db_version, site_id, cl, seq) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
          params: chunk.flatMap((c) => [c.table, c.pk, c.cid, c.val, c.colVersion, c.dbVersion, c.siteId, c.cl, c.seq]),
        });
      }
      statements.push({
        sql: `INSERT INTO ${PEERS} (site, received_up_to) VALUES (?, ?)
              ON CONFLICT (site) DO UPDATE SET received_up_to = max(received_up_to, excluded.received_up_to)`,
        params: [options.peerKey ?? set.fromSite, set.upTo],
      });
      try {
        await this.db.transact(statements);
      } catch (error) {
        throw new SyncError('apply-failed', error instanceof Error ? error.message : String(error), error);
      }
      const effective = await this.changesAfter(before);
      this.noteSeen(before, effective);
      const event: ChangeEvent = { origin: 'remote', ...(await this.describe(effective)) };
      const slots = effective.filter((c) => c.table === TEXT_SLOTS && c.cid === 'data');
      if (event.docs.length > 0) {
        const refs = new Map(event.docs.map((d) => [docKey(d), d] as const));
        await this.texts.afterRemoteSlots(await this.slotData(slots), refs);
      }
      if (event.rows.length > 0 || event.docs.length > 0) this.emit(event);
      return { ...event, dbVersions: [...new Set(effective.map((c) => c.dbVersion))] };
    });
  }

  /// Takes in what other writers of the same database (other tabs) committed since this
  /// replica last looked: their text slots reach open documents, and subscribers hear of
  /// every row and document touched, as 'remote'.
  catchUp(): Promise<ChangeEvent> {
    this.assertOpen();
    return this.queue.run(async () => {
      const effective = await this.changesAfter(this.seenVersion);
      this.noteSeen(this.seenVersion, effective);
      const event: ChangeEvent = { origin: 'remote', ...(await this.describe(effective)) };
      if (event.docs.length > 0) {
        const slots = effective.filter((c) => c.table === TEXT_SLOTS && c.cid === 'data');
        await this.texts.afterRemoteSlots(await this.slotData(slots), new Map(event.docs.map((d) => [docKey(d), d] as const)));
      }
      if (event.rows.length > 0 || event.docs.length > 0) this.emit(event);
      return event;
    });
  }

  /// What a peer (by site, or by the peer key of a scoped session) has of ours and we of its.
  async peerProgress(peerKey: Uint8Array): Promise<PeerProgress> {
    const [row] = await this.db.query(`SELECT sent_up_to, received_up_to FROM ${PEERS} WHERE site = ?`, [peerKey]);
    return { sentUpTo: Number(row?.sent_up_to ?? 0), receivedUpTo: Number(row?.received_up_to ?? 0) };
  }

  /// Records that a peer confirmed our changes up to `upTo`.
  recordSent(peerKey: Uint8Array, upTo: number): Promise<void> {
    return this.queue.run(async () => {
      await this.db.transact([
        {
          sql: `INSERT INTO ${PEERS} (site, sent_up_to) VALUES (?, ?)
                ON CONFLICT (site) DO UPDATE SET sent_up_to = max(sent_up_to, excluded.sent_up_to)`,
          params: [peerKey, upTo],
        },
      ]);
    });
  }

  /// Full-text search over a table's REALTIME_TEXT columns, best matches first (or in the
  /// order of `options.orderBy`). The query is taken as words (the last one a prefix),
  /// never as FTS5 syntax.
  async search(table: string, text: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const descriptor = this.table(table);
    const { limit = 50, columns = [], textPrefix, orderBy, where = {} } = options;
    const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
    if (words.length === 0) return [];
    const match = words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
    const pk = descriptor.primaryKey.map(q);
    const fts = q(physical.fts(table));
    // CROSS JOIN keeps this order: the matches drive. Left free, the planner may walk an
    // index in the asked order and seek FTS5 for each row, a thousand times slower.
    const sameRow = pk.map((col) => `c.${col} = t.${col}`).join(' AND ');
    const from = `${fts} CROSS JOIN ${q(physical.text(table))} AS t ON t.rowid_ = ${fts}.rowid CROSS JOIN ${q(physical.crr(table))} AS c ON ${sameRow}`;
    // Columns of the row that orderBy and where may name: stored ones, not text.
    const stored = (name: string, use: string): string => {
      const column = descriptor.columns.find((c) => c.name === name);
      if (!column || column.sync === 'ephemeral' || column.sync === 'realtime-text') throw new SyncError('unknown-column', `${table}.${name} cannot be used to ${use} search hits`);
      return `c.${q(name)}`;
    };
    // Parameters: ?1 the MATCH expression, ?2 the limit, then the where values.
    const filterSql = Object.keys(where).map((name, i) => ` AND ${stored(name, 'filter')} IS ?${3 + i}`).join('');
    const params = [match, limit, ...Object.values(where)];
    const order = orderBy?.map((o) => `${stored(o.column, 'order')} ${o.descending ? 'DESC' : 'ASC'}`).join(', ');
    const extra = columns.map((name, i) => {
      const column = descriptor.columns.find((c) => c.name === name);
      if (!column || column.sync === 'ephemeral') throw new SyncError('unknown-column', `${table}.${name} cannot be returned by search`);
      if (column.primaryKey) return `t.${q(name)} AS x${i}`;
      if (column.sync === 'lww') return `c.${q(name)} AS x${i}`;
      return textPrefix === undefined ? `t.${q(name)} AS x${i}` : `substr(t.${q(name)}, 1, ${Math.max(0, Math.floor(textPrefix))}) AS x${i}`;
    });
    const select = `SELECT ${[...pk.map((c) => `t.${c}`), ...extra].join(', ')}, snippet(${fts}, -1, char(2), char(3), '…', 16) AS snippet FROM ${from}`;

    let sql: string;
    if (order === undefined) {
      // FTS5 sorts by rank itself and stops at the limit, so snippets are made for the hits only.
      sql = `${select} WHERE ${fts} MATCH ?1${filterSql} ORDER BY rank LIMIT ?2`;
    } else {
      // One statement (one trip to the storage worker): the rowids of the hits in order, by
      // whichever of the two ways suits the word (the other one's LIMIT is 0, so it never
      // runs), then snippets and columns for those rows alone. The unary + keeps FTS5 from
      // seeking each rowid: one pass over the matches instead.
      const common = `(SELECT count(*) FROM (SELECT 1 FROM ${fts} WHERE ${fts} MATCH ?1 LIMIT ${COMMON_MATCHES})) >= ${COMMON_MATCHES}`;
      const walk = `SELECT t.rowid_ FROM ${q(physical.crr(table))} AS c CROSS JOIN ${q(physical.text(table))} AS t ON ${sameRow}
        WHERE true${filterSql} AND +t.rowid_ IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ?1) ORDER BY ${order} LIMIT CASE WHEN ${common} THEN ?2 ELSE 0 END`;
      const sort = `SELECT t.rowid_ FROM ${from} WHERE ${fts} MATCH ?1${filterSql} ORDER BY ${order} LIMIT CASE WHEN ${common} THEN 0 ELSE ?2 END`;
      sql = `${select} WHERE ${fts} MATCH ?1 AND +${fts}.rowid IN (SELECT rowid_ FROM (${walk}) UNION ALL SELECT rowid_ FROM (${sort})) ORDER BY ${order}`;
    }
    const rows = await this.db.query(sql, params);
    return rows.map((row) => ({
      pk: descriptor.primaryKey.map((c) => row[c]!),
      ...parseSnippet(String(row.snippet)),
      row: Object.fromEntries(columns.map((name, i) => [name, row[`x${i}`] ?? null])),
    }));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /// Writes every pending REALTIME_TEXT edit and readable text now.
  async flush(): Promise<void> {
    await this.texts.flushAll();
    await this.queue.idle();
  }

  /// Resolves when every write queued so far (flushes included) has finished.
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.texts.close();
    await this.queue.idle();
    this.closed = true;
    this.listeners.clear();
    await this.db.close();
  }

  private table(name: string): TableDescriptor {
    const t = this.schema.tables.find((d) => d.name === name);
    if (!t) throw new SyncError('unknown-table', `no table ${name} in the schema`);
    return t;
  }

  private validate(set: Changeset): void {
    if (set.schemaHash !== this.schema.hash) {
      const older =
        set.schemaRevision < this.schema.revision ? 'the peer is older' : set.schemaRevision > this.schema.revision ? 'this replica is older' : 'same revision, different schema';
      throw new SyncError('schema-mismatch', `peer schema revision ${set.schemaRevision}, ours ${this.schema.revision}: ${older}`);
    }
    if (set.changes.length > MAX_CHANGES_PER_SET) throw new SyncError('oversized', `${set.changes.length} changes`);
    for (const c of set.changes) {
      const columns = this.synced.get(c.table);
      if (!columns) throw new SyncError('unknown-table', `a change for table ${JSON.stringify(c.table)}`);
      if (c.cid !== '-1' && !columns.has(c.cid)) throw new SyncError('unknown-column', `a change for ${c.table}.${c.cid}`);
      if (!(c.pk instanceof Uint8Array) || c.pk.byteLength === 0) throw new SyncError('malformed', 'a change without a primary key');
      if (!(c.siteId instanceof Uint8Array) || c.siteId.byteLength !== 16) throw new SyncError('malformed', 'a change without a 16-byte site id');
      for (const n of [c.colVersion, c.dbVersion, c.cl, c.seq]) {
        if (!Number.isSafeInteger(n) || n < 0) throw new SyncError('malformed', 'a change with a bad version number');
      }
      if (c.table === TEXT_SLOTS && c.cid === 'data') {
        if (!(c.val instanceof Uint8Array)) throw new SyncError('invalid-text-update', 'a text slot that is not bytes');
        const problem = validateSlot(c.val);
        if (problem) throw new SyncError('invalid-text-update', problem);
      }
    }
  }

  private async changesAfter(dbVersion: number): Promise<Change[]> {
    const rows = await this.db.query(
      'SELECT "table", pk, cid, val, col_version, db_version, site_id, cl, seq FROM crsql_changes WHERE db_version > ?',
      [dbVersion],
    );
    return rows.map(toChange);
  }

  /// What each change is about, in the schema's terms: a user table's row (and column, with
  /// the value it sets), or a REALTIME_TEXT document. A sync scope decides from these which
  /// changes a peer may see and make.
  async subjectsOf(changes: readonly Change[]): Promise<ChangeSubject[]> {
    const keys = new Map<string, SqlValue[]>();
    const unpacked = async (pk: Uint8Array) => {
      const hex = toHex(pk);
      let cells = keys.get(hex);
      if (!cells) keys.set(hex, (cells = await this.unpack(pk)));
      return cells;
    };
    const subjects: ChangeSubject[] = [];
    for (const c of changes) {
      if (c.table === TEXT_SLOTS) {
        const [doc] = await unpacked(c.pk);
        const ref = typeof doc === 'string' ? parseDocKey(doc) : null;
        subjects.push(ref ? { kind: 'text', doc: ref } : { kind: 'unknown' });
        continue;
      }
      const table = this.userTableOf.get(c.table);
      if (!table) {
        subjects.push({ kind: 'unknown' });
        continue;
      }
      const sentinel = c.cid === '-1';
      subjects.push({ kind: 'row', table: table.name, pk: await unpacked(c.pk), column: sentinel ? null : c.cid, value: sentinel ? null : c.val, deleted: sentinel && c.cl % 2 === 0 });
    }
    return subjects;
  }

  /// Turns raw changes into the rows and documents they touch.
  private async describe(changes: readonly Change[]): Promise<{ rows: RowChange[]; docs: DocRef[] }> {
    const rows = new Map<string, RowChange>();
    const docs = new Map<string, DocRef>();
    for (const c of changes) {
      const key = `${c.table}\u0000${toHex(c.pk)}`;
      if (c.table === TEXT_SLOTS) {
        if (docs.has(key)) continue;
        const [doc] = await this.unpack(c.pk);
        const ref = typeof doc === 'string' ? parseDocKey(doc) : null;
        if (ref && this.schema.tables.some((t) => t.name === ref.table)) docs.set(doc as string, ref);
        continue;
      }
      const table = this.userTableOf.get(c.table);
      if (!table) continue;
      const deleted = c.cid === '-1' && c.cl % 2 === 0;
      const known = rows.get(key);
      if (known && !deleted) continue;
      rows.set(key, { table: table.name, pk: known?.pk ?? (await this.unpack(c.pk)), deleted });
    }
    return { rows: [...rows.values()], docs: [...docs.values()] };
  }

  /// Changes this replica made or merged itself need no catching up with, unless another
  /// writer committed before them that catchUp() has not looked at yet.
  private noteSeen(before: number, changes: readonly Change[]): void {
    if (before > this.seenVersion) return;
    for (const c of changes) if (c.dbVersion > this.seenVersion) this.seenVersion = c.dbVersion;
  }

  private async slotData(slots: readonly Change[]): Promise<{ doc: string; owner: Uint8Array; data: Uint8Array }[]> {
    return Promise.all(
      slots.map(async (c) => {
        const [doc, owner] = await this.unpack(c.pk);
        return { doc: doc as string, owner: owner as Uint8Array, data: c.val as Uint8Array };
      }),
    );
  }

  private async unpack(pk: Uint8Array): Promise<SqlValue[]> {
    const decoded = unpackColumns(pk);
    if (decoded) return decoded;
    const cells = await this.db.query('SELECT cell FROM crsql_unpack_columns(?)', [pk]);
    return cells.map((r) => r.cell!);
  }

  private emit(event: ChangeEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private assertOpen(): void {
    if (this.closed) throw new SyncError('closed', 'the replica is closed');
  }
}

const APPLY_CHUNK = 500;

function toChange(r: SqlRow): Change {
  return {
    table: r.table as string,
    pk: r.pk as Uint8Array,
    cid: r.cid as string,
    val: r.val ?? null,
    colVersion: Number(r.col_version),
    dbVersion: Number(r.db_version),
    siteId: r.site_id as Uint8Array,
    cl: Number(r.cl),
    seq: Number(r.seq),
  };
}

function parseSnippet(raw: string): { snippet: string; highlights: [number, number][] } {
  let snippet = '';
  const highlights: [number, number][] = [];
  let start = -1;
  for (const ch of raw) {
    if (ch === '\u0002') start = snippet.length;
    else if (ch === '\u0003' && start >= 0) {
      highlights.push([start, snippet.length]);
      start = -1;
    } else snippet += ch;
  }
  return { snippet, highlights };
}

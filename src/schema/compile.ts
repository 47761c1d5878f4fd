import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Affinity, ColumnDescriptor, CompiledSchema, SyncKind, TableDescriptor } from './descriptors';
import { SchemaError } from './errors';
import { parseCreateTables, type ParsedColumn, type ParsedTable } from './parse';
import { SqlSyntaxError } from './tokens';

/// Declared types that carry sync semantics, and the storage type each maps to.
const SYNC_TYPES: Readonly<Record<string, { sync: SyncKind; storage: Affinity }>> = {
  REALTIME_TEXT: { sync: 'realtime-text', storage: 'TEXT' },
  LWW_INTEGER: { sync: 'lww', storage: 'INTEGER' },
  LWW_TEXT: { sync: 'lww', storage: 'TEXT' },
  LWW_REAL: { sync: 'lww', storage: 'REAL' },
  LWW_BLOB: { sync: 'lww', storage: 'BLOB' },
  EPHEMERAL_INTEGER: { sync: 'ephemeral', storage: 'INTEGER' },
  EPHEMERAL_TEXT: { sync: 'ephemeral', storage: 'TEXT' },
};
const SYNC_PREFIXES = ['REALTIME_', 'LWW_', 'EPHEMERAL_'];
const STRICT_TYPES = new Set(['INT', 'INTEGER', 'REAL', 'TEXT', 'BLOB', 'ANY']);

export interface CompileOptions {
  /// See `CompiledSchema.revision`. Defaults to 1.
  readonly revision?: number;
}

/// Compiles `CREATE TABLE` statements whose column types declare sync behaviour into
/// frozen descriptors. Throws `SchemaError` for anything the runtime cannot sync.
export function compileSyncSchema(sql: string, options: CompileOptions = {}): CompiledSchema {
  let parsed: ParsedTable[];
  try {
    parsed = parseCreateTables(sql);
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw new SchemaError('syntax', null, null, error.message);
    throw error;
  }
  if (parsed.length === 0) throw new SchemaError('no-tables', null, null, 'the schema declares no table');

  const seen = new Set<string>();
  const tables = parsed.map((table) => {
    const key = table.name.toLowerCase();
    if (seen.has(key)) throw new SchemaError('duplicate-table', table.name, null, 'declared twice');
    seen.add(key);
    return compileTable(table);
  });
  const revision = options.revision ?? 1;
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new RangeError('schema revision must be a non-negative integer');
  }
  const hash = bytesToHex(sha256(utf8ToBytes(JSON.stringify({ revision, tables }))));
  return deepFreeze({ tables, hash, revision });
}

function compileTable(table: ParsedTable): TableDescriptor {
  const t = table.name;
  if (isReservedName(t)) {
    throw new SchemaError('reserved-name', t, null, 'names starting with sync_ or crsql_, or containing __, are reserved for the runtime');
  }
  if (table.temporary) throw new SchemaError('temporary-table', t, null, 'a TEMP table cannot sync');
  if (table.tableUnique) throw new SchemaError('unique', t, null, 'UNIQUE constraints cannot be kept across replicas (cr-sqlite refuses them)');
  if (table.tableForeignKey) throw new SchemaError('foreign-key', t, null, 'FOREIGN KEY constraints cannot be kept across replicas (cr-sqlite refuses them)');

  const names = new Set<string>();
  for (const c of table.columns) {
    if (names.has(c.name.toLowerCase())) throw new SchemaError('duplicate-column', t, c.name, 'declared twice');
    if (c.name.includes('__')) throw new SchemaError('reserved-name', t, c.name, 'column names containing __ are reserved for the runtime');
    names.add(c.name.toLowerCase());
  }

  const inlinePk = table.columns.filter((c) => c.primaryKey).map((c) => c.name);
  if (inlinePk.length > 1 || (inlinePk.length > 0 && table.tablePrimaryKey)) {
    throw new SchemaError('syntax', t, null, 'more than one PRIMARY KEY');
  }
  const primaryKey = table.tablePrimaryKey ?? inlinePk;
  if (primaryKey.length === 0) {
    throw new SchemaError('no-primary-key', t, null, 'a synced table needs a PRIMARY KEY so replicas can name its rows');
  }
  for (const pk of primaryKey) {
    if (!names.has(pk.toLowerCase())) throw new SchemaError('no-primary-key', t, pk, 'PRIMARY KEY names a column the table does not have');
  }
  const pkSet = new Set(primaryKey.map((n) => n.toLowerCase()));

  const columns = table.columns.map((c) => compileColumn(table, c, pkSet.has(c.name.toLowerCase())));
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  return {
    name: t,
    columns,
    primaryKey: primaryKey.map((n) => byName.get(n.toLowerCase())!.name),
    withoutRowid: table.withoutRowid,
    checks: table.tableChecks,
  };
}

function compileColumn(table: ParsedTable, c: ParsedColumn, primaryKey: boolean): ColumnDescriptor {
  const t = table.name;
  const type = c.declaredType.toUpperCase();
  const declared = SYNC_TYPES[type];
  if (!declared && SYNC_PREFIXES.some((p) => type.startsWith(p))) {
    throw new SchemaError('unknown-sync-type', t, c.name, `unknown sync type ${c.declaredType}; known: ${Object.keys(SYNC_TYPES).join(', ')}`);
  }
  if (table.strict && !STRICT_TYPES.has(type)) {
    throw new SchemaError('strict-custom-type', t, c.name, `STRICT tables accept only INT, INTEGER, REAL, TEXT, BLOB and ANY, not ${c.declaredType || 'a missing type'}`);
  }
  const sync = declared?.sync ?? 'lww';
  const storageType = declared?.storage ?? affinityOf(type);

  if (primaryKey && sync !== 'lww') {
    throw new SchemaError('primary-key-sync-type', t, c.name, `a ${c.declaredType} column cannot be the primary key: keys must be plain stored values`);
  }
  if (c.autoincrement) throw new SchemaError('autoincrement', t, c.name, 'AUTOINCREMENT cannot be coordinated across replicas (cr-sqlite refuses it); use random ids');
  if (c.unique) throw new SchemaError('unique', t, c.name, 'UNIQUE cannot be kept across replicas (cr-sqlite refuses it)');
  if (c.references) throw new SchemaError('foreign-key', t, c.name, 'REFERENCES cannot be kept across replicas (cr-sqlite refuses it)');
  if (c.generated) throw new SchemaError('generated-column', t, c.name, 'generated columns cannot sync');
  if (sync !== 'lww' && (c.notNull || c.defaultSql !== null || c.checks.length > 0 || c.collate !== null)) {
    throw new SchemaError('constraint-on-unstored-column', t, c.name, `${c.declaredType} columns take no constraints: their values are not stored in the row`);
  }
  if (c.notNull && c.defaultSql === null && !primaryKey) {
    throw new SchemaError('not-null-without-default', t, c.name, 'NOT NULL needs a DEFAULT: a replica may see a column change before the row it belongs to');
  }
  return {
    name: c.name,
    sync,
    declaredType: c.declaredType,
    storageType,
    primaryKey,
    // cr-sqlite needs every key column NOT NULL, even where the user wrote `id TEXT PRIMARY KEY`.
    notNull: primaryKey || c.notNull,
    defaultSql: c.defaultSql,
    collate: c.collate,
    checks: c.checks,
  };
}

/// SQLite's affinity rules, in their documented order.
function affinityOf(type: string): Affinity {
  if (type.includes('INT')) return 'INTEGER';
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'TEXT';
  if (type === '' || type.includes('BLOB')) return 'BLOB';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

function isReservedName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('sync_') || lower.startsWith('crsql_') || lower.startsWith('sqlite_') || lower.includes('__');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

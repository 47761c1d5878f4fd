/// How a column's value travels between replicas.
export type SyncKind = 'lww' | 'realtime-text' | 'ephemeral';

/// SQLite storage affinity of a column (https://sqlite.org/datatype3.html#affinity).
export type Affinity = 'INTEGER' | 'TEXT' | 'REAL' | 'BLOB' | 'NUMERIC';

export interface ColumnDescriptor {
  readonly name: string;
  readonly sync: SyncKind;
  /// The type as the user declared it, e.g. `LWW_INTEGER` or `VARCHAR`.
  readonly declaredType: string;
  /// The plain SQL type used for storage, e.g. `INTEGER`.
  readonly storageType: Affinity;
  readonly primaryKey: boolean;
  readonly notNull: boolean;
  readonly defaultSql: string | null;
  readonly collate: string | null;
  readonly checks: readonly string[];
}

export interface TableDescriptor {
  readonly name: string;
  readonly columns: readonly ColumnDescriptor[];
  /// Primary key column names in key order.
  readonly primaryKey: readonly string[];
  readonly withoutRowid: boolean;
  /// Checks declared at table level; they see only stored (LWW) columns.
  readonly checks: readonly string[];
}

export interface CompiledSchema {
  readonly tables: readonly TableDescriptor[];
  /// Hex SHA-256 of the canonical form of `tables`: peers compare it before syncing.
  readonly hash: string;
  /// A number the application raises whenever it changes the schema, so that a peer can
  /// tell which side is older when hashes differ.
  readonly revision: number;
}

export function columnsOf(table: TableDescriptor, sync: SyncKind): readonly ColumnDescriptor[] {
  return table.columns.filter((c) => c.sync === sync);
}

export function findTable(schema: CompiledSchema, name: string): TableDescriptor | undefined {
  return schema.tables.find((t) => t.name === name);
}

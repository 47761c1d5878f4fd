export type SchemaErrorCode =
  | 'syntax'
  | 'no-tables'
  | 'duplicate-table'
  | 'duplicate-column'
  | 'reserved-name'
  | 'no-primary-key'
  | 'primary-key-sync-type'
  | 'unique'
  | 'foreign-key'
  | 'autoincrement'
  | 'generated-column'
  | 'not-null-without-default'
  | 'unknown-sync-type'
  | 'strict-custom-type'
  | 'constraint-on-unstored-column'
  | 'temporary-table';

/// A schema the runtime cannot sync. The message always names the table, and the column
/// where one is at fault.
export class SchemaError extends Error {
  constructor(
    readonly code: SchemaErrorCode,
    readonly table: string | null,
    readonly column: string | null,
    detail: string,
  ) {
    const where = table === null ? '' : column === null ? `table ${table}: ` : `${table}.${column}: `;
    super(where + detail);
    this.name = 'SchemaError';
  }
}

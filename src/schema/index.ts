export { compileSyncSchema, type CompileOptions } from './compile';
export { columnsOf, findTable } from './descriptors';
export type { Affinity, ColumnDescriptor, CompiledSchema, SyncKind, TableDescriptor } from './descriptors';
export { SchemaError, type SchemaErrorCode } from './errors';

import type { SqlValue } from './ports';

/// A row of a user table, named by its primary key values in key order.
export interface RowRef {
  readonly table: string;
  readonly pk: readonly SqlValue[];
}

/// One REALTIME_TEXT cell: a Yjs document.
export interface DocRef extends RowRef {
  readonly column: string;
}

/// The replica's 16-byte cr-sqlite site id, hex-encoded.
export type SiteId = string & { readonly __brand: 'SiteId' };

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new RangeError('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/// The key under which a document's slots are stored: stable, and readable in the sqlite3 CLI.
export function docKey(ref: DocRef): string {
  return JSON.stringify([ref.table, ref.column, ...ref.pk.map(encodeKeyValue)]);
}

export function parseDocKey(key: string): DocRef | null {
  try {
    const parts: unknown = JSON.parse(key);
    if (!Array.isArray(parts) || parts.length < 3) return null;
    const [table, column, ...pk] = parts as unknown[];
    if (typeof table !== 'string' || typeof column !== 'string') return null;
    return { table, column, pk: pk.map(decodeKeyValue) };
  } catch {
    return null;
  }
}

/// Primary key values as a string usable as a Map key.
export function rowKey(ref: RowRef): string {
  return JSON.stringify([ref.table, ...ref.pk.map(encodeKeyValue)]);
}

function encodeKeyValue(v: SqlValue): unknown {
  if (v instanceof Uint8Array) return { blob: toHex(v) };
  if (typeof v === 'bigint') return { int: v.toString() };
  return v;
}

function decodeKeyValue(v: unknown): SqlValue {
  if (v === null || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'object' && 'blob' in v && typeof v.blob === 'string') return fromHex(v.blob);
  if (typeof v === 'object' && 'int' in v && typeof v.int === 'string') return BigInt(v.int);
  throw new RangeError('bad key value');
}

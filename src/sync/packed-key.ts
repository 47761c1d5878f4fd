import type { SqlValue } from './ports';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/// Decodes a cr-sqlite packed primary key (the `pk` of crsql_changes) in JavaScript, as
/// `crsql_unpack_columns` would: one byte of column count, then per column a byte whose low
/// three bits are the type (1 integer, 2 real, 3 text, 4 blob, 5 null) and whose high bits
/// give how many bytes follow for an integer's value or a text/blob's length (big-endian;
/// negative integers take all eight). Sync asks this for every change it routes, and a round
/// trip to the database per change cost most of a catch-up. Returns null for anything it does
/// not recognise (the caller asks SQLite then), never a wrong value: packed-key.test.ts checks
/// it against crsql_unpack_columns.
export function unpackColumns(packed: Uint8Array): SqlValue[] | null {
  if (packed.byteLength === 0) return null;
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const count = packed[0]!;
  let at = 1;
  const values: SqlValue[] = [];
  const readUnsigned = (bytes: number): bigint | null => {
    if (at + bytes > packed.byteLength) return null;
    let value = 0n;
    for (let i = 0; i < bytes; i++) value = (value << 8n) | BigInt(packed[at + i]!);
    at += bytes;
    return value;
  };
  for (let c = 0; c < count; c++) {
    if (at >= packed.byteLength) return null;
    const header = packed[at++]!;
    const type = header & 0x07;
    const width = header >> 3;
    if (width > 8) return null;
    switch (type) {
      case 1: {
        const raw = readUnsigned(width);
        if (raw === null) return null;
        const value = width === 8 ? BigInt.asIntN(64, raw) : raw;
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return null;
        values.push(Number(value));
        break;
      }
      case 2: {
        if (at + 8 > packed.byteLength) return null;
        values.push(view.getFloat64(at));
        at += 8;
        break;
      }
      case 3:
      case 4: {
        const length = readUnsigned(width);
        if (length === null || at + Number(length) > packed.byteLength) return null;
        const bytes = packed.subarray(at, at + Number(length));
        at += Number(length);
        if (type === 4) values.push(bytes.slice());
        else {
          try {
            values.push(utf8.decode(bytes));
          } catch {
            return null;
          }
        }
        break;
      }
      case 5:
        values.push(null);
        break;
      default:
        return null;
    }
  }
  return at === packed.byteLength ? values : null;
}

import type { SqlRow, SqlValue } from '../../sync/ports';
import type { OperationResult } from './protocol';

/// Encodes the result of a forwarded call for the call log (see owner-session.ts), so that a
/// call retried after a handover gets the answer of the run that committed. JSON text in
/// which every value is tagged, so column names and values can never be mistaken for tags:
///
///     {"v":1,"rows":[[["id",["s","a"]],["n",["i","9007199254740993"]]]]}   a query's rows
///     {"v":1,"results":[[...rows...],[...rows...]]}                        a transaction's
///     {"v":1}                                                               no result
///
/// Value tags: null as JSON null, ["s", text], ["f", number] (finite, not -0), ["x", "NaN" |
/// "Infinity" | "-Infinity" | "-0"], ["i", bigint as decimal], ["b", bytes as base64].

type EncodedValue = null | readonly [string, string | number];
type EncodedRow = readonly (readonly [string, EncodedValue])[];
interface Encoded {
  readonly v: 1;
  readonly rows?: readonly EncodedRow[];
  readonly results?: readonly (readonly EncodedRow[])[];
}

export function encodeResult(result: OperationResult): string {
  const encoded: Encoded =
    result === undefined
      ? { v: 1 }
      : isResults(result)
        ? { v: 1, results: result.map((rows) => rows.map(encodeRow)) }
        : { v: 1, rows: result.map(encodeRow) };
  return JSON.stringify(encoded);
}

export function decodeResult(text: string): OperationResult {
  const encoded = JSON.parse(text) as Encoded;
  if (encoded.v !== 1) throw new Error(`unknown call log result version ${String(encoded.v)}`);
  if (encoded.results) return encoded.results.map((rows) => rows.map(decodeRow));
  if (encoded.rows) return encoded.rows.map(decodeRow);
  return undefined;
}

// A transaction's result is an array of arrays; a query's an array of row objects. An empty
// array is both: either reading is the same.
function isResults(result: SqlRow[] | SqlRow[][]): result is SqlRow[][] {
  return result.length > 0 && Array.isArray(result[0]);
}

function encodeRow(row: SqlRow): EncodedRow {
  return Object.entries(row).map(([column, value]) => [column, encodeValue(value)] as const);
}

function decodeRow(row: EncodedRow): SqlRow {
  // fromEntries defines own properties: a column named __proto__ stays a column.
  return Object.fromEntries(row.map(([column, value]) => [column, decodeValue(value)]));
}

function encodeValue(value: SqlValue): EncodedValue {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return ['s', value];
    case 'bigint':
      return ['i', value.toString()];
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0) ? ['f', value] : ['x', Object.is(value, -0) ? '-0' : String(value)];
    default:
      return ['b', toBase64(value)];
  }
}

function decodeValue(value: EncodedValue): SqlValue {
  if (value === null) return null;
  const [tag, payload] = value;
  switch (tag) {
    case 's':
      return String(payload);
    case 'f':
      return Number(payload);
    case 'x':
      return payload === '-0' ? -0 : Number(payload);
    case 'i':
      return BigInt(payload);
    case 'b':
      return fromBase64(String(payload));
    default:
      throw new Error(`unknown value tag ${tag} in the call log`);
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { SyncError } from './errors';
import type { SqlValue } from './ports';

/// One row of `crsql_changes`: a column value of a row at a causal version.
export interface Change {
  readonly table: string;
  /// Packed primary key, as cr-sqlite gives it (unpack only with crsql_unpack_columns).
  readonly pk: Uint8Array;
  /// Column name, or '-1' for the row's own create/delete sentinel.
  readonly cid: string;
  readonly val: SqlValue;
  readonly colVersion: number;
  readonly dbVersion: number;
  /// The site that made the change (kept when relayed).
  readonly siteId: Uint8Array;
  /// Causal length: odd while the row exists, even once deleted.
  readonly cl: number;
  readonly seq: number;
}

/// A batch of changes from one replica, with the schema it was made under. Applied all or
/// nothing.
export interface Changeset {
  readonly schemaHash: string;
  readonly schemaRevision: number;
  /// The sending replica's site id.
  readonly fromSite: Uint8Array;
  /// The batch holds the sender's changes with db_version in (since, upTo].
  readonly since: number;
  readonly upTo: number;
  readonly changes: readonly Change[];
}

export const MAX_CHANGESET_BYTES = 32 * 1024 * 1024;
export const MAX_CHANGES_PER_SET = 200_000;
const MAGIC = 0x4353; // "CS"
const VERSION = 1;

const enum ValueTag {
  Null = 0,
  Integer = 1,
  BigInteger = 2,
  Real = 3,
  Text = 4,
  Blob = 5,
}

/// Encodes a changeset; the layout is documented in PROTOCOL.md beside this file.
export function encodeChangeset(set: Changeset): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint16(e, MAGIC);
  encoding.writeUint8(e, VERSION);
  encoding.writeVarString(e, set.schemaHash);
  encoding.writeVarUint(e, set.schemaRevision);
  encoding.writeVarUint8Array(e, set.fromSite);
  encoding.writeVarUint(e, set.since);
  encoding.writeVarUint(e, set.upTo);
  encoding.writeVarUint(e, set.changes.length);
  for (const c of set.changes) {
    encoding.writeVarString(e, c.table);
    encoding.writeVarUint8Array(e, c.pk);
    encoding.writeVarString(e, c.cid);
    writeValue(e, c.val);
    encoding.writeVarUint(e, c.colVersion);
    encoding.writeVarUint(e, c.dbVersion);
    encoding.writeVarUint8Array(e, c.siteId);
    encoding.writeVarUint(e, c.cl);
    encoding.writeVarUint(e, c.seq);
  }
  return encoding.toUint8Array(e);
}

/// Decodes a changeset. Bytes that are not one (truncated, trailing garbage, over the caps)
/// give a `SyncError` with code 'malformed' or 'oversized'.
export function decodeChangeset(bytes: Uint8Array): Changeset {
  if (bytes.byteLength > MAX_CHANGESET_BYTES) throw new SyncError('oversized', `changeset of ${bytes.byteLength} bytes`);
  try {
    // A view into a larger buffer would let lib0 read past the message's end unnoticed.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const d = decoding.createDecoder(own);
    if (decoding.readUint16(d) !== MAGIC) throw new Error('not a changeset');
    const version = decoding.readUint8(d);
    if (version !== VERSION) throw new Error(`changeset format ${version} is not ${VERSION}`);
    const schemaHash = decoding.readVarString(d);
    const schemaRevision = readCount(d);
    const fromSite = decoding.readVarUint8Array(d).slice();
    const since = readCount(d);
    const upTo = readCount(d);
    const count = readCount(d);
    if (count > MAX_CHANGES_PER_SET) throw new SyncError('oversized', `${count} changes in one changeset`);
    const changes: Change[] = [];
    for (let i = 0; i < count; i++) {
      changes.push({
        table: decoding.readVarString(d),
        pk: decoding.readVarUint8Array(d).slice(),
        cid: decoding.readVarString(d),
        val: readValue(d),
        colVersion: readCount(d),
        dbVersion: readCount(d),
        siteId: decoding.readVarUint8Array(d).slice(),
        cl: readCount(d),
        seq: readCount(d),
      });
    }
    if (d.pos !== own.byteLength) throw new Error('the changeset does not end where its contents do');
    return { schemaHash, schemaRevision, fromSite, since, upTo, changes };
  } catch (error) {
    if (error instanceof SyncError) throw error;
    throw new SyncError('malformed', error instanceof Error ? error.message : 'undecodable changeset', error);
  }
}

function readCount(d: decoding.Decoder): number {
  const n = decoding.readVarUint(d);
  if (!Number.isSafeInteger(n)) throw new Error('count out of range');
  return n;
}

function writeValue(e: encoding.Encoder, v: SqlValue): void {
  if (v === null) encoding.writeUint8(e, ValueTag.Null);
  else if (typeof v === 'number' && Number.isSafeInteger(v)) {
    encoding.writeUint8(e, ValueTag.Integer);
    encoding.writeVarInt(e, v);
  } else if (typeof v === 'number') {
    encoding.writeUint8(e, ValueTag.Real);
    encoding.writeFloat64(e, v);
  } else if (typeof v === 'bigint') {
    encoding.writeUint8(e, ValueTag.BigInteger);
    encoding.writeBigInt64(e, v);
  } else if (typeof v === 'string') {
    encoding.writeUint8(e, ValueTag.Text);
    encoding.writeVarString(e, v);
  } else {
    encoding.writeUint8(e, ValueTag.Blob);
    encoding.writeVarUint8Array(e, v);
  }
}

function readValue(d: decoding.Decoder): SqlValue {
  const tag = decoding.readUint8(d);
  switch (tag) {
    case ValueTag.Null:
      return null;
    case ValueTag.Integer:
      return decoding.readVarInt(d);
    case ValueTag.BigInteger:
      return decoding.readBigInt64(d);
    case ValueTag.Real:
      return decoding.readFloat64(d);
    case ValueTag.Text:
      return decoding.readVarString(d);
    case ValueTag.Blob:
      return decoding.readVarUint8Array(d).slice();
    default:
      throw new Error(`unknown value tag ${tag}`);
  }
}

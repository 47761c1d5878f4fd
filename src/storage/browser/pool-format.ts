/// The on-disk format of wa-sqlite's AccessHandlePoolVFS (src/examples/AccessHandlePoolVFS.js
/// in @vlcn.io/wa-sqlite 0.22), read without the VFS: to export the bytes of a database that
/// cannot be opened, and to notice a damaged header before the VFS "repairs" it by
/// truncating the file. Pure functions over bytes; the OPFS calls live in pool-files.ts.
///
/// Each OPFS file of the pool directory is one SQLite file (or a spare):
///
///     0    .. 512   SQLite path, UTF-8, NUL-padded ("" for a spare file)
///     512  .. 516   SQLite open flags, uint32 big-endian
///     516  .. 524   digest of bytes 0..516: two uint32, little-endian (cyrb53 variant)
///     4096 ..       the SQLite file's contents

export const POOL_HEADER_BYTES = 4096;
const PATH_BYTES = 512;
const CORPUS_BYTES = PATH_BYTES + 4;
const DIGEST_OFFSET = CORPUS_BYTES;
const DIGEST_BYTES = 8;

// SQLite open flags the pool keeps across sessions (sqlite3.h).
export const SQLITE_OPEN_DELETEONCLOSE = 0x00000008;
export const SQLITE_OPEN_MAIN_DB = 0x00000100;
const SQLITE_OPEN_MAIN_JOURNAL = 0x00000800;
const SQLITE_OPEN_SUPER_JOURNAL = 0x00004000;
const SQLITE_OPEN_WAL = 0x00080000;
const PERSISTENT_FILE_TYPES = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL | SQLITE_OPEN_WAL;

export type PoolHeader =
  /// A spare file, or one the VFS will release on start (temporary files of a past session).
  | { readonly state: 'spare' }
  | { readonly state: 'associated'; readonly path: string; readonly flags: number }
  /// The digest does not match: the VFS would release the file and truncate its data.
  /// (A spare's header has a fixed digest, so a damaged spare reads as damaged too.)
  | { readonly state: 'damaged' };

/// Reads the header at the start of a pool file (at least 524 bytes of it).
export function parsePoolHeader(bytes: Uint8Array): PoolHeader {
  if (bytes.byteLength < CORPUS_BYTES + DIGEST_BYTES) return { state: 'damaged' };
  const corpus = bytes.subarray(0, CORPUS_BYTES);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + DIGEST_OFFSET, DIGEST_BYTES);
  const [h1, h2] = poolDigest(corpus);
  // The VFS checks the flags before the digest, so garbage in the flags also makes it drop
  // the file; checking the digest first tells damage from a temporary file.
  if (stored.getUint32(0, true) !== h1 || stored.getUint32(4, true) !== h2) return { state: 'damaged' };
  const flags = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(PATH_BYTES);
  const end = corpus.indexOf(0);
  if (end === 0 || flags & SQLITE_OPEN_DELETEONCLOSE || (flags & PERSISTENT_FILE_TYPES) === 0) return { state: 'spare' };
  return { state: 'associated', path: new TextDecoder().decode(corpus.subarray(0, end === -1 ? PATH_BYTES : end)), flags };
}

/// Builds a header as the VFS writes it (for tests, and to document the format).
export function encodePoolHeader(path: string, flags: number): Uint8Array {
  const header = new Uint8Array(POOL_HEADER_BYTES);
  const { written } = new TextEncoder().encodeInto(path, header.subarray(0, PATH_BYTES));
  if (written >= PATH_BYTES) throw new RangeError('path too long for a pool header');
  const view = new DataView(header.buffer);
  view.setUint32(PATH_BYTES, flags);
  const [h1, h2] = poolDigest(header.subarray(0, CORPUS_BYTES));
  view.setUint32(DIGEST_OFFSET, h1, true);
  view.setUint32(DIGEST_OFFSET + 4, h2, true);
  return header;
}

/// The VFS's path for a SQLite file name: the pathname of the name as a file: URL.
export function poolPath(filename: string): string {
  return new URL(filename, 'file://localhost/').pathname;
}

/// The digest the VFS stores after the path and flags (cyrb53, as in the VFS).
function poolDigest(corpus: Uint8Array): [number, number] {
  if (!corpus[0]) return [0xfecc5f80, 0xaccec037];
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const value of corpus) {
    h1 = Math.imul(h1 ^ value, 2654435761);
    h2 = Math.imul(h2 ^ value, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

import { describe, expect, it } from 'vitest';
import { encodePoolHeader, parsePoolHeader, poolPath, POOL_HEADER_BYTES, SQLITE_OPEN_DELETEONCLOSE, SQLITE_OPEN_MAIN_DB } from './pool-format';

const SQLITE_OPEN_MAIN_JOURNAL = 0x800;
const SQLITE_OPEN_TEMP_JOURNAL = 0x1000;

describe('AccessHandlePoolVFS header', () => {
  it('reads back the path and flags it was written with', () => {
    const header = encodePoolHeader('/notes', SQLITE_OPEN_MAIN_DB | 0x6);
    expect(header.byteLength).toBe(POOL_HEADER_BYTES);
    expect(parsePoolHeader(header)).toEqual({ state: 'associated', path: '/notes', flags: SQLITE_OPEN_MAIN_DB | 0x6 });
    expect(parsePoolHeader(encodePoolHeader('/notes-journal', SQLITE_OPEN_MAIN_JOURNAL))).toMatchObject({ path: '/notes-journal' });
  });

  it('matches the bytes the VFS writes (digest of "/notes" with MAIN_DB|CREATE|READWRITE)', () => {
    // Computed with the VFS's own #computeDigest (cyrb53 variant) over the 516-byte corpus.
    const header = encodePoolHeader('/notes', SQLITE_OPEN_MAIN_DB | 0x6);
    const view = new DataView(header.buffer);
    expect(view.getUint32(512)).toBe(0x106); // flags, big-endian
    expect([view.getUint32(516, true), view.getUint32(520, true)]).toEqual(digestAsTheVfsDoes(header.subarray(0, 516)));
  });

  it('reads a spare file (empty path) as spare', () => {
    expect(parsePoolHeader(encodePoolHeader('', 0))).toEqual({ state: 'spare' });
    expect(parsePoolHeader(new Uint8Array(POOL_HEADER_BYTES))).toEqual({ state: 'damaged' }); // zero digest does not match
  });

  it('treats temporary files of a past session as spare, as the VFS does', () => {
    expect(parsePoolHeader(encodePoolHeader('/tmp1', SQLITE_OPEN_TEMP_JOURNAL))).toEqual({ state: 'spare' });
    expect(parsePoolHeader(encodePoolHeader('/db', SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_DELETEONCLOSE))).toEqual({ state: 'spare' });
  });

  it('calls any damage to path, flags or digest damaged', () => {
    for (const offset of [0, 3, 511, 512, 515, 516, 523]) {
      const header = encodePoolHeader('/notes', SQLITE_OPEN_MAIN_DB);
      header[offset] = header[offset]! ^ 0x5a;
      expect(parsePoolHeader(header), `byte ${offset}`).toEqual({ state: 'damaged' });
    }
    expect(parsePoolHeader(new Uint8Array(100))).toEqual({ state: 'damaged' });
  });

  it('ignores bytes after the digest', () => {
    const header = encodePoolHeader('/notes', SQLITE_OPEN_MAIN_DB);
    header.fill(7, 524);
    expect(parsePoolHeader(header)).toMatchObject({ state: 'associated', path: '/notes' });
  });

  it('maps file names to the paths the VFS stores', () => {
    expect(poolPath('notes')).toBe('/notes');
    expect(poolPath('notes-journal')).toBe('/notes-journal');
  });
});

/// A transcription of AccessHandlePoolVFS#computeDigest, kept apart from pool-format.ts so
/// the test does not only compare the module with itself.
function digestAsTheVfsDoes(corpus: Uint8Array): [number, number] {
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

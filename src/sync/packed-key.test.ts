import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../storage/node';
import { unpackColumns } from './packed-key';

describe('unpackColumns', () => {
  it('agrees with crsql_unpack_columns on any key', async () => {
    const db = await openMemoryDatabase();
    const value = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d)),
      fc.uint8Array({ maxLength: 300 }),
      fc.constant(null),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 4 }), async (values) => {
        const placeholders = values.map(() => '?').join(', ');
        const [row] = await db.query(`SELECT crsql_pack_columns(${placeholders}) AS pk`, values);
        const pk = row!.pk as Uint8Array;
        const cells = (await db.query('SELECT cell FROM crsql_unpack_columns(?)', [pk])).map((r) => r.cell ?? null);
        expect(unpackColumns(pk)).toEqual(cells);
      }),
      { numRuns: 300 },
    );
  });

  it('says null, never a wrong value, for bytes it does not understand', () => {
    expect(unpackColumns(new Uint8Array(0))).toBeNull();
    expect(unpackColumns(Uint8Array.from([1, 0x0b, 5, 0x61]))).toBeNull(); // text cut short
    expect(unpackColumns(Uint8Array.from([1, 0x07]))).toBeNull(); // unknown type
    expect(unpackColumns(Uint8Array.from([1, 0x05, 0x05]))).toBeNull(); // trailing bytes
    expect(unpackColumns(Uint8Array.from([1, 0x0b, 1, 0xff]))).toBeNull(); // not UTF-8
  });
});

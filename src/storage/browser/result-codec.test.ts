import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SqlRow, SqlValue } from '../../sync/ports';
import { decodeResult, encodeResult } from './result-codec';

const value: fc.Arbitrary<SqlValue> = fc.oneof(
  fc.constant(null),
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 64 }),
);
// Column names that look like the codec's own tags must not confuse it.
const column = fc.oneof(fc.string(), fc.constantFrom('v', 'rows', 'results', 's', 'i', 'b', '$bigint', '__proto__'));
const row: fc.Arbitrary<SqlRow> = fc.dictionary(column, value, { maxKeys: 5, noNullPrototype: true });

describe('call log result codec', () => {
  it('round-trips a query result', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 5 }), (rows) => {
        expect(decodeResult(encodeResult(rows))).toStrictEqual(rows);
      }),
    );
  });

  it('round-trips a transaction result', () => {
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 4 }), { minLength: 1, maxLength: 4 }), (results) => {
        expect(decodeResult(encodeResult(results))).toStrictEqual(results);
      }),
    );
  });

  it('round-trips no result', () => {
    expect(decodeResult(encodeResult(undefined))).toBeUndefined();
  });

  it('keeps -0, NaN and infinities, and bigints as bigints', () => {
    const rows = [{ a: -0, b: Number.NaN, c: Number.POSITIVE_INFINITY, d: Number.NEGATIVE_INFINITY, e: 2n ** 62n }];
    expect(decodeResult(encodeResult(rows))).toStrictEqual(rows);
  });

  it('refuses an unknown version', () => {
    expect(() => decodeResult('{"v":2}')).toThrow(/version/);
  });
});

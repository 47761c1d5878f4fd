import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SyncError } from './errors';
import { decodeWireMessage, encodeWireMessage, type WireMessage } from './wire';

const bytes = (min = 0) => fc.uint8Array({ minLength: min, maxLength: 32 });
const count = fc.nat({ max: 2 ** 40 });
const keyValue = fc.oneof(fc.constant(null), fc.string(), fc.integer());
const message: fc.Arbitrary<WireMessage> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), protocol: count, schemaHash: fc.string(), schemaRevision: count, site: bytes() }),
  fc.record({
    type: fc.constant('changes' as const),
    changeset: fc.record({
      schemaHash: fc.string(),
      schemaRevision: count,
      fromSite: bytes(16),
      since: count,
      upTo: count,
      changes: fc.array(
        fc.record({ table: fc.string(), pk: bytes(1), cid: fc.string(), val: fc.oneof(fc.constant(null), fc.string(), fc.maxSafeInteger(), bytes()), colVersion: count, dbVersion: count, siteId: bytes(16), cl: count, seq: count }),
        { maxLength: 5 },
      ),
    }),
  }),
  fc.record({ type: fc.constant('ack' as const), upTo: count }),
  fc.record({ type: fc.constant('text' as const), doc: fc.string(), update: bytes() }),
  fc.record({
    type: fc.constant('presence' as const),
    message: fc.record({
      peer: fc.string(),
      session: fc.string(),
      counter: fc.nat(),
      entries: fc.array(fc.record({ table: fc.string(), pk: fc.array(keyValue, { maxLength: 3 }), column: fc.string(), value: keyValue }), { maxLength: 4 }),
    }),
  }),
  fc.record({ type: fc.constant('error' as const), code: fc.string(), message: fc.string() }),
);

describe('wire messages', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeWireMessage(encodeWireMessage(m))).toEqual(m);
      }),
    );
  });

  it('refuse truncated, padded, unknown and garbage bytes with a typed error', () => {
    fc.assert(
      fc.property(message, fc.nat(), (m, cut) => {
        const encoded = encodeWireMessage(m);
        const short = encoded.subarray(0, cut % encoded.length);
        const padded = new Uint8Array([...encoded, 0]);
        for (const bad of [short, padded]) expect(() => decodeWireMessage(bad)).toThrow(SyncError);
      }),
    );
    expect(() => decodeWireMessage(new Uint8Array([77]))).toThrow(/unknown message type/);
    expect(() => decodeWireMessage(new Uint8Array(17 * 1024 * 1024))).toThrow(expect.objectContaining({ code: 'oversized' }));
    const presence = new TextEncoder().encode(JSON.stringify({ peer: 1 }));
    expect(() => decodeWireMessage(new Uint8Array([5, presence.length, ...presence]))).toThrow(/wrong shape/);
  });
});

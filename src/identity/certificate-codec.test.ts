import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDeviceCertificate,
  encodeCertificateBody,
  encodeDeviceCertificate,
  MAX_CERTIFICATE_BYTES,
  type DeviceCertificate,
} from './certificate-codec';
import { validateDisplayName } from './display-name';
import { asDevicePublicKey, asIdentityPublicKey, ed25519PublicKey } from './keys';

const identityPublicKey = asIdentityPublicKey(hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'));
const devicePublicKey = asDevicePublicKey(hexToBytes('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'));
const signature = new Uint8Array(64).map((_, index) => index);

const sample: DeviceCertificate = {
  identityPublicKey,
  devicePublicKey,
  displayName: 'Phone',
  createdAt: 1_700_000_000_123,
  signature,
};

const arbitraryPublicKey = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((seed) => ed25519PublicKey(seed));

const arbitraryDisplayName = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 64 })
  .filter((name) => validateDisplayName(name).ok);

const arbitraryCertificate: fc.Arbitrary<DeviceCertificate> = fc.record({
  identityPublicKey: arbitraryPublicKey.map(asIdentityPublicKey),
  devicePublicKey: arbitraryPublicKey.map(asDevicePublicKey),
  displayName: arbitraryDisplayName,
  createdAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});

function malformedReason(bytes: Uint8Array): string | undefined {
  const result = decodeDeviceCertificate(bytes);
  return !result.ok && result.error.kind === 'malformed' ? result.error.reason : undefined;
}

describe('certificate byte layout', () => {
  it('is version 1, then u16-length-prefixed fields in a fixed order', () => {
    const expected =
      '01' +
      '0020' + bytesToHex(identityPublicKey) +
      '0020' + bytesToHex(devicePublicKey) +
      '0005' + bytesToHex(utf8ToBytes('Phone')) +
      '0008' + '0000018bcfe5687b' + // 1_700_000_000_123 = 0x18BCFE5687B
      '0040' + bytesToHex(signature);
    expect(bytesToHex(encodeDeviceCertificate(sample))).toBe(expected);
    expect(bytesToHex(encodeCertificateBody(sample))).toBe(expected.slice(0, expected.length - 2 * (2 + 64)));
  });

  it('caps the encoding at 403 bytes, reached by a 64 code point, 4-byte-per-character name', () => {
    expect(MAX_CERTIFICATE_BYTES).toBe(1 + 5 * 2 + 32 + 32 + 256 + 8 + 64);
    const longest = encodeDeviceCertificate({ ...sample, displayName: '😀'.repeat(64) });
    expect(longest).toHaveLength(MAX_CERTIFICATE_BYTES);
    expect(decodeDeviceCertificate(longest).ok).toBe(true);
  });
});

describe('certificate round trip (property)', () => {
  it('decode(encode(c)) == c and encode(decode(b)) == b', () => {
    fc.assert(
      fc.property(arbitraryCertificate, (certificate) => {
        const encoded = encodeDeviceCertificate(certificate);
        const decoded = decodeDeviceCertificate(encoded);
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        expect(decoded.certificate).toEqual(certificate);
        expect(decoded.body).toEqual(encodeCertificateBody(certificate));
        expect(encodeDeviceCertificate(decoded.certificate)).toEqual(encoded);
      }),
      { numRuns: 200 },
    );
  });
});

describe('decoding bad bytes', () => {
  const encoded = encodeDeviceCertificate(sample);

  it('reports empty, unknown-version, truncated and trailing input as typed errors', () => {
    expect(malformedReason(new Uint8Array(0))).toBe('empty');
    const v2 = encoded.slice();
    v2[0] = 2;
    expect(decodeDeviceCertificate(v2)).toEqual({ ok: false, error: { kind: 'unsupported-version', version: 2 } });
    for (let length = 1; length < encoded.length; length++) {
      expect(malformedReason(encoded.subarray(0, length))).toMatch(/truncated/);
    }
    expect(malformedReason(concatBytes(encoded, Uint8Array.of(0)))).toBe('trailing bytes');
    expect(malformedReason(new Uint8Array(MAX_CERTIFICATE_BYTES + 1).fill(1))).toMatch(/longer than/);
  });

  it('rejects out-of-range field lengths, invalid UTF-8, control characters, unsafe timestamps, bad keys', () => {
    const withName = (nameBytes: Uint8Array): Uint8Array => {
      const prefix = new Uint8Array(2);
      new DataView(prefix.buffer).setUint16(0, nameBytes.length);
      return concatBytes(encoded.subarray(0, 69), prefix, nameBytes, encoded.subarray(69 + 2 + 5));
    };
    expect(decodeDeviceCertificate(withName(utf8ToBytes('Tablet'))).ok).toBe(true); // the splice itself is sound
    expect(malformedReason(withName(new Uint8Array(0)))).toMatch(/display name length/);
    expect(malformedReason(withName(Uint8Array.of(0xc3, 0x28)))).toMatch(/UTF-8/);
    expect(malformedReason(withName(utf8ToBytes('a\nb')))).toMatch(/display name rules/);
    expect(malformedReason(withName(utf8ToBytes('x'.repeat(65))))).toMatch(/display name rules/);

    const hugeTime = encoded.slice();
    hugeTime.set(hexToBytes('0020000000000000'), 69 + 2 + 5 + 2);
    expect(malformedReason(hugeTime)).toMatch(/createdAt/);

    const shortKey = encoded.slice();
    shortKey[2] = 31;
    expect(malformedReason(shortKey)).toMatch(/identity public key length/);

    const neutralDevice = encoded.slice();
    neutralDevice.set(new Uint8Array(32), 37);
    neutralDevice[37] = 1; // the identity element: a valid encoding, but no usable key
    expect(malformedReason(neutralDevice)).toMatch(/device public key is not a valid/);
  });

  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_CERTIFICATE_BYTES + 10 }), (bytes) => {
        expect(decodeDeviceCertificate(bytes).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
    expect(decodeDeviceCertificate('nope' as unknown as Uint8Array)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });
});

describe('encoding invalid values (programmer errors)', () => {
  it('throws RangeError', () => {
    expect(() => encodeDeviceCertificate({ ...sample, displayName: '' })).toThrow(RangeError);
    expect(() => encodeDeviceCertificate({ ...sample, createdAt: -1 })).toThrow(RangeError);
    expect(() => encodeDeviceCertificate({ ...sample, createdAt: 1.5 })).toThrow(RangeError);
    expect(() => encodeDeviceCertificate({ ...sample, createdAt: 2 ** 53 })).toThrow(RangeError);
    expect(() => encodeDeviceCertificate({ ...sample, signature: new Uint8Array(63) })).toThrow(RangeError);
  });
});

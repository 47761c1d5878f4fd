import { concatBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCertificateBody, encodeDeviceCertificate, MAX_CERTIFICATE_BYTES } from './certificate-codec';
import { deriveIdentity } from './derive';
import { certifyDevice, createDeviceKey, verifyDeviceCertificate } from './device';
import { asDevicePublicKey, deviceKeyFromSeed, ed25519Sign } from './keys';
import { sign } from './sign';

const PHRASE = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const { identityKey } = deriveIdentity(PHRASE);
const stranger = deriveIdentity('abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about');
const laptop = createDeviceKey();
const phone = createDeviceKey();
const laptopCertificate = certifyDevice(identityKey, {
  devicePublicKey: laptop.publicKey,
  displayName: 'Laptop',
  createdAt: 1_700_000_000_000,
});
const encodedLaptop = encodeDeviceCertificate(laptopCertificate);

describe('device keys', () => {
  it('are random: two calls give different keys', () => {
    expect(laptop.publicKey).not.toEqual(phone.publicKey);
    expect(laptop.secretKey).not.toEqual(phone.secretKey);
    expect(laptop.secretKey).toHaveLength(32);
  });

  it('come from 32 injected random bytes and are restored from the seed', () => {
    const seed = new Uint8Array(32).fill(7);
    const key = createDeviceKey((n) => seed.slice(0, n));
    expect(key.secretKey).toEqual(seed);
    expect(deviceKeyFromSeed(key.secretKey).publicKey).toEqual(key.publicKey);
    expect(() => createDeviceKey(() => new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('certifyDevice / verifyDeviceCertificate', () => {
  it('two devices certified by one identity both verify and name the same identity', () => {
    const phoneCertificate = certifyDevice(identityKey, {
      devicePublicKey: phone.publicKey,
      displayName: 'Phone 📱',
      createdAt: 1_700_000_500_000,
    });
    const laptopResult = verifyDeviceCertificate(encodedLaptop);
    const phoneResult = verifyDeviceCertificate(encodeDeviceCertificate(phoneCertificate));
    expect(laptopResult).toEqual({ ok: true, certificate: laptopCertificate });
    expect(phoneResult).toEqual({ ok: true, certificate: phoneCertificate });
    if (!laptopResult.ok || !phoneResult.ok) return;
    expect(laptopResult.certificate.identityPublicKey).toEqual(identityKey.publicKey);
    expect(phoneResult.certificate.identityPublicKey).toEqual(identityKey.publicKey);
    expect(phoneResult.certificate.devicePublicKey).toEqual(phone.publicKey);
    expect(phoneResult.certificate.displayName).toBe('Phone 📱');
  });

  it('rejects the certificate with its low bit flipped at every position', () => {
    for (let position = 0; position < encodedLaptop.length; position++) {
      const tampered = encodedLaptop.slice();
      tampered[position] = (tampered[position] ?? 0) ^ 1;
      expect(verifyDeviceCertificate(tampered).ok, `position ${position}`).toBe(false);
    }
  });

  it('rejects any single changed byte (property over positions and bit patterns)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: encodedLaptop.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (position, mask) => {
          const tampered = encodedLaptop.slice();
          tampered[position] = (tampered[position] ?? 0) ^ mask;
          expect(verifyDeviceCertificate(tampered).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reports a 'handshake' signature over the certificate body as wrong-purpose", () => {
    const body = encodeCertificateBody(laptopCertificate);
    const replayed = { ...laptopCertificate, signature: sign('handshake', body, identityKey.secretKey) };
    expect(verifyDeviceCertificate(encodeDeviceCertificate(replayed))).toEqual({
      ok: false,
      error: { kind: 'wrong-purpose', purpose: 'handshake' },
    });
  });

  it('reports bad-signature for a raw signature, or one claimed by another identity', () => {
    const body = encodeCertificateBody(laptopCertificate);
    const raw = { ...laptopCertificate, signature: ed25519Sign(body, identityKey.secretKey) };
    expect(verifyDeviceCertificate(encodeDeviceCertificate(raw))).toEqual({ ok: false, error: { kind: 'bad-signature' } });
    const claimed = { ...laptopCertificate, identityPublicKey: stranger.identityKey.publicKey };
    expect(verifyDeviceCertificate(encodeDeviceCertificate(claimed))).toEqual({
      ok: false,
      error: { kind: 'bad-signature' },
    });
  });

  it('returns typed errors for truncated, oversized and random input, never throwing', () => {
    for (let length = 0; length < encodedLaptop.length; length++) {
      expect(verifyDeviceCertificate(encodedLaptop.subarray(0, length))).toMatchObject({
        ok: false,
        error: { kind: 'malformed' },
      });
    }
    expect(verifyDeviceCertificate(concatBytes(encodedLaptop, new Uint8Array(1)))).toMatchObject({
      ok: false,
      error: { kind: 'malformed' },
    });
    expect(verifyDeviceCertificate(new Uint8Array(MAX_CERTIFICATE_BYTES * 4))).toMatchObject({
      ok: false,
      error: { kind: 'malformed' },
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const result = verifyDeviceCertificate(bytes);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(typeof result.error.kind).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to certify an invalid display name, timestamp or device key (programmer errors)', () => {
    const request = { devicePublicKey: laptop.publicKey, displayName: 'Laptop', createdAt: 0 };
    expect(() => certifyDevice(identityKey, { ...request, displayName: '   ' })).toThrow(RangeError);
    expect(() => certifyDevice(identityKey, { ...request, displayName: 'x'.repeat(65) })).toThrow(RangeError);
    expect(() => certifyDevice(identityKey, { ...request, displayName: 'two\nlines' })).toThrow(RangeError);
    expect(() => certifyDevice(identityKey, { ...request, createdAt: Number.NaN })).toThrow(RangeError);
    // All-zero bytes decode to a point of order 4: never a real key.
    expect(() => certifyDevice(identityKey, { ...request, devicePublicKey: asDevicePublicKey(new Uint8Array(32)) })).toThrow(
      RangeError,
    );
    expect(certifyDevice(identityKey, { ...request, displayName: 'x'.repeat(64) }).displayName).toHaveLength(64);
  });
});

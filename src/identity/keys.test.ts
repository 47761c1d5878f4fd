import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  asIdentityPublicKey,
  deviceKeyFromSeed,
  ed25519PublicKey,
  ed25519PublicKeyAsync,
  ed25519Sign,
  ed25519Verify,
  fingerprint,
  identityKeyPairFromSecret,
  isValidPublicKey,
} from './keys';

interface Rfc8032Vector {
  readonly secretKey: string;
  readonly publicKey: string;
  readonly message: string;
  readonly signature: string;
}

// RFC 8032 section 7.1, TEST 1..3.
const TEST_1: Rfc8032Vector = {
  secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  message: '',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
const TEST_2: Rfc8032Vector = {
  secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  message: '72',
  signature:
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
};
const TEST_3: Rfc8032Vector = {
  secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
  publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
  message: 'af82',
  signature:
    '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
};

describe('ed25519PublicKeyAsync', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the RFC 8032 public keys through WebCrypto, and noble\'s for any seed', async () => {
    const exportKey = vi.spyOn(crypto.subtle, 'exportKey');
    for (const vector of [TEST_1, TEST_2, TEST_3]) expect(bytesToHex(await ed25519PublicKeyAsync(hexToBytes(vector.secretKey)))).toBe(vector.publicKey);
    // The platform's Ed25519 answered (a WebCrypto without it would leave this to noble).
    expect(exportKey).toHaveBeenCalledTimes(3);
    for (let i = 0; i < 20; i++) {
      const seed = crypto.getRandomValues(new Uint8Array(32));
      expect(bytesToHex(await ed25519PublicKeyAsync(seed))).toBe(bytesToHex(ed25519PublicKey(seed)));
    }
  });

  it('falls back to noble where WebCrypto has no Ed25519', async () => {
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValue(new DOMException('Unrecognized name.', 'NotSupportedError'));
    expect(bytesToHex(await ed25519PublicKeyAsync(hexToBytes(TEST_2.secretKey)))).toBe(TEST_2.publicKey);
  });
});

describe('Ed25519 (RFC 8032 test vectors 1-3)', () => {
  it.each([
    ['TEST 1', TEST_1],
    ['TEST 2', TEST_2],
    ['TEST 3', TEST_3],
  ] as const)('%s', (_name, vector) => {
    const secret = hexToBytes(vector.secretKey);
    const message = hexToBytes(vector.message);
    const signature = hexToBytes(vector.signature);
    const publicKey = hexToBytes(vector.publicKey);
    expect(bytesToHex(ed25519PublicKey(secret))).toBe(vector.publicKey);
    expect(bytesToHex(ed25519Sign(message, secret))).toBe(vector.signature);
    expect(ed25519Verify(signature, message, publicKey)).toBe(true);

    const flipped = signature.slice();
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(ed25519Verify(flipped, message, publicKey)).toBe(false);
    expect(ed25519Verify(signature, Uint8Array.of(...message, 0), publicKey)).toBe(false);
  });

  it('returns false rather than throwing for wrong lengths and undecodable points', () => {
    const publicKey = hexToBytes(TEST_1.publicKey);
    const signature = hexToBytes(TEST_1.signature);
    expect(ed25519Verify(signature.subarray(0, 63), new Uint8Array(), publicKey)).toBe(false);
    expect(ed25519Verify(signature, new Uint8Array(), publicKey.subarray(0, 31))).toBe(false);
    expect(ed25519Verify(signature, new Uint8Array(), new Uint8Array(32).fill(0xff))).toBe(false);
    expect(ed25519Verify(new Uint8Array(64).fill(0xff), new Uint8Array(), publicKey)).toBe(false);
  });
});

describe('strict verification', () => {
  it('rejects the all-messages forgery under a small-order key that ZIP-215 rules would accept', () => {
    // A = R = the neutral point (encoded 01 00…00), S = 0: [8]SB = [8]R + [8]kA holds for every message.
    const neutralPoint = new Uint8Array(32);
    neutralPoint[0] = 1;
    const forgedSignature = concatBytes(neutralPoint, new Uint8Array(32));
    expect(ed25519Verify(forgedSignature, utf8ToBytes('anything at all'), neutralPoint)).toBe(false);
  });
});

describe('key pairs and validity', () => {
  it('builds identity and device pairs from a secret seed, copying the secret', () => {
    const secret = hexToBytes(TEST_2.secretKey);
    const identity = identityKeyPairFromSecret(secret);
    const device = deviceKeyFromSeed(secret);
    expect(bytesToHex(identity.publicKey)).toBe(TEST_2.publicKey);
    expect(bytesToHex(device.publicKey)).toBe(TEST_2.publicKey);
    secret.fill(0);
    expect(bytesToHex(identity.secretKey)).toBe(TEST_2.secretKey);
  });

  it('throws on wrong-length material (programmer error)', () => {
    expect(() => identityKeyPairFromSecret(new Uint8Array(31))).toThrow(RangeError);
    expect(() => asIdentityPublicKey(new Uint8Array(33))).toThrow(RangeError);
  });

  it('accepts real public keys and rejects small-order, non-canonical and wrong-length ones', () => {
    expect(isValidPublicKey(hexToBytes(TEST_1.publicKey))).toBe(true);
    const neutralPoint = new Uint8Array(32);
    neutralPoint[0] = 1; // y = 1, x = 0: the identity element, order 1
    expect(isValidPublicKey(neutralPoint)).toBe(false);
    expect(isValidPublicKey(new Uint8Array(32).fill(0xff))).toBe(false); // y ≥ p: not canonical
    expect(isValidPublicKey(new Uint8Array(31))).toBe(false);
  });
});

describe('fingerprint', () => {
  const rfcPublicKey = asIdentityPublicKey(hexToBytes(TEST_1.publicKey));

  it('matches an independently computed value (Python: SHA-256, first 10 bytes, Crockford base32)', () => {
    // sha256(key)[:10] = 21fe31dfa154a261626b
    expect(fingerprint(rfcPublicKey)).toBe('47Z3-3QX1-AJH6-2RKB');
  });

  it('is four groups of four Crockford base32 characters, different per key', () => {
    const other = asIdentityPublicKey(hexToBytes(TEST_2.publicKey));
    expect(fingerprint(other)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(fingerprint(other)).not.toBe(fingerprint(rfcPublicKey));
  });
});

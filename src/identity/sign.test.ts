import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { ed25519Sign, identityKeyPairFromSecret } from './keys';
import { sign, SIGNATURE_PURPOSES, signingInput, verify, type SignaturePurpose } from './sign';

const alice = identityKeyPairFromSecret(hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
const bob = identityKeyPairFromSecret(hexToBytes('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb'));
const message = utf8ToBytes('hello peer');

describe('signing input', () => {
  it('is "local-first-notes/v1/" + purpose, a NUL, then the message', () => {
    const expected =
      bytesToHex(utf8ToBytes('local-first-notes/v1/handshake')) + '00' + bytesToHex(Uint8Array.of(1, 2, 3));
    expect(bytesToHex(signingInput('handshake', Uint8Array.of(1, 2, 3)))).toBe(expected);
  });

  it('refuses purposes outside the closed list (e.g. one smuggling a NUL)', () => {
    expect(() => signingInput('handshake\u0000x' as SignaturePurpose, message)).toThrow(TypeError);
  });

  it('is a plain Ed25519 signature over those bytes, checked with node:crypto', () => {
    const signature = sign('membership', message, alice.secretKey);
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(alice.publicKey).toString('base64url') },
      format: 'jwk',
    });
    const domain = Buffer.concat([Buffer.from('local-first-notes/v1/membership'), Buffer.of(0), message]);
    expect(nodeVerify(null, domain, publicKey, signature)).toBe(true);
    expect(nodeVerify(null, message, publicKey, signature)).toBe(false);
  });
});

describe('sign / verify', () => {
  it('verifies only under the purpose it was made for', () => {
    for (const signedFor of SIGNATURE_PURPOSES) {
      const signature = sign(signedFor, message, alice.secretKey);
      for (const checkedAs of SIGNATURE_PURPOSES) {
        expect(verify(checkedAs, message, signature, alice.publicKey)).toBe(signedFor === checkedAs);
      }
    }
  });

  it("rejects a 'handshake' signature as a 'device-certificate' one", () => {
    const signature = sign('handshake', message, alice.secretKey);
    expect(verify('handshake', message, signature, alice.publicKey)).toBe(true);
    expect(verify('device-certificate', message, signature, alice.publicKey)).toBe(false);
  });

  it('rejects raw, undomained signatures, other keys, changed messages and changed signatures', () => {
    const signature = sign('membership', message, alice.secretKey);
    expect(verify('membership', message, ed25519Sign(message, alice.secretKey), alice.publicKey)).toBe(false);
    expect(verify('membership', message, signature, bob.publicKey)).toBe(false);
    expect(verify('membership', utf8ToBytes('hello peeR'), signature, alice.publicKey)).toBe(false);
    const changed = signature.slice();
    changed[63] = (changed[63] ?? 0) ^ 0x80;
    expect(verify('membership', message, changed, alice.publicKey)).toBe(false);
  });

  it('returns false, never throws, for malformed signatures', () => {
    expect(verify('membership', message, new Uint8Array(0), alice.publicKey)).toBe(false);
    expect(verify('membership', message, new Uint8Array(65), alice.publicKey)).toBe(false);
    expect(verify('membership', message, new Uint8Array(64).fill(0xff), alice.publicKey)).toBe(false);
  });
});

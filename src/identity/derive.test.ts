import { createHmac, createPrivateKey, createPublicKey, pbkdf2Sync } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { APP_COIN_TYPE, deriveIdentity, PURPOSE_PATHS, purposePath } from './derive';

const PHRASE = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const OTHER_PHRASE = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

/// An independent reimplementation on node:crypto (OpenSSL): BIP39 PBKDF2, SLIP-0010 HMAC chain, Ed25519 public key.
function referenceIdentity(phrase: string, passphrase: string, path: readonly number[]) {
  const seed = pbkdf2Sync(phrase.normalize('NFKD'), `mnemonic${passphrase}`.normalize('NFKD'), 2048, 64, 'sha512');
  let digest = createHmac('sha512', 'ed25519 seed').update(seed).digest();
  for (const index of path) {
    const data = Buffer.alloc(37);
    digest.copy(data, 1, 0, 32);
    data.writeUInt32BE(index + 0x8000_0000, 33);
    digest = createHmac('sha512', digest.subarray(32)).update(data).digest();
  }
  const secretKey = digest.subarray(0, 32);
  const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  const privateKey = createPrivateKey({ key: Buffer.concat([pkcs8Ed25519Prefix, secretKey]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { secretKey: secretKey.toString('hex'), publicKey: Buffer.from(jwk.x ?? '', 'base64url').toString('hex') };
}

describe('derivation paths', () => {
  it('are the documented fixed paths', () => {
    expect(APP_COIN_TYPE).toBe(4998734);
    expect(purposePath('identity')).toBe("m/44'/4998734'/0'");
    expect(purposePath('notebook-secret-wrap')).toBe("m/44'/4998734'/1'");
  });

  it('cannot be changed at runtime', () => {
    expect(Object.isFrozen(PURPOSE_PATHS)).toBe(true);
    expect(Object.isFrozen(PURPOSE_PATHS.identity)).toBe(true);
  });
});

describe('deriveIdentity', () => {
  it('matches an independent node:crypto derivation, with and without passphrase', () => {
    for (const passphrase of ['', 'TREZOR']) {
      const derived = deriveIdentity(PHRASE, passphrase);
      const identity = referenceIdentity(PHRASE, passphrase, [44, 4998734, 0]);
      expect(bytesToHex(derived.identityKey.secretKey)).toBe(identity.secretKey);
      expect(bytesToHex(derived.identityKey.publicKey)).toBe(identity.publicKey);
      expect(bytesToHex(derived.notebookSecretWrapKey)).toBe(
        referenceIdentity(PHRASE, passphrase, [44, 4998734, 1]).secretKey,
      );
    }
  });

  it('gives the same key for the same words, however they are typed', () => {
    const canonical = deriveIdentity(PHRASE);
    const retyped = deriveIdentity(`  ${PHRASE.toUpperCase().replaceAll(' ', ' \n\t')}  `);
    expect(retyped.identityKey.publicKey).toEqual(canonical.identityKey.publicKey);
    expect(deriveIdentity(PHRASE).identityKey.secretKey).toEqual(canonical.identityKey.secretKey);
  });

  it('gives different keys for different words, passphrases and purposes', () => {
    const base = deriveIdentity(PHRASE);
    expect(deriveIdentity(OTHER_PHRASE).identityKey.publicKey).not.toEqual(base.identityKey.publicKey);
    expect(deriveIdentity(PHRASE, 'x').identityKey.publicKey).not.toEqual(base.identityKey.publicKey);
    expect(base.notebookSecretWrapKey).not.toEqual(base.identityKey.secretKey);
    expect(base.identityKey.secretKey).toHaveLength(32);
    expect(base.identityKey.publicKey).toHaveLength(32);
  });

  it('refuses an invalid phrase instead of deriving from it', () => {
    expect(() => deriveIdentity(PHRASE.replace('yellow', 'year'))).toThrow(RangeError);
    expect(() => deriveIdentity('')).toThrow(RangeError);
  });
});

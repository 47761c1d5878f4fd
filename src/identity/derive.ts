import { mnemonicToSeedSync } from '@scure/bip39';
import { identityKeyPairFromSecret, type IdentityKeyPair } from './keys';
import { validateMnemonic } from './mnemonic';
import { formatHardenedPath, slip10DerivePath, type HardenedPath } from './slip10';

/// Coin-type-like level of every path: 0x4C464E, the ASCII bytes "LFN" (local-first notes).
/// Not registered in SLIP-0044; it only keeps our keys apart from wallets that share the recovery phrase.
export const APP_COIN_TYPE = 0x4c464e;

const BIP44_PURPOSE = 44;

/// What a derived key is for. Each purpose has its own fixed path, so keys never double up across roles.
export type KeyPurpose = 'identity' | 'notebook-secret-wrap';

/// The fixed SLIP-0010 path per purpose (all levels hardened). Changing an entry changes everyone's keys.
/// - identity:             m/44'/4998734'/0'  the person's Ed25519 signing key
/// - notebook-secret-wrap: m/44'/4998734'/1'  reserved: 32 bytes of key material for wrapping notebook secrets
export const PURPOSE_PATHS: Readonly<Record<KeyPurpose, HardenedPath>> = Object.freeze({
  identity: Object.freeze([BIP44_PURPOSE, APP_COIN_TYPE, 0]),
  'notebook-secret-wrap': Object.freeze([BIP44_PURPOSE, APP_COIN_TYPE, 1]),
});

/// Everything derived from a recovery phrase.
export interface DerivedIdentity {
  readonly identityKey: IdentityKeyPair;
  /// Reserved key material (SLIP-0010 private key at the `notebook-secret-wrap` path); not yet used.
  readonly notebookSecretWrapKey: Uint8Array;
}

/// The path of `purpose` in `m/…'` notation.
export function purposePath(purpose: KeyPurpose): string {
  return formatHardenedPath(PURPOSE_PATHS[purpose]);
}

/// BIP39 seed (64 bytes, PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" + passphrase, both NFKD)
/// of a recovery phrase. The phrase is normalised first, so case and spacing do not matter.
/// Throws on an invalid phrase: call `validateMnemonic` on user input before deriving.
export function mnemonicToSeed(mnemonic: string, passphrase = ''): Uint8Array {
  const validation = validateMnemonic(mnemonic);
  if (!validation.ok) throw new RangeError(`invalid recovery phrase (${validation.error.kind})`);
  return mnemonicToSeedSync(validation.words.join(' '), passphrase);
}

/// The 32-byte SLIP-0010 ed25519 private key at the path of `purpose`.
export function derivePurposeKey(seed: Uint8Array, purpose: KeyPurpose): Uint8Array {
  return slip10DerivePath(seed, PURPOSE_PATHS[purpose]).secretKey;
}

/// Derives the person's keys from their recovery phrase (and optional BIP39 passphrase).
/// Deterministic: the same words always give the same identity key.
export function deriveIdentity(mnemonic: string, passphrase = ''): DerivedIdentity {
  const seed = mnemonicToSeed(mnemonic, passphrase);
  try {
    return {
      identityKey: identityKeyPairFromSecret(derivePurposeKey(seed, 'identity')),
      notebookSecretWrapKey: derivePurposeKey(seed, 'notebook-secret-wrap'),
    };
  } finally {
    seed.fill(0);
  }
}

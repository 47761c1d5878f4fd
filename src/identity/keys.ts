import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

// @noble/ed25519 v3 ships no synchronous SHA-512; every synchronous call needs one wired in.
// This is the only module that touches @noble/ed25519, so the wiring happens exactly once.
ed.hashes.sha512 = sha512;

/// Byte lengths of Ed25519 material (RFC 8032).
export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/// The person's long-term signing key (derived from the recovery phrase).
export type IdentityPublicKey = Uint8Array & { readonly __brand: 'IdentityPublicKey' };
/// Secret half of the identity key: the 32-byte RFC 8032 secret seed.
export type IdentitySecretKey = Uint8Array & { readonly __brand: 'IdentitySecretKey' };
/// A device's own signing key (random per device; also its libp2p peer key).
export type DevicePublicKey = Uint8Array & { readonly __brand: 'DevicePublicKey' };
/// Secret half of a device key: the 32-byte RFC 8032 secret seed.
export type DeviceSecretKey = Uint8Array & { readonly __brand: 'DeviceSecretKey' };

/// Any Ed25519 public key this module knows about.
export type PublicKey = IdentityPublicKey | DevicePublicKey;
/// Any Ed25519 secret key this module knows about.
export type SecretKey = IdentitySecretKey | DeviceSecretKey;

export interface IdentityKeyPair {
  readonly secretKey: IdentitySecretKey;
  readonly publicKey: IdentityPublicKey;
}

export interface DeviceKeyPair {
  /// The 32-byte RFC 8032 secret seed: persist this; libp2p's 64-byte Ed25519 private key is `secretKey || publicKey`.
  readonly secretKey: DeviceSecretKey;
  readonly publicKey: DevicePublicKey;
}

/// Identity key pair from a 32-byte secret seed (a copy is kept).
export function identityKeyPairFromSecret(secret: Uint8Array): IdentityKeyPair {
  const secretKey = brand<IdentitySecretKey>(secret.slice(), SECRET_KEY_BYTES, 'identity secret key');
  return { secretKey, publicKey: brand<IdentityPublicKey>(ed25519PublicKey(secretKey), PUBLIC_KEY_BYTES, 'identity public key') };
}

/// identityKeyPairFromSecret and deviceKeyFromSeed with the public key from
/// ed25519PublicKeyAsync: what the app uses at start.
export async function identityKeyPairFromSecretAsync(secret: Uint8Array): Promise<IdentityKeyPair> {
  const secretKey = brand<IdentitySecretKey>(secret.slice(), SECRET_KEY_BYTES, 'identity secret key');
  return { secretKey, publicKey: brand<IdentityPublicKey>(await ed25519PublicKeyAsync(secretKey), PUBLIC_KEY_BYTES, 'identity public key') };
}

export async function deviceKeyFromSeedAsync(seed: Uint8Array): Promise<DeviceKeyPair> {
  const secretKey = brand<DeviceSecretKey>(seed.slice(), SECRET_KEY_BYTES, 'device secret key');
  return { secretKey, publicKey: brand<DevicePublicKey>(await ed25519PublicKeyAsync(secretKey), PUBLIC_KEY_BYTES, 'device public key') };
}

/// Device key pair from its persisted 32-byte secret seed (a copy is kept).
export function deviceKeyFromSeed(seed: Uint8Array): DeviceKeyPair {
  const secretKey = brand<DeviceSecretKey>(seed.slice(), SECRET_KEY_BYTES, 'device secret key');
  return { secretKey, publicKey: brand<DevicePublicKey>(ed25519PublicKey(secretKey), PUBLIC_KEY_BYTES, 'device public key') };
}

/// Marks 32 bytes as an identity public key. Throws on a wrong length (a programmer error);
/// use `isValidPublicKey` first for untrusted bytes.
export function asIdentityPublicKey(bytes: Uint8Array): IdentityPublicKey {
  return brand<IdentityPublicKey>(bytes, PUBLIC_KEY_BYTES, 'identity public key');
}

/// Marks 32 bytes as a device public key. Throws on a wrong length (a programmer error).
export function asDevicePublicKey(bytes: Uint8Array): DevicePublicKey {
  return brand<DevicePublicKey>(bytes, PUBLIC_KEY_BYTES, 'device public key');
}

/// True when `bytes` is a canonical encoding of an Ed25519 point that is not of small order,
/// i.e. something that can be a real public key. Never throws.
export function isValidPublicKey(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array) || bytes.length !== PUBLIC_KEY_BYTES) return false;
  try {
    return !ed.Point.fromBytes(bytes, false).isSmallOrder();
  } catch {
    return false;
  }
}

/// RFC 8032 public key of a 32-byte secret seed.
export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey);
}

/// ed25519PublicKey through the platform's WebCrypto where it has Ed25519 (Chromium 137+,
/// Node 20): native, where noble's first call builds its base-point tables, some 60 ms of
/// main thread while the app starts on a slow machine. Falls back to noble elsewhere.
export async function ed25519PublicKeyAsync(secretKey: Uint8Array): Promise<Uint8Array> {
  if (secretKey.length === SECRET_KEY_BYTES && globalThis.crypto?.subtle) {
    const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + SECRET_KEY_BYTES);
    pkcs8.set(PKCS8_ED25519_PREFIX);
    pkcs8.set(secretKey, PKCS8_ED25519_PREFIX.length);
    try {
      const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
      const { x } = await crypto.subtle.exportKey('jwk', key);
      const publicKey = typeof x === 'string' ? base64UrlBytes(x) : null;
      if (publicKey?.length === PUBLIC_KEY_BYTES) return publicKey;
    } catch {
      // No Ed25519 in this WebCrypto: noble below.
    } finally {
      pkcs8.fill(0);
    }
  }
  return ed25519PublicKey(secretKey);
}

/// DER of a PKCS #8 Ed25519 private key (RFC 8410) up to its 32-byte seed.
const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

function base64UrlBytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
}

/// Raw RFC 8032 Ed25519 signature. Application code signs through `sign.ts`, which adds domain separation.
export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}

/// Raw Ed25519 verification in strict RFC 8032 mode (canonical encodings, small-order keys rejected).
/// Returns false, never throws, for wrong-length or undecodable inputs.
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  return ed.verify(signature, message, publicKey, { zip215: false });
}

const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const FINGERPRINT_BYTES = 10;
const FINGERPRINT_GROUP_LENGTH = 4;

/// Short, human-comparable fingerprint of a public key: SHA-256 of the 32 key bytes, first 10 bytes (80 bits),
/// Crockford base32 (upper case, no I L O U), in four dash-separated groups of four, e.g. `47Z3-3QX1-AJH6-2RKB`.
export function fingerprint(publicKey: PublicKey): string {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new RangeError(`public key must be ${PUBLIC_KEY_BYTES} bytes`);
  const characters = toCrockfordBase32(sha256(publicKey).subarray(0, FINGERPRINT_BYTES));
  const groups: string[] = [];
  for (let start = 0; start < characters.length; start += FINGERPRINT_GROUP_LENGTH) {
    groups.push(characters.slice(start, start + FINGERPRINT_GROUP_LENGTH));
  }
  return groups.join('-');
}

/// Big-endian base32 of whole 5-bit groups; callers pass a byte count that is a multiple of 5.
function toCrockfordBase32(bytes: Uint8Array): string {
  let output = '';
  let buffer = 0;
  let bufferedBits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bufferedBits += 8;
    while (bufferedBits >= 5) {
      bufferedBits -= 5;
      output += CROCKFORD_BASE32[(buffer >> bufferedBits) & 0x1f];
    }
  }
  return output;
}

function brand<T extends Uint8Array>(bytes: Uint8Array, length: number, what: string): T {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes`);
  }
  return bytes as T;
}

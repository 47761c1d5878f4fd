import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ed25519Sign, ed25519Verify, type PublicKey, type SecretKey } from './keys';

/// What a signature is for. A signature made for one purpose never verifies for another.
export type SignaturePurpose = 'device-certificate' | 'handshake' | 'membership';

/// Every purpose, for exhaustive checks and diagnostics.
export const SIGNATURE_PURPOSES: readonly SignaturePurpose[] = Object.freeze([
  'device-certificate',
  'handshake',
  'membership',
]);

/// Start of every signed byte string; the version lets a future format change its domains wholesale.
export const SIGNATURE_DOMAIN_PREFIX = 'local-first-notes/v1/';

const DOMAIN_SEPARATOR = 0x00;

/// The exact bytes that get signed: UTF-8("local-first-notes/v1/" + purpose) || 0x00 || message.
/// Purposes are ASCII without NUL, so the NUL ends the domain unambiguously and no two purposes collide.
export function signingInput(purpose: SignaturePurpose, message: Uint8Array): Uint8Array {
  // A purpose from untyped code could smuggle a NUL and forge another domain; refuse anything unlisted.
  if (!SIGNATURE_PURPOSES.includes(purpose)) throw new TypeError(`unknown signature purpose: ${String(purpose)}`);
  return concatBytes(utf8ToBytes(SIGNATURE_DOMAIN_PREFIX + purpose), Uint8Array.of(DOMAIN_SEPARATOR), message);
}

/// Signs `message` for `purpose` with a 32-byte Ed25519 secret key; returns the 64-byte signature.
export function sign(purpose: SignaturePurpose, message: Uint8Array, secretKey: SecretKey): Uint8Array {
  return ed25519Sign(signingInput(purpose, message), secretKey);
}

/// True only if `signature` was made by `publicKey`'s secret over `message` for this same `purpose`.
/// Never throws for malformed signatures or keys; they simply do not verify.
export function verify(
  purpose: SignaturePurpose,
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: PublicKey,
): boolean {
  return ed25519Verify(signature, signingInput(purpose, message), publicKey);
}

import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/// Added to an index to mark it hardened (BIP32 / SLIP-0010). Ed25519 supports hardened derivation only.
export const HARDENED_OFFSET = 0x8000_0000;

const ED25519_CURVE_SEED_KEY = utf8ToBytes('ed25519 seed');
const MIN_SEED_BYTES = 16;
const MAX_SEED_BYTES = 64;

/// One node of a SLIP-0010 ed25519 tree: the 32-byte private key (an RFC 8032 secret seed) and its chain code.
export interface Slip10Node {
  readonly secretKey: Uint8Array;
  readonly chainCode: Uint8Array;
}

/// A derivation path as hardened index numbers: `[44, 7, 0]` means m/44'/7'/0'.
export type HardenedPath = readonly number[];

/// SLIP-0010 master node: I = HMAC-SHA512(key = "ed25519 seed", data = seed); IL is the key, IR the chain code.
export function slip10MasterNode(seed: Uint8Array): Slip10Node {
  if (seed.length < MIN_SEED_BYTES || seed.length > MAX_SEED_BYTES) {
    throw new RangeError(`SLIP-0010 seed must be ${MIN_SEED_BYTES}..${MAX_SEED_BYTES} bytes, got ${seed.length}`);
  }
  return splitHmacOutput(hmac(sha512, ED25519_CURVE_SEED_KEY, seed));
}

/// SLIP-0010 hardened child `index'`: I = HMAC-SHA512(key = chain code, data = 0x00 || key || ser32(index + 2^31)).
/// `index` is the unhardened number (0 ≤ index < 2^31).
export function slip10HardenedChild(parent: Slip10Node, index: number): Slip10Node {
  if (!Number.isInteger(index) || index < 0 || index >= HARDENED_OFFSET) {
    throw new RangeError(`hardened index must be an integer in 0..2^31-1, got ${index}`);
  }
  const data = new Uint8Array(1 + 32 + 4);
  data.set(parent.secretKey, 1);
  new DataView(data.buffer).setUint32(33, index + HARDENED_OFFSET, false);
  return splitHmacOutput(hmac(sha512, parent.chainCode, data));
}

/// Derives the node at `path` (all levels hardened) from a BIP39 seed.
export function slip10DerivePath(seed: Uint8Array, path: HardenedPath): Slip10Node {
  return path.reduce(slip10HardenedChild, slip10MasterNode(seed));
}

/// Renders a path in the usual notation, e.g. `m/44'/7'/0'`.
export function formatHardenedPath(path: HardenedPath): string {
  return ['m', ...path.map((index) => `${index}'`)].join('/');
}

function splitHmacOutput(output: Uint8Array): Slip10Node {
  return { secretKey: output.slice(0, 32), chainCode: output.slice(32, 64) };
}

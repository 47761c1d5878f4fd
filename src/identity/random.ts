/// A source of random bytes: returns exactly `length` bytes. Injectable so tests can be deterministic.
export type RandomBytes = (length: number) => Uint8Array;

/// Cryptographically secure random bytes from WebCrypto (`globalThis.crypto`, present in Node 20 and browsers).
export const secureRandomBytes: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/// Draws `length` bytes from `random` and insists it honoured the length (a short read would silently weaken keys).
export function drawRandomBytes(random: RandomBytes, length: number): Uint8Array {
  const bytes = random(length);
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(`random source returned ${bytes.length} bytes, expected ${length}`);
  }
  return bytes;
}

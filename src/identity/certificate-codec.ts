import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { DISPLAY_NAME_MAX_BYTES, validateDisplayName } from './display-name';
import {
  asDevicePublicKey,
  asIdentityPublicKey,
  isValidPublicKey,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  type DevicePublicKey,
  type IdentityPublicKey,
} from './keys';

/// First byte of every encoded certificate.
export const CERTIFICATE_FORMAT_VERSION = 1;

const LENGTH_PREFIX_BYTES = 2;
const CREATED_AT_BYTES = 8;
const FIELD_COUNT = 5;

/// Largest possible encoding; anything longer is rejected before parsing.
export const MAX_CERTIFICATE_BYTES =
  1 + FIELD_COUNT * LENGTH_PREFIX_BYTES + 2 * PUBLIC_KEY_BYTES + DISPLAY_NAME_MAX_BYTES + CREATED_AT_BYTES + SIGNATURE_BYTES;

/// An identity's statement that a device key belongs to it.
export interface DeviceCertificate {
  readonly identityPublicKey: IdentityPublicKey;
  readonly devicePublicKey: DevicePublicKey;
  readonly displayName: string;
  /// Milliseconds since the Unix epoch, a non-negative safe integer.
  readonly createdAt: number;
  /// Ed25519 signature, purpose 'device-certificate', over `encodeCertificateBody` of the other fields.
  readonly signature: Uint8Array;
}

/// The certificate without its signature: exactly what gets signed.
export type DeviceCertificateBody = Omit<DeviceCertificate, 'signature'>;

/// Why bytes could not be read as a certificate.
export type CertificateDecodeError =
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'unsupported-version'; readonly version: number };

export type CertificateDecoding =
  | { readonly ok: true; readonly certificate: DeviceCertificate; readonly body: Uint8Array }
  | { readonly ok: false; readonly error: CertificateDecodeError };

/// Canonical bytes of the signed part: version byte, then each field as u16 big-endian length || bytes:
/// identity public key (32), device public key (32), display name (UTF-8), createdAt (u64 big-endian).
/// Throws on field values no certificate may hold (programmer error: validate display names first).
export function encodeCertificateBody(body: DeviceCertificateBody): Uint8Array {
  if (!validateDisplayName(body.displayName).ok) throw new RangeError('invalid display name');
  return concatBytes(
    Uint8Array.of(CERTIFICATE_FORMAT_VERSION),
    field(body.identityPublicKey, PUBLIC_KEY_BYTES),
    field(body.devicePublicKey, PUBLIC_KEY_BYTES),
    field(utf8ToBytes(body.displayName)),
    field(encodeTimestamp(body.createdAt), CREATED_AT_BYTES),
  );
}

/// Canonical bytes of a whole certificate: the body followed by the signature field (u16 length || 64 bytes).
export function encodeDeviceCertificate(certificate: DeviceCertificate): Uint8Array {
  return concatBytes(encodeCertificateBody(certificate), field(certificate.signature, SIGNATURE_BYTES));
}

/// Parses certificate bytes strictly: exact layout, no trailing bytes, valid keys and display name.
/// Never throws; the signature is not checked here (see `verifyDeviceCertificate`).
export function decodeDeviceCertificate(bytes: Uint8Array): CertificateDecoding {
  const malformed = (reason: string): CertificateDecoding => ({ ok: false, error: { kind: 'malformed', reason } });
  if (!(bytes instanceof Uint8Array)) return malformed('not a byte array');
  if (bytes.length > MAX_CERTIFICATE_BYTES) return malformed(`longer than ${MAX_CERTIFICATE_BYTES} bytes`);
  const version = bytes[0];
  if (version === undefined) return malformed('empty');
  if (version !== CERTIFICATE_FORMAT_VERSION) return { ok: false, error: { kind: 'unsupported-version', version } };

  const reader = new FieldReader(bytes, 1);
  const identityKey = reader.next('identity public key', PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES);
  const deviceKey = reader.next('device public key', PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES);
  const nameBytes = reader.next('display name', 1, DISPLAY_NAME_MAX_BYTES);
  const createdAtBytes = reader.next('createdAt', CREATED_AT_BYTES, CREATED_AT_BYTES);
  const bodyLength = reader.offset;
  const signature = reader.next('signature', SIGNATURE_BYTES, SIGNATURE_BYTES);
  if (reader.problem !== undefined) return malformed(reader.problem);
  if (!identityKey || !deviceKey || !nameBytes || !createdAtBytes || !signature) return malformed('missing field');
  if (reader.offset !== bytes.length) return malformed('trailing bytes');

  if (!isValidPublicKey(identityKey)) return malformed('identity public key is not a valid Ed25519 point');
  if (!isValidPublicKey(deviceKey)) return malformed('device public key is not a valid Ed25519 point');
  const displayName = decodeUtf8(nameBytes);
  if (displayName === undefined) return malformed('display name is not valid UTF-8');
  if (!validateDisplayName(displayName).ok) return malformed('display name breaks the display name rules');
  const createdAt = decodeTimestamp(createdAtBytes);
  if (createdAt === undefined) return malformed('createdAt exceeds the safe integer range');

  return {
    ok: true,
    certificate: {
      identityPublicKey: asIdentityPublicKey(identityKey),
      devicePublicKey: asDevicePublicKey(deviceKey),
      displayName,
      createdAt,
      signature,
    },
    body: bytes.slice(0, bodyLength),
  };
}

/// Reads u16-length-prefixed fields in order; after the first problem every read returns undefined.
class FieldReader {
  problem: string | undefined;
  #offset: number;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;

  constructor(bytes: Uint8Array, offset: number) {
    this.#bytes = bytes;
    this.#offset = offset;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  next(name: string, minLength: number, maxLength: number): Uint8Array | undefined {
    if (this.problem !== undefined) return undefined;
    if (this.#offset + LENGTH_PREFIX_BYTES > this.#bytes.length) {
      this.problem = `truncated before ${name} length`;
      return undefined;
    }
    const length = this.#view.getUint16(this.#offset, false);
    if (length < minLength || length > maxLength) {
      this.problem = `${name} length ${length} outside ${minLength}..${maxLength}`;
      return undefined;
    }
    const start = this.#offset + LENGTH_PREFIX_BYTES;
    if (start + length > this.#bytes.length) {
      this.problem = `truncated inside ${name}`;
      return undefined;
    }
    this.#offset = start + length;
    return this.#bytes.slice(start, start + length);
  }
}

function field(value: Uint8Array, exactLength?: number): Uint8Array {
  if (exactLength !== undefined && value.length !== exactLength) {
    throw new RangeError(`certificate field must be ${exactLength} bytes, got ${value.length}`);
  }
  const prefix = new Uint8Array(LENGTH_PREFIX_BYTES);
  new DataView(prefix.buffer).setUint16(0, value.length, false);
  return concatBytes(prefix, value);
}

const TWO_TO_THE_32 = 2 ** 32;

function encodeTimestamp(milliseconds: number): Uint8Array {
  if (!Number.isSafeInteger(milliseconds) || milliseconds < 0) {
    throw new RangeError('createdAt must be a non-negative safe integer (ms since epoch)');
  }
  const bytes = new Uint8Array(CREATED_AT_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(milliseconds / TWO_TO_THE_32), false);
  view.setUint32(4, milliseconds % TWO_TO_THE_32, false);
  return bytes;
}

function decodeTimestamp(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const milliseconds = view.getUint32(0, false) * TWO_TO_THE_32 + view.getUint32(4, false);
  // Above 2^53 the float sum is inexact, so re-encoding would not reproduce the bytes.
  return Number.isSafeInteger(milliseconds) ? milliseconds : undefined;
}

// ignoreBOM keeps a leading U+FEFF as text, so decoding then re-encoding reproduces the bytes.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

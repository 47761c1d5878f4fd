import {
  decodeDeviceCertificate,
  encodeCertificateBody,
  type CertificateDecodeError,
  type DeviceCertificate,
} from './certificate-codec';
import { validateDisplayName } from './display-name';
import {
  deviceKeyFromSeed,
  isValidPublicKey,
  SECRET_KEY_BYTES,
  type DeviceKeyPair,
  type DevicePublicKey,
  type IdentityKeyPair,
} from './keys';
import { drawRandomBytes, secureRandomBytes, type RandomBytes } from './random';
import { sign, SIGNATURE_PURPOSES, verify, type SignaturePurpose } from './sign';

/// What the identity vouches for when it certifies a device.
export interface DeviceCertificateRequest {
  readonly devicePublicKey: DevicePublicKey;
  /// 1..64 code points, no control characters (see `validateDisplayName`).
  readonly displayName: string;
  /// Milliseconds since the Unix epoch.
  readonly createdAt: number;
}

/// Why a certificate was rejected.
export type CertificateVerificationError =
  | CertificateDecodeError
  | { readonly kind: 'bad-signature' }
  /// The signature is the identity's, but made for another purpose (e.g. a handshake signature replayed).
  | { readonly kind: 'wrong-purpose'; readonly purpose: SignaturePurpose };

export type CertificateVerification =
  | { readonly ok: true; readonly certificate: DeviceCertificate }
  | { readonly ok: false; readonly error: CertificateVerificationError };

/// A fresh random Ed25519 device key. Its 32-byte `secretKey` is the seed to persist;
/// the same pair later serves as the device's libp2p peer key.
export function createDeviceKey(random: RandomBytes = secureRandomBytes): DeviceKeyPair {
  return deviceKeyFromSeed(drawRandomBytes(random, SECRET_KEY_BYTES));
}

/// Signs a certificate binding `request.devicePublicKey` to `identity`.
/// Throws on an invalid display name, timestamp or device key (programmer errors: validate user input first).
export function certifyDevice(identity: IdentityKeyPair, request: DeviceCertificateRequest): DeviceCertificate {
  if (!isValidPublicKey(request.devicePublicKey)) throw new RangeError('device public key is not a valid Ed25519 key');
  const nameCheck = validateDisplayName(request.displayName);
  if (!nameCheck.ok) throw new RangeError(`invalid display name (${nameCheck.error.kind})`);
  const body = {
    identityPublicKey: identity.publicKey,
    devicePublicKey: request.devicePublicKey,
    displayName: request.displayName,
    createdAt: request.createdAt,
  };
  return { ...body, signature: sign('device-certificate', encodeCertificateBody(body), identity.secretKey) };
}

/// Decodes certificate bytes and checks the identity's 'device-certificate' signature over them.
/// Never throws: any problem comes back as a typed error.
export function verifyDeviceCertificate(encoded: Uint8Array): CertificateVerification {
  const decoded = decodeDeviceCertificate(encoded);
  if (!decoded.ok) return decoded;
  const { certificate, body } = decoded;
  if (verify('device-certificate', body, certificate.signature, certificate.identityPublicKey)) {
    return { ok: true, certificate };
  }
  // Only reached on failure, so valid certificates pay nothing for this diagnosis.
  const otherPurpose = SIGNATURE_PURPOSES.find(
    (purpose) =>
      purpose !== 'device-certificate' && verify(purpose, body, certificate.signature, certificate.identityPublicKey),
  );
  return { ok: false, error: otherPurpose ? { kind: 'wrong-purpose', purpose: otherPurpose } : { kind: 'bad-signature' } };
}

/// Public face of the identity layer: recovery phrases, key derivation, signing and device certificates.
/// Raw primitives (unseparated Ed25519, SLIP-0010 nodes) stay internal to this folder.

export { createMnemonic, validateMnemonic, checkWord, normaliseMnemonicWords, MNEMONIC_WORD_COUNT } from './mnemonic';
export type { MnemonicError, MnemonicValidation, WordCheck } from './mnemonic';

export {
  deriveIdentity,
  derivePurposeKey,
  mnemonicToSeed,
  purposePath,
  APP_COIN_TYPE,
  PURPOSE_PATHS,
} from './derive';
export type { DerivedIdentity, KeyPurpose } from './derive';

export { fingerprint, identityKeyPairFromSecret, identityKeyPairFromSecretAsync, deviceKeyFromSeed, deviceKeyFromSeedAsync, isValidPublicKey, asIdentityPublicKey, asDevicePublicKey } from './keys';
export type {
  IdentityPublicKey,
  IdentitySecretKey,
  DevicePublicKey,
  DeviceSecretKey,
  IdentityKeyPair,
  DeviceKeyPair,
  PublicKey,
  SecretKey,
} from './keys';

export { sign, verify, SIGNATURE_PURPOSES } from './sign';
export type { SignaturePurpose } from './sign';

export { createDeviceKey, certifyDevice, verifyDeviceCertificate } from './device';
export type { DeviceCertificateRequest, CertificateVerification, CertificateVerificationError } from './device';

export {
  encodeDeviceCertificate,
  decodeDeviceCertificate,
  CERTIFICATE_FORMAT_VERSION,
  MAX_CERTIFICATE_BYTES,
} from './certificate-codec';
export type { DeviceCertificate, CertificateDecodeError, CertificateDecoding } from './certificate-codec';

export { validateDisplayName, DISPLAY_NAME_MAX_CODE_POINTS } from './display-name';
export type { DisplayNameError, DisplayNameValidation } from './display-name';

export type { RandomBytes } from './random';

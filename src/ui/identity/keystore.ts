import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import {
  decodeDeviceCertificate,
  deviceKeyFromSeedAsync,
  encodeDeviceCertificate,
  identityKeyPairFromSecretAsync,
  type DeviceCertificate,
  type DeviceKeyPair,
  type IdentityKeyPair,
} from '../../identity';

/// This device's keys: the person's identity key, this device's own key and the
/// certificate binding them. The recovery words are never stored, anywhere.
export interface DeviceIdentity {
  readonly identity: IdentityKeyPair;
  readonly device: DeviceKeyPair;
  readonly certificate: DeviceCertificate;
}

interface StoredRecord {
  readonly version: 1;
  /// AES-GCM key the browser keeps and will not export, or null where WebCrypto cannot
  /// store one (then `secrets` is kept as it is: said in the Identity panel).
  readonly wrapKey: CryptoKey | null;
  readonly iv: Uint8Array<ArrayBuffer>;
  /// identity secret (32) || device secret (32), encrypted under wrapKey when there is one.
  readonly secrets: Uint8Array<ArrayBuffer>;
  readonly certificate: Uint8Array;
}

const RECORD = 'device-identity';
let store: UseStore | null = null;
const keys = () => (store ??= createStore('notes-identity', 'keys'));

/// Keeps the keys on this device, the secrets wrapped with a non-extractable WebCrypto key.
export async function saveIdentity(id: DeviceIdentity): Promise<{ wrapped: boolean }> {
  const secrets = new Uint8Array(64);
  secrets.set(id.identity.secretKey, 0);
  secrets.set(id.device.secretKey, 32);
  let wrapKey: CryptoKey | null;
  let iv: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  let stored: Uint8Array<ArrayBuffer> = secrets;
  try {
    wrapKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    iv = crypto.getRandomValues(new Uint8Array(12));
    stored = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, wrapKey, secrets));
  } catch {
    wrapKey = null; // no WebCrypto AES here: kept unwrapped, and the panel says so
  }
  const record: StoredRecord = { version: 1, wrapKey, iv, secrets: stored, certificate: encodeDeviceCertificate(id.certificate) };
  await set(RECORD, record, keys());
  secrets.fill(0);
  return { wrapped: wrapKey !== null };
}

/// The keys kept on this device, or null before onboarding (or after signing out).
export async function loadIdentity(): Promise<(DeviceIdentity & { wrapped: boolean }) | null> {
  const record = await get<StoredRecord>(RECORD, keys());
  if (!record) return null;
  const secrets = record.wrapKey
    ? new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv }, record.wrapKey, record.secrets))
    : record.secrets;
  const decoded = decodeDeviceCertificate(record.certificate);
  if (!decoded.ok) throw new Error(`the stored device certificate is damaged (${decoded.error.kind})`);
  const [identity, device] = await Promise.all([identityKeyPairFromSecretAsync(secrets.slice(0, 32)), deviceKeyFromSeedAsync(secrets.slice(32, 64))]);
  secrets.fill(0);
  return { identity, device, certificate: decoded.certificate, wrapped: record.wrapKey !== null };
}

/// Forgets this device's keys. Notes stay; the person needs their 12 words to come back.
export async function forgetIdentity(): Promise<void> {
  await del(RECORD, keys());
}

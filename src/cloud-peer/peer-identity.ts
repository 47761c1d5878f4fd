import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { certifyDevice, createDeviceKey, deviceKeyFromSeed, encodeDeviceCertificate, identityKeyPairFromSecret } from '../identity';

export interface PeerIdentity {
  readonly identitySecret: Uint8Array;
  readonly deviceSeed: Uint8Array;
  /// Encoded certificate of the device key by the identity key.
  readonly certificate: Uint8Array;
  readonly identityKeyHex: string;
}

const FILE = 'peer-identity.json';

/// The cloud peer's own identity and device key (its peer id), made on first start and kept
/// in the data directory, readable by its owner only.
export async function loadOrCreatePeerIdentity(dataDir: string, displayName: string): Promise<PeerIdentity> {
  const file = path.join(dataDir, FILE);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { identitySecret: string; deviceSeed: string; certificate: string };
    return fromSecrets(hexBytes(stored.identitySecret), hexBytes(stored.deviceSeed), hexBytes(stored.certificate));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is unreadable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const identitySecret = crypto.getRandomValues(new Uint8Array(32));
  const identity = identityKeyPairFromSecret(identitySecret);
  const device = createDeviceKey();
  const certificate = encodeDeviceCertificate(certifyDevice(identity, { devicePublicKey: device.publicKey, displayName, createdAt: Date.now() }));
  await mkdir(dataDir, { recursive: true });
  const temporary = `${file}.tmp`;
  await writeFile(temporary, JSON.stringify({ identitySecret: hex(identitySecret), deviceSeed: hex(device.secretKey), certificate: hex(certificate) }), { mode: 0o600 });
  await rename(temporary, file);
  return fromSecrets(identitySecret, device.secretKey, certificate);
}

function fromSecrets(identitySecret: Uint8Array, deviceSeed: Uint8Array, certificate: Uint8Array): PeerIdentity {
  deviceKeyFromSeed(deviceSeed); // throws on a damaged seed
  return { identitySecret, deviceSeed, certificate, identityKeyHex: hex(identityKeyPairFromSecret(identitySecret).publicKey) };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
function hexBytes(text: string): Uint8Array {
  if (!/^([0-9a-f]{2})+$/i.test(text)) throw new Error('not hex');
  return new Uint8Array(Buffer.from(text, 'hex'));
}

import { bytesToHex } from '@noble/hashes/utils.js';
import { encodeDeviceCertificate, verifyDeviceCertificate, type DeviceCertificate } from '../../identity';
import type { Replica } from '../../sync';

export interface CertifiedDevice {
  readonly deviceKey: string;
  readonly displayName: string;
  readonly createdAt: number;
}

/// Publishes this device's certificate in the synced `devices` table.
export async function publishDevice(replica: Replica, certificate: DeviceCertificate): Promise<void> {
  await replica.execute(
    `INSERT INTO devices (device_key, identity_key, display_name, certificate, created_at)
     SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM devices WHERE device_key = ?)`,
    [
      bytesToHex(certificate.devicePublicKey),
      bytesToHex(certificate.identityPublicKey),
      certificate.displayName,
      encodeDeviceCertificate(certificate),
      certificate.createdAt,
      bytesToHex(certificate.devicePublicKey),
    ],
  );
}

/// The devices whose certificates this identity signed: rows that fail verification, or
/// were signed by someone else, are not listed.
export async function certifiedDevices(replica: Replica, identityKey: Uint8Array): Promise<CertifiedDevice[]> {
  const rows = await replica.query('SELECT certificate FROM devices WHERE identity_key = ? ORDER BY created_at', [bytesToHex(identityKey)]);
  return rows.flatMap((row) => {
    if (!(row.certificate instanceof Uint8Array)) return [];
    const verified = verifyDeviceCertificate(row.certificate);
    if (!verified.ok || bytesToHex(verified.certificate.identityPublicKey) !== bytesToHex(identityKey)) return [];
    const c = verified.certificate;
    return [{ deviceKey: bytesToHex(c.devicePublicKey), displayName: c.displayName, createdAt: c.createdAt }];
  });
}

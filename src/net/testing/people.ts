import { certifyDevice, createDeviceKey, encodeDeviceCertificate, identityKeyPairFromSecret } from '../../identity';

/// A person's device for tests: identity, device key (the peer key) and its certificate.
export function testDevice(name: string, identitySeed: number) {
  const identity = identityKeyPairFromSecret(new Uint8Array(32).fill(identitySeed));
  const device = createDeviceKey();
  const certificate = encodeDeviceCertificate(certifyDevice(identity, { devicePublicKey: device.publicKey, displayName: name, createdAt: 1 }));
  return { identity, device, certificate };
}

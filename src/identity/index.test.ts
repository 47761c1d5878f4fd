import { describe, expect, it } from 'vitest';
import * as identity from './index';

describe('public face', () => {
  it('runs the whole flow: phrase → identity → certified device → verified certificate', () => {
    const phrase = identity.createMnemonic();
    const checked = identity.validateMnemonic(phrase);
    expect(checked.ok).toBe(true);
    const { identityKey } = identity.deriveIdentity(phrase);
    const device = identity.createDeviceKey();
    const certificate = identity.certifyDevice(identityKey, {
      devicePublicKey: device.publicKey,
      displayName: 'Desk',
      createdAt: Date.now(),
    });
    const verified = identity.verifyDeviceCertificate(identity.encodeDeviceCertificate(certificate));
    expect(verified).toEqual({ ok: true, certificate });
    expect(identity.fingerprint(identityKey.publicKey)).toMatch(/^(\w{4}-){3}\w{4}$/);
  });

  it('keeps raw, undomained primitives internal', () => {
    expect(Object.keys(identity)).not.toContain('ed25519Sign');
    expect(Object.keys(identity)).not.toContain('slip10DerivePath');
  });
});

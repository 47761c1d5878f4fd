import { memo, useEffect, useState } from 'react';
import { fingerprint } from '../../identity';
import { Dialog } from '../components/Dialog';
import { useRuntime } from '../runtime/context';
import { certifiedDevices, type CertifiedDevice } from './devices';
import { forgetIdentity, type DeviceIdentity } from './keystore';
import { recoveryWordsThisSession } from './session';

/// Who you are here: your key's fingerprint (compare it with what another device shows),
/// your devices, and the way out.
export const IdentityPanel = memo(function IdentityPanel({ me, wrapped, open, onClose }: { me: DeviceIdentity; wrapped: boolean; open: boolean; onClose: () => void }) {
  const { replica } = useRuntime();
  const [devices, setDevices] = useState<CertifiedDevice[]>([]);
  const [words, setWords] = useState<readonly string[] | null>(null);
  useEffect(() => {
    if (!open) return setWords(null);
    void certifiedDevices(replica, me.identity.publicKey).then(setDevices);
  }, [open, replica, me]);
  const sessionWords = recoveryWordsThisSession.get();
  return (
    <Dialog title="Identity" open={open} onClose={onClose}>
      <dl className="identity">
        <dt>Your key’s fingerprint</dt>
        <dd>
          <code aria-label="Fingerprint">{fingerprint(me.identity.publicKey)}</code>
        </dd>
        <dt>This device</dt>
        <dd>
          {me.certificate.displayName} · <code>{fingerprint(me.device.publicKey)}</code>
        </dd>
        <dt>Keys on this device</dt>
        <dd>{wrapped ? 'Encrypted with a key this browser will not export' : 'Stored without encryption: this browser lacks WebCrypto key storage'}</dd>
      </dl>
      <h3>Your devices</h3>
      <ul aria-label="Devices">
        {devices.map((d) => (
          <li key={d.deviceKey}>
            {d.displayName} <small>since {new Date(d.createdAt).toLocaleDateString()}</small>
          </li>
        ))}
      </ul>
      <h3>Recovery words</h3>
      {words ? (
        <ol aria-label="Recovery words" className="recovery-words">
          {words.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ol>
      ) : sessionWords ? (
        <button type="button" onClick={() => confirm('Show your 12 recovery words on screen? Make sure nobody is looking.') && setWords(sessionWords)}>
          Show recovery words
        </button>
      ) : (
        <p>Your words were shown when this identity was made here. They are not stored on this device, so they cannot be shown again.</p>
      )}
      <h3>Leave this device</h3>
      <p>Signing out forgets your keys on this device. Your notes stay; to come back you need your 12 words.</p>
      <button
        type="button"
        className="danger"
        onClick={async () => {
          if (!confirm('Sign out of this device? Without your 12 words you cannot come back.')) return;
          recoveryWordsThisSession.clear();
          await forgetIdentity();
          location.reload();
        }}
      >
        Sign out of this device
      </button>
    </Dialog>
  );
});

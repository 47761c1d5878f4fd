import { useEffect, useState } from 'react';
import { useRuntime } from '../runtime/context';
import { Dialog } from './Dialog';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

/// Where the notes are kept, and whether the browser promised to keep them.
export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { storage } = useRuntime();
  const [persisted, setPersisted] = useState<boolean | null>(null);
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | null>(null);
  useEffect(() => {
    if (!open) return;
    void storage.persist().then(setPersisted, () => setPersisted(false));
    void storage.estimate().then(
      (e) => setEstimate({ usage: e.usage ?? 0, quota: e.quota ?? 0 }),
      () => setEstimate(null),
    );
  }, [open, storage]);
  return (
    <Dialog title="Settings" open={open} onClose={onClose}>
      <section aria-label="Storage" className="settings">
        <h3>Storage on this device</h3>
        <dl>
          <dt>Kept in</dt>
          <dd>{storage.storageKind === 'opfs' ? 'The browser’s private file system (OPFS)' : 'IndexedDB (slower fallback)'}</dd>
          <dt>Persistent storage</dt>
          <dd>{persisted === null ? 'Asking…' : persisted ? 'Granted: the browser will not clear your notes to free space' : 'Not granted'}</dd>
          <dt>Used</dt>
          <dd>{estimate ? `${formatBytes(estimate.usage)} of ${formatBytes(estimate.quota)} available` : '—'}</dd>
        </dl>
        {persisted === false ? (
          <p role="alert" className="warning">
            The browser may clear this site’s storage when space runs low. Install the app, or keep a backup, so your notes are not lost.
          </p>
        ) : null}
      </section>
    </Dialog>
  );
}

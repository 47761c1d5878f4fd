import { memo, useEffect, useState } from 'react';
import { useRuntime } from '../runtime/context';
import { useNetwork, useNetworkStatus } from '../runtime/network-context';

/// Where the notes stand: saved on this device always; for a shared notebook, whether peers
/// are connected, and for each what it has of this device's changes, so a person can trust
/// that closing the laptop loses nothing.
export const SyncStatus = memo(function SyncStatus({ notebookId }: { notebookId: string | null }) {
  const { storage } = useRuntime();
  const network = useNetwork();
  const status = useNetworkStatus();
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    addEventListener('online', update);
    addEventListener('offline', update);
    return () => {
      removeEventListener('online', update);
      removeEventListener('offline', update);
    };
  }, []);
  const peers = notebookId ? network.peersOf(notebookId) : [];
  const state = !online ? 'Offline' : peers.length > 0 ? (peers.every((p) => p.progress.peerHasUpTo >= status.localVersion) ? 'Synced' : 'Syncing') : status.state === 'connecting' ? 'Connecting' : 'Online';
  return (
    <div role="status" aria-label="Sync status" className="sync-status">
      <details>
        <summary>
          <span className={peers.length > 0 && online ? 'dot dot--online' : 'dot'} aria-hidden="true" />
          {state}
          {peers.length > 0 ? ` · ${peers.length} ${peers.length === 1 ? 'peer' : 'peers'}` : ''} · saved on this device
          {storage.storageKind === 'indexeddb' ? ' (IndexedDB fallback: slower storage)' : ''}
        </summary>
        <ul className="sync-status__peers" aria-label="Peers">
          {peers.map((p) => {
            const upTo = network.changesUpTo(p.progress.peerHasUpTo);
            return (
              <li key={p.peerId}>
                {p.name} ({p.route === 'cloud' ? 'cloud peer' : p.route === 'direct' ? 'direct' : 'relayed'}){' '}
                {upTo === null ? 'has all your changes' : upTo === 'unknown' ? 'is catching up with your changes' : `has your changes up to ${timeOfDay().format(upTo)}`}
                {p.progress.received > 0 ? ` · received ${count().format(p.progress.received)} changes` : ''}
              </li>
            );
          })}
          {peers.length === 0 ? <li>{notebookId && status.lastError ? `No peer reachable (${status.lastError})` : 'This notebook is on this device only. Share it to sync.'}</li> : null}
        </ul>
      </details>
    </div>
  );
});

/// Made once: building an Intl formatter costs about a millisecond, and this view re-renders
/// while people type.
let timeFormat: Intl.DateTimeFormat | null = null;
let countFormat: Intl.NumberFormat | null = null;
const timeOfDay = () => (timeFormat ??= new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' }));
const count = () => (countFormat ??= new Intl.NumberFormat());

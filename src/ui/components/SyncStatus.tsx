import { useEffect, useState } from 'react';
import { useRuntime } from '../runtime/context';

/// Where the notes stand. Peers join this in the peer-to-peer issue; until then it says
/// that everything is saved on this device, and whether the browser is online.
export function SyncStatus() {
  const { storage } = useRuntime();
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
  return (
    <div role="status" aria-label="Sync status" className="sync-status">
      <span className={online ? 'dot dot--online' : 'dot'} aria-hidden="true" />
      {online ? 'Online' : 'Offline'} · saved on this device
      {storage.storageKind === 'indexeddb' ? ' (IndexedDB fallback: slower storage)' : ''}
    </div>
  );
}

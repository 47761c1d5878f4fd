import { Workbox } from 'workbox-window';

export interface UpdateHandle {
  /// Saves pending edits, lets the new version take over, and reloads into it.
  apply(): Promise<void>;
}

/// Registers the service worker (offline app shell, wasm and worker precached). When a new
/// version is waiting, `onUpdate` is called; the app reloads only when the person says so,
/// and only after `beforeReload` has saved everything.
export function registerServiceWorker(onUpdate: (update: UpdateHandle) => void, beforeReload: () => Promise<void>): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
  wb.addEventListener('waiting', () => {
    onUpdate({
      async apply() {
        await beforeReload();
        wb.addEventListener('controlling', () => location.reload());
        wb.messageSkipWaiting();
      },
    });
  });
  wb.register().catch((error: unknown) => console.error('service worker registration failed', error));
}

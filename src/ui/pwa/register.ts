import { Workbox } from 'workbox-window';

export interface UpdateHandle {
  /// Saves pending edits, lets the new version take over, and reloads into it.
  apply(): Promise<void>;
}

/// How often an open tab asks the server for a new version. The browser itself looks only
/// when a page is loaded, and a notes app stays open for days.
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/// Registers the service worker (offline app shell, wasm and worker precached). When a new
/// version is waiting, `onUpdate` is called; the app reloads only when the person says so,
/// and only after `beforeReload` has saved everything: once before the new version is let
/// in, and again right before the reload, for what was typed while it activated. If saving
/// fails, the page is not reloaded. Returns a function that stops the update checks.
export function registerServiceWorker(onUpdate: (update: UpdateHandle) => void, beforeReload: () => Promise<void>): () => void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return () => undefined;
  const wb = new Workbox(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL });
  let applying: Promise<void> | null = null;

  const saveAndReload = async () => {
    try {
      await beforeReload();
    } catch (error) {
      console.error('not reloading into the new version: saving the notes failed', error);
      applying = null; // the next click tries again
      return;
    }
    location.reload();
  };

  const letInNewVersion = async () => {
    await beforeReload();
    const registration = await navigator.serviceWorker.getRegistration(import.meta.env.BASE_URL);
    if (!registration?.waiting) {
      // Another tab has let the new version in already: it controls this page too.
      await saveAndReload();
      return;
    }
    wb.addEventListener('controlling', () => void saveAndReload());
    wb.messageSkipWaiting();
  };

  wb.addEventListener('waiting', () => {
    onUpdate({
      // A second click waits for the first; after a failed save, it tries again.
      apply: () =>
        (applying ??= letInNewVersion().catch((error: unknown) => {
          applying = null;
          throw error;
        })),
    });
  });
  wb.register().catch((error: unknown) => console.error('service worker registration failed', error));
  const timer = setInterval(() => void wb.update().catch(() => undefined), UPDATE_CHECK_MS);
  return () => clearInterval(timer);
}

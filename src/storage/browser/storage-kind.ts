import type { StorageKind, StoragePreference } from './protocol';

/// The part of a worker's global scope that decides where a database can live.
export interface StorageScope {
  readonly FileSystemFileHandle?: { readonly prototype?: { readonly createSyncAccessHandle?: unknown } };
  readonly navigator?: { readonly storage?: { readonly getDirectory?: unknown } };
}

/// True where OPFS synchronous access handles exist: dedicated workers of Chromium 108+,
/// Firefox 111+, Safari 17+. Not on the main thread, and not in some embedded or private
/// contexts: there the adapter falls back to IndexedDB.
export function hasSyncAccessHandles(scope: StorageScope = globalThis as StorageScope): boolean {
  return typeof scope.FileSystemFileHandle?.prototype?.createSyncAccessHandle === 'function' && typeof scope.navigator?.storage?.getDirectory === 'function';
}

/// The storage a preference means in `scope`: `auto` is OPFS where sync access handles exist,
/// else IndexedDB (never a failure to start).
export function resolveStorageKind(preference: StoragePreference, scope: StorageScope = globalThis as StorageScope): StorageKind {
  if (preference !== 'auto') return preference;
  return hasSyncAccessHandles(scope) ? 'opfs' : 'indexeddb';
}

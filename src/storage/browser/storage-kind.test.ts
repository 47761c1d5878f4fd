import { describe, expect, it } from 'vitest';
import { hasSyncAccessHandles, resolveStorageKind, type StorageScope } from './storage-kind';

const opfsWorker: StorageScope = {
  FileSystemFileHandle: { prototype: { createSyncAccessHandle: () => undefined } },
  navigator: { storage: { getDirectory: () => undefined } },
};
// A page (no sync handles on the main thread), or a browser that lacks them in workers.
const noSyncHandles: StorageScope = { FileSystemFileHandle: { prototype: {} }, navigator: { storage: { getDirectory: () => undefined } } };
const noOpfs: StorageScope = { navigator: {} };

describe('storage kind', () => {
  it('sees sync access handles only where both the handle method and OPFS exist', () => {
    expect(hasSyncAccessHandles(opfsWorker)).toBe(true);
    expect(hasSyncAccessHandles(noSyncHandles)).toBe(false);
    expect(hasSyncAccessHandles(noOpfs)).toBe(false);
    expect(hasSyncAccessHandles({})).toBe(false);
  });

  it('auto falls back to IndexedDB instead of failing', () => {
    expect(resolveStorageKind('auto', opfsWorker)).toBe('opfs');
    expect(resolveStorageKind('auto', noSyncHandles)).toBe('indexeddb');
    expect(resolveStorageKind('auto', noOpfs)).toBe('indexeddb');
  });

  it('an explicit choice is kept', () => {
    expect(resolveStorageKind('memory', noOpfs)).toBe('memory');
    expect(resolveStorageKind('opfs', noOpfs)).toBe('opfs');
  });
});

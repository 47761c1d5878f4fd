/// The browser storage adapter: the `SqlDatabase` port on cr-sqlite in a dedicated worker,
/// on OPFS (AccessHandlePoolVFS, synchronous build) or, where OPFS sync access handles are
/// missing, IndexedDB (IDBBatchAtomicVFS, Asyncify build). One tab's worker owns the file
/// (Web Lock); other tabs forward their calls to it and take over when it goes away.
/// PROTOCOL.md describes the roles, the tab channel, the call log and the files.
export { openBrowserDatabase, readDatabaseFile, deleteBrowserDatabase, type BrowserDatabase, type BrowserDatabaseOptions } from './client';
export { openDatabaseCopy, type DatabaseCopy } from './database-copy';
export { TabHandoverError } from './errors';
export type { RouterStats, StorageKind, StoragePreference, TabRole } from './protocol';
export { StorageOpenError, type StorageOpenErrorKind } from '../open-errors';

import { hasSqliteHeader } from '../open-errors';
import { parsePoolHeader, POOL_HEADER_BYTES, poolPath, SQLITE_OPEN_MAIN_DB, type PoolHeader } from './pool-format';

/// The OPFS side of the pool: where each database's pool directory is, and reading it with
/// the ordinary asynchronous file API, which works only while no tab holds access handles on
/// it (the database's Web Lock is free, or held by the caller before it starts the pool).

/// Every database gets its own pool directory, so that the VFS of one database (which takes
/// a handle on every file of its directory) never blocks another.
const POOL_ROOT = 'notes-sqlite';

export function poolDirectoryPath(name: string): string {
  return `${POOL_ROOT}/${name}`;
}

/// The SQLite file name of a database inside its pool.
export function databaseFileName(name: string): string {
  return name;
}

export interface PoolFileInfo {
  readonly file: string;
  readonly header: PoolHeader;
  /// The bytes after the header.
  readonly dataBytes: number;
  /// The data starts with SQLite's magic string: a main database file.
  readonly holdsDatabase: boolean;
}

async function poolDirectory(name: string, create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
  let dir = await navigator.storage.getDirectory();
  for (const part of poolDirectoryPath(name).split('/')) {
    try {
      dir = await dir.getDirectoryHandle(part, { create });
    } catch (error) {
      if (!create && error instanceof DOMException && error.name === 'NotFoundError') return undefined;
      throw error;
    }
  }
  return dir;
}

async function poolFileHandles(dir: FileSystemDirectoryHandle): Promise<FileSystemFileHandle[]> {
  const files: FileSystemFileHandle[] = [];
  // `values()` is in every browser with OPFS but not yet in TypeScript's DOM types.
  const entries = (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values();
  for await (const handle of entries) if (handle.kind === 'file') files.push(handle as FileSystemFileHandle);
  return files;
}

/// The methods of a FileSystemSyncAccessHandle used here (DOM typings lack them: worker only).
interface SyncAccessHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  getSize(): number;
  close(): void;
}

/// The first `bytes` bytes of a file and its size. With a sync access handle (in a worker)
/// this takes a few milliseconds; File.slice() through the blob system took 20-30 ms a file.
async function readHead(handle: FileSystemFileHandle, bytes: number): Promise<{ head: Uint8Array; size: number }> {
  const withSyncHandle = handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandle> };
  if (typeof withSyncHandle.createSyncAccessHandle === 'function') {
    const access = await withSyncHandle.createSyncAccessHandle();
    try {
      const head = new Uint8Array(bytes);
      const read = access.read(head, { at: 0 });
      return { head: head.subarray(0, read), size: access.getSize() };
    } finally {
      access.close();
    }
  }
  const file = await handle.getFile();
  return { head: new Uint8Array(await file.slice(0, bytes).arrayBuffer()), size: file.size };
}

/// Reads the header of every file of a database's pool. Throws NoModificationAllowedError
/// while another context holds access handles on them.
export async function inspectPool(name: string): Promise<PoolFileInfo[]> {
  const dir = await poolDirectory(name, false);
  if (!dir) return [];
  return Promise.all(
    (await poolFileHandles(dir)).map(async (handle) => {
      const { head, size } = await readHead(handle, POOL_HEADER_BYTES + 100);
      return {
        file: handle.name,
        header: parsePoolHeader(head),
        dataBytes: Math.max(0, size - POOL_HEADER_BYTES),
        holdsDatabase: hasSqliteHeader(head.subarray(POOL_HEADER_BYTES)),
      };
    }),
  );
}

/// The stored bytes of database `name`, read straight from its pool file: what can be
/// exported when SQLite cannot open it. Falls back to a file whose header is damaged but
/// whose data is an SQLite database. Undefined when there is no such file.
export async function readPoolDatabase(name: string): Promise<Uint8Array | undefined> {
  const dir = await poolDirectory(name, false);
  if (!dir) return undefined;
  const path = poolPath(databaseFileName(name));
  let fallback: FileSystemFileHandle | undefined;
  for (const handle of await poolFileHandles(dir)) {
    const { head } = await readHead(handle, POOL_HEADER_BYTES + 100);
    const header = parsePoolHeader(head);
    if (header.state === 'associated' && header.path === path && header.flags & SQLITE_OPEN_MAIN_DB) return readData(handle);
    if (header.state === 'damaged' && hasSqliteHeader(head.subarray(POOL_HEADER_BYTES))) fallback ??= handle;
  }
  return fallback ? readData(fallback) : undefined;
}

async function readData(handle: FileSystemFileHandle): Promise<Uint8Array> {
  return new Uint8Array(await (await handle.getFile()).slice(POOL_HEADER_BYTES).arrayBuffer());
}

/// Removes database `name`'s pool directory and everything in it.
export async function deletePool(name: string): Promise<void> {
  try {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(POOL_ROOT);
    await root.removeEntry(name, { recursive: true });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotFoundError') return;
    throw error;
  }
}

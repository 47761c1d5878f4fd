import * as SQLite from '@vlcn.io/wa-sqlite';
import SyncModuleFactory from '@vlcn.io/wa-sqlite/dist/crsqlite-sync.mjs';
import syncWasmUrl from '@vlcn.io/wa-sqlite/dist/crsqlite-sync.wasm?url';
import { AccessHandlePoolVFS } from '@vlcn.io/wa-sqlite/src/examples/AccessHandlePoolVFS.js';
import { classifyOpenError, classifyPlatformOpenError, StorageOpenError } from '../open-errors';
import { WasmSqlDatabase, type WasmSqliteModule } from '../wasm-database';
import { poolPath, SQLITE_OPEN_MAIN_DB } from './pool-format';
import { databaseFileName, inspectPool, poolDirectoryPath, type PoolFileInfo } from './pool-files';
import type { StorageKind } from './protocol';
import { hasSyncAccessHandles } from './storage-kind';
import { markStartup } from './startup-marks';

/// Opening a database inside the worker, on one of three engines, always through
/// `WasmSqlDatabase` (the same pragmas and the same statement code as in Node):
/// - `opfs`: the synchronous cr-sqlite build on wa-sqlite's AccessHandlePoolVFS;
/// - `indexeddb`: the asynchronous (Asyncify) build on IDBBatchAtomicVFS, as the default
///   export of @vlcn.io/crsqlite-wasm does; the fallback where OPFS sync handles are missing;
/// - `memory`: the synchronous build in memory (benchmark baselines, tests).

export interface OpenedStorage {
  readonly kind: StorageKind;
  readonly db: WasmSqlDatabase;
  /// The raw bytes of the database file. Call only between statements.
  readFile(): Promise<Uint8Array>;
  /// Closes the database and lets go of the files.
  close(): Promise<void>;
}

interface LoadedBuild {
  readonly sqlite3: SQLiteAPI;
  readonly module: WasmSqliteModule;
}

let syncBuild: Promise<LoadedBuild> | undefined;

/// Loads the synchronous build once per worker (a failed load is retried on the next call).
/// `compiled` is the wasm already compiled by the page (see client.ts), which spares each
/// worker compiling 880 KB of wasm again; without it, or if it cannot be instantiated, the
/// worker fetches and compiles the wasm itself.
export function loadSyncBuild(compiled?: WebAssembly.Module): Promise<LoadedBuild> {
  syncBuild ??= instantiateSyncBuild(compiled).catch((error: unknown) => {
    if (!compiled) throw error;
    console.warn('the page-compiled cr-sqlite module failed; compiling it in the worker', error);
    return instantiateSyncBuild(undefined);
  });
  syncBuild.catch(() => (syncBuild = undefined));
  return syncBuild;
}

async function instantiateSyncBuild(compiled: WebAssembly.Module | undefined): Promise<LoadedBuild> {
  let failed: ((error: unknown) => void) | undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  // Emscripten's hook: instantiate the given module and hand the instance back.
  const instantiateWasm = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
    WebAssembly.instantiate(compiled!, imports).then((instance) => receive(instance, compiled!), failed);
    return {};
  };
  const factory = SyncModuleFactory({ locateFile: () => syncWasmUrl, ...(compiled ? { instantiateWasm } : {}) });
  const module = (await Promise.race([factory, failure])) as WasmSqliteModule;
  return { module, sqlite3: SQLite.Factory(module) };
}

let asyncBuild: Promise<LoadedBuild & { readonly idbVfs: string }> | undefined;

/// The asynchronous build and the IndexedDB VFS, loaded only when needed: neither is part of
/// the OPFS path's download.
function loadAsyncBuild(): Promise<LoadedBuild & { readonly idbVfs: string }> {
  asyncBuild ??= (async () => {
    const [{ default: factory }, { default: wasmUrl }, { IDBBatchAtomicVFS }] = await Promise.all([
      import('@vlcn.io/wa-sqlite/dist/crsqlite.mjs'),
      import('@vlcn.io/wa-sqlite/dist/crsqlite.wasm?url'),
      import('@vlcn.io/wa-sqlite/src/examples/IDBBatchAtomicVFS.js'),
    ]);
    const module = (await factory({ locateFile: () => wasmUrl })) as WasmSqliteModule;
    const sqlite3 = SQLite.Factory(module);
    // Default durability, not crsqlite-wasm's "relaxed": a write the app was told is
    // committed must survive a crash of the browser too.
    const vfs = new IDBBatchAtomicVFS(IDB_VFS_NAME, { durability: 'default' });
    sqlite3.vfs_register(vfs as unknown as SQLiteVFS, false);
    return { module, sqlite3, idbVfs: vfs.name };
  })();
  asyncBuild.catch(() => (asyncBuild = undefined));
  return asyncBuild;
}

/// The IndexedDB database that holds every database of the fallback, block by block.
export const IDB_VFS_NAME = 'notes-sqlite';

/// Opens database `name`. The caller holds the database's Web Lock. Rejects with a
/// StorageOpenError, never with anything else.
export async function openStorage(name: string, kind: StorageKind, compiled?: WebAssembly.Module): Promise<OpenedStorage> {
  const where = `database "${name}"`;
  try {
    switch (kind) {
      case 'opfs':
        if (!hasSyncAccessHandles()) throw new StorageOpenError('unavailable', 'this browser has no OPFS sync access handles');
        return await openOpfs(name, where, compiled);
      case 'indexeddb':
        return await openIndexedDb(name);
      case 'memory': {
        const { sqlite3, module } = await loadSyncBuild(compiled);
        const db = await WasmSqlDatabase.open(sqlite3, module, ':memory:');
        return { kind, db, readFile: () => Promise.reject(new Error('an in-memory database has no file')), close: () => db.close() };
      }
    }
  } catch (error) {
    if (error instanceof StorageOpenError) throw error;
    throw classifyPlatformOpenError(error, where) ?? classifyOpenError(error, where);
  }
}

async function openIndexedDb(name: string): Promise<OpenedStorage> {
  const { sqlite3, module, idbVfs } = await loadAsyncBuild();
  const db = await WasmSqlDatabase.open(sqlite3, module, databaseFileName(name), idbVfs);
  return {
    kind: 'indexeddb',
    db,
    readFile: () => Promise.reject(new Error('raw export reads OPFS files only; this database is in IndexedDB')),
    close: () => db.close(),
  };
}

/// How long a tab that was just given the lock keeps trying to take the pool's access
/// handles: the tab that had them may still be letting go of them.
const HANDLE_RETRY_MS = 3000;

async function openOpfs(name: string, where: string, compiled?: WebAssembly.Module): Promise<OpenedStorage> {
  // The pool first, then the wasm: compiling the wasm keeps both cores of a small machine
  // busy, and the OPFS calls (answered by the browser process) then took 100-200 ms
  // instead of 10.
  const vfs = await startPool(name, where);
  markStartup('worker-pool-ready');
  try {
    const { sqlite3, module } = await loadSyncBuild(compiled);
    markStartup('worker-wasm-ready');
    sqlite3.vfs_register(vfs as unknown as SQLiteVFS, false);
    const db = await WasmSqlDatabase.open(sqlite3, module, databaseFileName(name), vfs.name);
    markStartup('worker-database-open');
    return {
      kind: 'opfs',
      db,
      readFile: async () => vfs.readWholeFile(databaseFileName(name)),
      close: async () => {
        try {
          await db.close();
        } finally {
          await vfs.close();
        }
      },
    };
  } catch (error) {
    await vfs.close().catch(() => undefined);
    if (vfs.sawFull) throw new StorageOpenError('full', `no space left to open database "${name}": the browser's storage quota for this site is used up`, error);
    throw error;
  }
}

/// Checks the pool's files and takes their access handles, retrying while the previous
/// owner's handles are still being released.
async function startPool(name: string, where: string): Promise<GuardedPoolVFS> {
  const deadline = Date.now() + HANDLE_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    let vfs: GuardedPoolVFS | undefined;
    try {
      checkPoolFiles(await inspectPool(name), databaseFileName(name), where);
      vfs = new GuardedPoolVFS(poolDirectoryPath(name));
      await vfs.isReady;
      // The database, its journal and a super-journal at most; the pool starts with 6.
      if (vfs.getCapacity() - vfs.getSize() < 3) await vfs.addCapacity(3);
      return vfs;
    } catch (error) {
      await vfs?.close().catch(() => undefined);
      const busy = error instanceof DOMException && (error.name === 'NoModificationAllowedError' || error.name === 'InvalidStateError');
      if (!busy || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(25 * attempt, 200)));
    }
  }
}

/// Looks at the pool's files before the VFS does, for two things SQLite would report badly
/// or the VFS would make worse:
/// - a header whose digest does not match: the VFS "repairs" it by releasing the file and
///   truncating its data, silent loss of a database. Refused; the bytes stay where they are
///   for readDatabaseFile.
/// - a database file whose data does not start with SQLite's magic: cr-sqlite fails inside
///   open_v2 with a generic error, so this is checked here, as the Node adapter does.
function checkPoolFiles(files: readonly PoolFileInfo[], filename: string, where: string): void {
  const damaged = files.find((f) => f.header.state === 'damaged' && f.holdsDatabase);
  if (damaged) {
    throw new StorageOpenError('corrupt', `${where}: the header of its OPFS file ${damaged.file} is damaged; the data was left untouched`);
  }
  const path = poolPath(filename);
  const main = files.find((f) => f.header.state === 'associated' && f.header.path === path && f.header.flags & SQLITE_OPEN_MAIN_DB);
  if (main && main.dataBytes > 0 && !main.holdsDatabase) throw new StorageOpenError('not-a-database', `${where} is not an SQLite database`);
}

let poolCount = 0;

/// The pool VFS with a unique name per instance (a retry registers a fresh one), and with
/// exceptions of the access handle calls turned into SQLite error codes: the synchronous build
/// does not catch them, so a QuotaExceededError would otherwise escape through SQLite.
class GuardedPoolVFS extends AccessHandlePoolVFS {
  readonly #name = `opfs-pool-${++poolCount}`;
  /// A write failed for want of space (quota): SQLite may report that as a generic error
  /// while it opens the database, so the open error is classified with this.
  sawFull = false;

  override get name(): string {
    return this.#name;
  }

  override xRead(fileId: number, pData: Uint8Array, iOffset: number): number {
    return this.guard(() => super.xRead(fileId, pData, iOffset), SQLite.SQLITE_IOERR_READ);
  }

  override xWrite(fileId: number, pData: Uint8Array, iOffset: number): number {
    const rc = this.guard(() => super.xWrite(fileId, pData, iOffset), SQLite.SQLITE_IOERR_WRITE);
    // The pool reports a short write as a generic I/O error; on OPFS a write comes up short
    // when the origin's quota is used up.
    if (rc === SQLite.SQLITE_IOERR) {
      this.sawFull = true;
      return SQLite.SQLITE_FULL;
    }
    return rc;
  }

  override xTruncate(fileId: number, iSize: number): number {
    return this.guard(() => super.xTruncate(fileId, iSize), SQLite.SQLITE_IOERR_TRUNCATE);
  }

  override xSync(fileId: number, flags: number): number {
    return this.guard(() => super.xSync(fileId, flags), SQLite.SQLITE_IOERR_FSYNC);
  }

  override xFileSize(fileId: number, pSize64: DataView): number {
    return this.guard(() => super.xFileSize(fileId, pSize64), SQLite.SQLITE_IOERR_FSTAT);
  }

  override xClose(fileId: number): number {
    return this.guard(() => super.xClose(fileId), SQLite.SQLITE_IOERR_CLOSE);
  }

  private guard(call: () => number, ioError: number): number {
    try {
      return call();
    } catch (error) {
      console.error('OPFS access handle call failed', error);
      if (error instanceof DOMException && error.name === 'QuotaExceededError') {
        this.sawFull = true;
        return SQLite.SQLITE_FULL;
      }
      return ioError;
    }
  }

  /// Reads a whole SQLite file of the pool through the VFS's own handles (the only way while
  /// the pool holds them).
  readWholeFile(filename: string): Uint8Array {
    const fileId = -1; // SQLite's file ids are wasm pointers: never negative.
    const flags = SQLite.SQLITE_OPEN_READONLY | SQLite.SQLITE_OPEN_MAIN_DB;
    if (this.xOpen(poolPath(filename), fileId, flags, new DataView(new ArrayBuffer(4))) !== SQLite.SQLITE_OK) {
      throw new Error(`no file ${filename} in the pool`);
    }
    try {
      const size = new DataView(new ArrayBuffer(8));
      if (this.xFileSize(fileId, size) !== SQLite.SQLITE_OK) throw new Error(`cannot read the size of ${filename}`);
      const bytes = new Uint8Array(Number(size.getBigInt64(0, true)));
      const rc = bytes.byteLength === 0 ? SQLite.SQLITE_OK : this.xRead(fileId, bytes, 0);
      if (rc !== SQLite.SQLITE_OK) throw new Error(`reading ${filename} failed (${rc})`);
      return bytes;
    } finally {
      this.xClose(fileId);
    }
  }
}


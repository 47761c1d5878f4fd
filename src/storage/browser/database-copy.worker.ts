/// A worker that holds one database file's bytes in memory as a cr-sqlite database of its
/// own, apart from the stored databases and their OPFS pool: a file to import is opened and
/// read here, and a database file is built here where the stored one cannot be read raw.
/// (MemoryVFS is an example VFS of wa-sqlite: files live in its `mapNameToFile`.)
/// The page reaches it through comlink (see database-copy.ts).
import { expose, transfer } from 'comlink';
import * as SQLite from '@vlcn.io/wa-sqlite';
import { MemoryVFS } from '@vlcn.io/wa-sqlite/src/examples/MemoryVFS.js';
import { classifyOpenError, StorageOpenError } from '../open-errors';
import { WasmSqlDatabase } from '../wasm-database';
import { loadSyncBuild } from './engines';
import { installTypedErrors } from './errors';
import type { SqlRow, SqlStatement, SqlValue } from '../../sync/ports';

installTypedErrors();

const FILE = '/copy.sqlite';

let vfs: MemoryVFS | null = null;
let db: WasmSqlDatabase | null = null;

function opened(): WasmSqlDatabase {
  if (!db) throw new Error('the database copy is not open');
  return db;
}

export interface DatabaseCopyWorkerApi {
  /// Opens `bytes` (empty: a new database) as the database of this worker.
  open(bytes: Uint8Array, syncWasm?: WebAssembly.Module): Promise<void>;
  /// The `SqlDatabase` port's calls, on that database.
  query(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]>;
  transact(statements: readonly SqlStatement[]): Promise<SqlRow[][]>;
  execScript(sql: string): Promise<void>;
  /// The bytes of the database file as it is now (call between statements).
  readFile(): Uint8Array;
  close(): Promise<void>;
}

const api: DatabaseCopyWorkerApi = {
  async open(bytes, syncWasm) {
    if (db) throw new Error('the database copy is already open');
    const { sqlite3, module } = await loadSyncBuild(syncWasm);
    vfs = new MemoryVFS();
    // One VFS per worker, so its name (and the file's) need not be unique.
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    const data = whole ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
    vfs.mapNameToFile.set(FILE, { name: FILE, flags: SQLite.SQLITE_OPEN_MAIN_DB, size: bytes.byteLength, data });
    sqlite3.vfs_register(vfs as unknown as SQLiteVFS, false);
    try {
      db = await WasmSqlDatabase.open(sqlite3, module, FILE, vfs.name);
    } catch (error) {
      throw error instanceof StorageOpenError ? error : classifyOpenError(error, 'the database file');
    }
  },
  query: (sql, params) => opened().query(sql, params),
  transact: (statements) => opened().transact(statements),
  execScript: (sql) => opened().execScript(sql),
  readFile() {
    opened();
    const file = vfs!.mapNameToFile.get(FILE)!;
    const bytes = new Uint8Array(file.data, 0, file.size).slice();
    return transfer(bytes, [bytes.buffer]);
  },
  async close() {
    const database = db;
    db = null;
    await database?.close();
    vfs?.mapNameToFile.clear();
  },
};

expose(api);

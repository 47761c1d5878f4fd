import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as SQLite from '@vlcn.io/wa-sqlite';
import ModuleFactory from '@vlcn.io/wa-sqlite/dist/crsqlite-sync.mjs';
import { NodeFileVFS } from './node-file-vfs';
import { classifyOpenError, hasSqliteHeader, StorageOpenError } from './open-errors';
import { WasmSqlDatabase, type WasmSqliteModule } from './wasm-database';

const require = createRequire(import.meta.url);

interface NodeSqlite {
  readonly sqlite3: SQLiteAPI;
  readonly module: WasmSqliteModule;
}
let loaded: Promise<NodeSqlite> | undefined;

/// Loads the synchronous cr-sqlite build once per process. In Node it must be handed the
/// wasm bytes: left alone it tries `fetch` on a file URL and fails.
export function loadNodeSqlite(): Promise<NodeSqlite> {
  loaded ??= (async () => {
    const wasmPath = path.join(path.dirname(require.resolve('@vlcn.io/wa-sqlite/package.json')), 'dist/crsqlite-sync.wasm');
    const module = (await ModuleFactory({ wasmBinary: fs.readFileSync(wasmPath) })) as WasmSqliteModule;
    const sqlite3 = SQLite.Factory(module);
    sqlite3.vfs_register(new NodeFileVFS(), false);
    return { sqlite3, module };
  })();
  return loaded;
}

/// A cr-sqlite database that lives in memory and is gone when closed.
export async function openMemoryDatabase(): Promise<WasmSqlDatabase> {
  const { sqlite3, module } = await loadNodeSqlite();
  return WasmSqlDatabase.open(sqlite3, module, ':memory:');
}

/// A cr-sqlite database in a file on disk (created if missing): the cloud peer's replica.
/// A file that exists but is not SQLite is refused untouched, with a StorageOpenError.
export async function openFileDatabase(file: string): Promise<WasmSqlDatabase> {
  const resolved = path.resolve(file);
  fs.mkdirSync(path.dirname(resolved), { recursive: true });
  const size = fs.existsSync(resolved) ? fs.statSync(resolved).size : 0;
  if (size > 0) {
    const head = new Uint8Array(100);
    const fd = fs.openSync(resolved, 'r');
    try {
      fs.readSync(fd, head, 0, head.byteLength, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (!hasSqliteHeader(head)) throw new StorageOpenError('not-a-database', `${file} is not an SQLite database`);
  }
  try {
    const { sqlite3, module } = await loadNodeSqlite();
    return await WasmSqlDatabase.open(sqlite3, module, resolved, 'node-file');
  } catch (error) {
    throw classifyOpenError(error, file);
  }
}

// Test-only page: exposes the browser storage adapter on `window.storageHarness` so that
// Playwright tests and the opfs benchmark can drive it with page.evaluate. Built only when
// STORAGE_HARNESS=1 (see vite.config.ts); the production build does not contain it.
import { deleteBrowserDatabase, openBrowserDatabase, readDatabaseFile, StorageOpenError, type BrowserDatabase, type StorageKind, type StoragePreference } from '../../src/storage/browser';
import { parsePoolHeader, POOL_HEADER_BYTES, poolPath } from '../../src/storage/browser/pool-format';
import { poolDirectoryPath } from '../../src/storage/browser/pool-files';
import type { SqlStatement, SqlValue } from '../../src/sync/ports';
import { storageContract } from '../../src/sync/testing/storage-contract';
import { runStorageBench, timeOpen, type BenchOptions } from './storage-bench';

const open = new Map<string, { db: BrowserDatabase; remoteWrites: number }>();
let serial = 0;

function handle(name: string) {
  const entry = open.get(name);
  if (!entry) throw new Error(`no open database ${name} in this page`);
  return entry;
}

function describeError(error: unknown) {
  return {
    name: error instanceof Error ? error.name : 'unknown',
    kind: error instanceof StorageOpenError ? error.kind : undefined,
    isStorageOpenError: error instanceof StorageOpenError,
    message: error instanceof Error ? error.message : String(error),
  };
}

const harness = {
  /// Runs one check of the storage contract against a fresh database of the given kind.
  /// `via: 'follower'`: another worker of this page (to the adapter, another tab) holds the
  /// database first, so every database the check opens is a follower forwarding its calls.
  async runContractCheck(checkName: string, storage: StoragePreference, via: 'owner' | 'follower' = 'owner') {
    const check = storageContract.find((c) => c.name === checkName);
    if (!check) throw new Error(`no contract check named ${checkName}`);
    const name = `contract-${Date.now().toString(36)}-${++serial}`;
    const kinds = new Set<string>();
    const roles = new Set<string>();
    const holder = via === 'follower' ? await openBrowserDatabase({ name, storage }) : undefined;
    const openIt = async () => {
      const db = await openBrowserDatabase({ name, storage });
      kinds.add(db.storageKind);
      roles.add(db.role);
      return db;
    };
    try {
      await check.run({ open: openIt, reopen: openIt });
      return { ok: true as const, kinds: [...kinds], roles: [...roles] };
    } catch (error) {
      return { ok: false as const, kinds: [...kinds], roles: [...roles], error: describeError(error) };
    } finally {
      await holder?.close();
      await deleteBrowserDatabase(name).catch(() => undefined);
    }
  },

  async open(name: string, storage: StoragePreference = 'auto', openTimeoutMs?: number) {
    const db = await openBrowserDatabase({ name, storage, ...(openTimeoutMs ? { openTimeoutMs } : {}) });
    const entry = { db, remoteWrites: 0 };
    db.onRemoteWrite(() => entry.remoteWrites++);
    open.set(name, entry);
    return { role: db.role, storageKind: db.storageKind };
  },

  /// Opens and reports the error instead of throwing it (StorageOpenError details survive).
  async openError(name: string, storage: StoragePreference = 'auto', openTimeoutMs?: number) {
    const started = performance.now();
    try {
      const db = await openBrowserDatabase({ name, storage, ...(openTimeoutMs ? { openTimeoutMs } : {}) });
      await db.close();
      return { error: null, ms: performance.now() - started };
    } catch (error) {
      return { error: describeError(error), ms: performance.now() - started };
    }
  },

  query: (name: string, sql: string, params: SqlValue[] = []) => handle(name).db.query(sql, params),
  transact: (name: string, statements: SqlStatement[]) => handle(name).db.transact(statements),
  execScript: (name: string, sql: string) => handle(name).db.execScript(sql),
  role: (name: string) => handle(name).db.role,
  remoteWrites: (name: string) => handle(name).remoteWrites,
  stats: (name: string) => handle(name).db.stats(),
  persist: (name: string) => handle(name).db.persist(),
  estimate: async (name: string) => {
    const { usage, quota } = await handle(name).db.estimate();
    return { usage, quota };
  },
  async close(name: string) {
    await handle(name).db.close();
    open.delete(name);
  },

  /// Single-row transactions `INSERT INTO <table>(id, tab) VALUES (?, ?)` for ids
  /// start..start+count-1, `concurrency` at a time. Logs `ack <tab> <id> <ms>` for each one
  /// the adapter confirmed (with the page's clock), so that the test knows of acknowledged
  /// writes even if the page dies.
  async burst(name: string, options: { table: string; tab: string; start: number; count: number; concurrency: number }) {
    const { db } = handle(name);
    let next = options.start;
    const end = options.start + options.count;
    const failures: ReturnType<typeof describeError>[] = [];
    let acked = 0;
    const lane = async () => {
      while (next < end) {
        const id = next++;
        try {
          await db.transact([{ sql: `INSERT INTO ${options.table} (id, tab) VALUES (?, ?)`, params: [id, options.tab] }]);
          acked++;
          console.log(`ack ${options.tab} ${id} ${performance.now().toFixed(1)}`);
        } catch (error) {
          failures.push(describeError(error));
          console.log(`fail ${options.tab} ${id} ${describeError(error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, lane));
    return { acked, failures };
  },

  async readFile(name: string) {
    const bytes = open.has(name) ? await handle(name).db.readFile() : await readDatabaseFile(name);
    return { length: bytes.byteLength, magic: new TextDecoder().decode(bytes.subarray(0, 15)), pageSize: new DataView(bytes.buffer, bytes.byteOffset).getUint16(16) };
  },

  deleteDatabase: (name: string) => deleteBrowserDatabase(name),

  /// Overwrites bytes of a closed OPFS database's pool file: `data` garbles the SQLite file
  /// itself (from its first byte), `header` the pool's header in front of it.
  async corruptFile(name: string, where: 'data' | 'header') {
    let dir = await navigator.storage.getDirectory();
    for (const part of poolDirectoryPath(name).split('/')) dir = await dir.getDirectoryHandle(part);
    for await (const entry of (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
      if (entry.kind !== 'file') continue;
      const fileHandle = entry as FileSystemFileHandle;
      const header = parsePoolHeader(new Uint8Array(await (await fileHandle.getFile()).slice(0, POOL_HEADER_BYTES).arrayBuffer()));
      if (header.state !== 'associated' || header.path !== poolPath(name)) continue;
      const garbage = new TextEncoder().encode('this is not an SQLite database, just garbage. '.repeat(100));
      const writable = await fileHandle.createWritable({ keepExistingData: true });
      await writable.write({ type: 'write', position: where === 'data' ? POOL_HEADER_BYTES : 0, data: where === 'data' ? garbage : garbage.subarray(0, 600) });
      await writable.close();
      return fileHandle.name;
    }
    throw new Error(`no pool file holds ${name}`);
  },

  bench: (options: BenchOptions) => runStorageBench(options),
  timeOpen: (name: string, storage: StorageKind) => timeOpen(name, storage),
};

declare global {
  interface Window {
    storageHarness: typeof harness;
  }
}
window.storageHarness = harness;
document.body.dataset.ready = 'true';

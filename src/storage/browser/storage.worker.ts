/// The storage worker: one per open database per tab. The page reaches it through comlink
/// (see client.ts); it owns the database or forwards to the tab that does (tab-router.ts).
import { expose, transfer } from 'comlink';
import { StorageOpenError } from '../open-errors';
import { IDB_VFS_NAME } from './engines';
import { installTypedErrors } from './errors';
import { acquireLock } from './locks';
import { databaseFileName, deletePool, readPoolDatabase } from './pool-files';
import { checkDatabaseName, type StorageWorkerApi } from './protocol';
import { markStartup, startupMarks } from './startup-marks';
import { databaseLockName } from './tab-channel';
import { TabRouter } from './tab-router';

markStartup('worker-started');
installTypedErrors();
const router = new TabRouter();

/// Runs `task` while holding database `name`'s lock, which is free only when no tab has the
/// database open.
async function whileNoTabHasIt<T>(name: string, timeoutMs: number, task: () => Promise<T>): Promise<T> {
  const lease = await acquireLock(databaseLockName(checkDatabaseName(name)), { signal: AbortSignal.timeout(timeoutMs) }).catch((error: unknown) => {
    throw new StorageOpenError('locked', `database "${name}" is open in another tab (waited ${timeoutMs} ms)`, error);
  });
  try {
    return await task();
  } finally {
    lease?.release();
  }
}

const api: StorageWorkerApi = {
  open: async (options, events) => {
    markStartup('worker-open-called');
    const opened = await router.open(options, events);
    return { ...opened, marks: startupMarks() };
  },
  run: (op) => router.run(op),
  readFile: async () => {
    const bytes = await router.readFile();
    return transfer(bytes, [bytes.buffer]);
  },
  stats: () => router.stats(),
  close: () => router.close(),
  readStoredFile: (name, timeoutMs) =>
    whileNoTabHasIt(name, timeoutMs, async () => {
      const bytes = await readPoolDatabase(name);
      if (!bytes) throw new StorageOpenError('unavailable', `no OPFS database "${name}" is stored in this browser`);
      return transfer(bytes, [bytes.buffer]);
    }),
  deleteStored: (name, timeoutMs) =>
    whileNoTabHasIt(name, timeoutMs, async () => {
      await deletePool(name);
      if (typeof indexedDB !== 'undefined') {
        const { IDBBatchAtomicVFS } = await import('@vlcn.io/wa-sqlite/src/examples/IDBBatchAtomicVFS.js');
        const vfs = new IDBBatchAtomicVFS(IDB_VFS_NAME);
        try {
          // Unregistered, the VFS runs its methods as plain promises.
          await vfs.xDelete(databaseFileName(name), 1);
          await vfs.xDelete(`${databaseFileName(name)}-journal`, 1);
        } finally {
          await vfs.close();
        }
      }
    }),
};

expose(api);

import { releaseProxy, transfer, wrap } from 'comlink';
import type { SqlDatabase, SqlStatement, SqlValue } from '../../sync/ports';
import { hasSqliteHeader, StorageOpenError } from '../open-errors';
import { answerOrFail, compiledSyncWasm } from './client';
import type { DatabaseCopyWorkerApi } from './database-copy.worker';
import { installTypedErrors } from './errors';

/// A database held in memory by a worker of its own (see database-copy.worker.ts): a file
/// being imported, or a database being built to be downloaded.
export interface DatabaseCopy extends SqlDatabase {
  /// The bytes of its database file as they are now.
  readFile(): Promise<Uint8Array>;
}

const OPEN_TIMEOUT_MS = 30_000;

/// Opens the bytes of an SQLite database file as a database of its own, in memory, apart
/// from this browser's stored databases (their files and the OPFS pool are not touched):
/// changes made to it are gone when it is closed. `bytes` empty: a new, empty database.
/// Bytes that are not an SQLite database are refused with a StorageOpenError
/// (`not-a-database`, or `corrupt` when SQLite cannot open them), and nothing is kept.
export async function openDatabaseCopy(bytes: Uint8Array): Promise<DatabaseCopy> {
  if (bytes.byteLength > 0 && !hasSqliteHeader(bytes)) throw new StorageOpenError('not-a-database', 'the file is not an SQLite database');
  installTypedErrors();
  const worker = new Worker(new URL('./database-copy.worker.ts', import.meta.url), { type: 'module', name: 'storage: database copy' });
  const remote = wrap<DatabaseCopyWorkerApi>(worker);
  const dispose = () => {
    remote[releaseProxy]();
    worker.terminate();
  };
  try {
    const wasm = await compiledSyncWasm();
    const copy = bytes.slice();
    await answerOrFail(worker, remote.open(transfer(copy, [copy.buffer]), wasm), OPEN_TIMEOUT_MS, 'open');
  } catch (error) {
    dispose();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const open = <T>(call: () => Promise<T>): Promise<T> => (closing ? Promise.reject(new Error('the database copy is closed')) : call());
  return {
    query: (sql: string, params: readonly SqlValue[] = []) => open(() => remote.query(sql, params)),
    transact: (statements: readonly SqlStatement[]) => open(() => remote.transact(statements)),
    execScript: (sql: string) => open(() => remote.execScript(sql)),
    readFile: () => remote.readFile(),
    close: () =>
      (closing ??= (async () => {
        try {
          await remote.close();
        } finally {
          dispose();
        }
      })()),
  };
}

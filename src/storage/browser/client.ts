import syncWasmUrl from '@vlcn.io/wa-sqlite/dist/crsqlite-sync.wasm?url';
import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { SqlDatabase, SqlRow, SqlStatement, SqlValue } from '../../sync/ports';
import { StorageOpenError } from '../open-errors';
import { EARLY_START_KEY, type EarlyStart } from './early-start';
import { installTypedErrors } from './errors';
import { checkDatabaseName, type Operation, type RouterStats, type StorageKind, type StoragePreference, type StorageWorkerApi, type TabRole } from './protocol';

export interface BrowserDatabaseOptions {
  /// Letters, digits, '.', '_' and '-'; names the OPFS directory, the lock and the channel.
  readonly name: string;
  /// Where the database lives; `auto` (the default) is OPFS, or IndexedDB where OPFS sync
  /// access handles are missing.
  readonly storage?: StoragePreference;
  /// How long to wait for another tab that holds the database to answer (default 10 s).
  readonly openTimeoutMs?: number;
}

/// The browser's `SqlDatabase`: cr-sqlite in a worker, safe across tabs.
export interface BrowserDatabase extends SqlDatabase {
  readonly name: string;
  /// `indexeddb` means the fallback: the UI should tell the person that storage is slower.
  readonly storageKind: StorageKind;
  /// Whether this tab's worker has the file open (`owner`) or sends calls to the tab that
  /// has (`follower`). Changes to `owner` when the owner tab goes away.
  readonly role: TabRole;
  /// Asks the browser not to evict this origin's storage (navigator.storage.persist).
  persist(): Promise<boolean>;
  /// This origin's usage and quota (navigator.storage.estimate).
  estimate(): Promise<StorageEstimate>;
  /// Calls `listener` after another tab committed a write (coalesced to about one call per
  /// frame). Returns the function that unsubscribes.
  onRemoteWrite(listener: () => void): () => void;
  onRoleChange(listener: (role: TabRole) => void): () => void;
  /// The raw bytes of the database file (OPFS only), read between two calls.
  readFile(): Promise<Uint8Array>;
  stats(): Promise<RouterStats>;
}

const DEFAULT_OPEN_TIMEOUT_MS = 10_000;
/// The worker answers `open` within its own timeout; this catches a worker that never
/// started (its script failed to load) or hangs.
const WORKER_GRACE_MS = 15_000;

let syncWasm: Promise<WebAssembly.Module | undefined> | undefined;

/// The synchronous build's wasm, compiled once per page and handed to every storage worker
/// (a compiled module can be posted to a dedicated worker): a second database, a reopen or a
/// takeover then skips compiling 880 KB of wasm. Undefined if compiling here fails; each
/// worker then compiles it itself.
export function compiledSyncWasm(): Promise<WebAssembly.Module | undefined> {
  syncWasm ??= WebAssembly.compileStreaming(fetch(syncWasmUrl)).catch(() => undefined);
  return syncWasm;
}

function startWorker(name: string): Worker {
  installTypedErrors();
  const early = takeEarlyStart(name);
  if (early) {
    syncWasm ??= early.wasm;
    // A worker whose script failed before anyone listened is replaced: the new one fails
    // (or not) where open() listens.
    if (early.error === null) return early.worker;
    early.worker.terminate();
  }
  return new Worker(new URL('./storage.worker.ts', import.meta.url), { type: 'module', name: `storage: ${name}` });
}

/// The worker the page's inline script started for database `name`, once (early-start.ts).
function takeEarlyStart(name: string): EarlyStart | undefined {
  const scope = globalThis as unknown as Record<string, EarlyStart | undefined>;
  const early = scope[EARLY_START_KEY];
  if (!early || early.name !== name || !(early.worker instanceof Worker)) return undefined;
  delete scope[EARLY_START_KEY];
  performance.mark('notes:worker-started-early');
  return early;
}

/// Calls the worker, rejecting with a StorageOpenError if the worker fails to start or does
/// not answer in time, rather than hanging.
export async function answerOrFail<T>(worker: Worker, call: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onError: ((event: ErrorEvent) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageOpenError('unavailable', `the storage worker did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
    onError = (event) => reject(new StorageOpenError('unavailable', `the storage worker failed to start: ${event.message || 'script error'}`));
    worker.addEventListener('error', onError);
  });
  try {
    return await Promise.race([call, failed]);
  } finally {
    clearTimeout(timer);
    worker.removeEventListener('error', onError!);
  }
}

/// Opens (creating if needed) database `name` in this browser. Rejects with a
/// StorageOpenError (corrupt, not a database, full, locked, unavailable), never hangs.
export async function openBrowserDatabase(options: BrowserDatabaseOptions): Promise<BrowserDatabase> {
  const name = checkDatabaseName(options.name);
  const openTimeoutMs = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
  const worker = startWorker(name);
  const remote = wrap<StorageWorkerApi>(worker);
  const remoteWrites = new Set<() => void>();
  const roleListeners = new Set<(role: TabRole) => void>();
  let role = 'follower' as TabRole; // updated by the events proxy
  const events = proxy({
    remoteWrite: () => remoteWrites.forEach((listener) => listener()),
    roleChanged: (next: TabRole) => {
      role = next;
      roleListeners.forEach((listener) => listener(next));
    },
  });
  const storage = options.storage ?? 'auto';
  const opening = (async () => {
    // Compiling overlaps the worker's start; IndexedDB uses the other (Asyncify) build.
    const wasm = storage === 'indexeddb' ? undefined : await compiledSyncWasm();
    performance.mark('notes:wasm-compiled');
    return remote.open({ name, storage, openTimeoutMs, ...(wasm ? { syncWasm: wasm } : {}) }, events);
  })();
  let opened;
  try {
    opened = await answerOrFail(worker, opening, openTimeoutMs + WORKER_GRACE_MS, 'open');
  } catch (error) {
    remote[releaseProxy]();
    worker.terminate();
    throw error;
  }
  for (const [mark, at] of opened.marks ?? []) performance.mark(`notes:${mark}`, { startTime: Math.max(0, at - performance.timeOrigin) });
  // A takeover may have been announced (on the events' own port) before open's answer came.
  if (role !== 'owner') role = opened.role;
  return new WorkerDatabase(name, opened.storageKind, () => role, remote, worker, remoteWrites, roleListeners);
}

class WorkerDatabase implements BrowserDatabase {
  private closing: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly storageKind: StorageKind,
    private readonly currentRole: () => TabRole,
    private readonly remote: Remote<StorageWorkerApi>,
    private readonly worker: Worker,
    private readonly remoteWrites: Set<() => void>,
    private readonly roleListeners: Set<(role: TabRole) => void>,
  ) {}

  get role(): TabRole {
    return this.currentRole();
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlRow[]> {
    return this.run({ kind: 'query', sql, params }) as Promise<SqlRow[]>;
  }

  transact(statements: readonly SqlStatement[]): Promise<SqlRow[][]> {
    return this.run({ kind: 'transact', statements }) as Promise<SqlRow[][]>;
  }

  async execScript(sql: string): Promise<void> {
    await this.run({ kind: 'execScript', sql });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.remote.close();
      } finally {
        this.remote[releaseProxy]();
        this.worker.terminate();
        this.remoteWrites.clear();
        this.roleListeners.clear();
      }
    })();
    return this.closing;
  }

  async persist(): Promise<boolean> {
    return (await navigator.storage?.persist?.()) ?? false;
  }

  estimate(): Promise<StorageEstimate> {
    return navigator.storage.estimate();
  }

  onRemoteWrite(listener: () => void): () => void {
    this.remoteWrites.add(listener);
    return () => this.remoteWrites.delete(listener);
  }

  onRoleChange(listener: (role: TabRole) => void): () => void {
    this.roleListeners.add(listener);
    return () => this.roleListeners.delete(listener);
  }

  readFile(): Promise<Uint8Array> {
    return this.remote.readFile();
  }

  stats(): Promise<RouterStats> {
    return this.remote.stats();
  }

  private run(op: Operation): Promise<unknown> {
    if (this.closing) return Promise.reject(new Error(`database "${this.name}" is closed`));
    return this.remote.run(op);
  }
}

/// Runs one task in a short-lived storage worker.
async function withWorker<T>(name: string, task: (remote: Remote<StorageWorkerApi>) => Promise<T>, timeoutMs: number): Promise<T> {
  const worker = startWorker(name);
  const remote = wrap<StorageWorkerApi>(worker);
  try {
    return await answerOrFail(worker, task(remote), timeoutMs + WORKER_GRACE_MS, 'in time');
  } finally {
    remote[releaseProxy]();
    worker.terminate();
  }
}

/// The raw bytes of stored database `name` (OPFS), read straight from its file: "export what
/// can be read" when opening it failed. Waits up to `timeoutMs` for every tab to close it.
export function readDatabaseFile(name: string, timeoutMs = 5_000): Promise<Uint8Array> {
  return withWorker(checkDatabaseName(name), (remote) => remote.readStoredFile(name, timeoutMs), timeoutMs);
}

/// Deletes stored database `name` (OPFS and IndexedDB). Waits up to `timeoutMs` for every
/// tab to close it.
export function deleteBrowserDatabase(name: string, timeoutMs = 5_000): Promise<void> {
  return withWorker(checkDatabaseName(name), (remote) => remote.deleteStored(name, timeoutMs), timeoutMs);
}

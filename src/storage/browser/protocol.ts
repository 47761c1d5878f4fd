import type { SqlRow, SqlStatement, SqlValue } from '../../sync/ports';

/// The types both sides of the browser adapter's two links agree on: the page and its own
/// worker (comlink over the Worker), and a follower tab's worker and the owner tab's worker
/// (comlink over a BroadcastChannel, addressed; see tab-channel.ts).

/// Where a database lives. `indexeddb` is the fallback where OPFS sync access handles are
/// missing: slower, and the UI should say so.
export type StorageKind = 'opfs' | 'indexeddb' | 'memory';
/// `auto` picks OPFS where the browser has sync access handles, else IndexedDB.
export type StoragePreference = 'auto' | StorageKind;
/// The owner tab's worker has the file open; a follower sends its calls to the owner.
export type TabRole = 'owner' | 'follower';

/// One call of the `SqlDatabase` port, as data so that it can be forwarded and retried.
export type Operation =
  | { readonly kind: 'query'; readonly sql: string; readonly params: readonly SqlValue[] }
  | { readonly kind: 'transact'; readonly statements: readonly SqlStatement[] }
  | { readonly kind: 'execScript'; readonly sql: string };

export interface OperationResults {
  query: SqlRow[];
  transact: SqlRow[][];
  execScript: undefined;
}
export type OperationResult = OperationResults[Operation['kind']];

/// Called by the worker on the page (comlink proxies).
export interface WorkerEvents {
  /// Another tab committed a write.
  remoteWrite(): void;
  roleChanged(role: TabRole): void;
}

export interface WorkerOpenOptions {
  readonly name: string;
  readonly storage: StoragePreference;
  /// How long a tab waits for the tab that holds the database to answer before giving up.
  readonly openTimeoutMs: number;
  /// The synchronous build's wasm, compiled once by the page for all its workers.
  readonly syncWasm?: WebAssembly.Module;
}

export interface WorkerOpenResult {
  readonly storageKind: StorageKind;
  readonly role: TabRole;
  /// When the worker reached each step of its start (epoch ms; see startup-marks.ts).
  readonly marks?: readonly (readonly [string, number])[];
}

/// Counters for tests and benchmarks.
export interface RouterStats {
  /// Calls this tab sent to another tab's worker.
  readonly forwardedCalls: number;
  /// Calls sent again because the tab that owned the database went away first.
  readonly handoverRetries: number;
}

/// What the page calls on its own worker.
export interface StorageWorkerApi {
  open(options: WorkerOpenOptions, events: WorkerEvents): Promise<WorkerOpenResult>;
  run(op: Operation): Promise<OperationResult>;
  /// The raw bytes of the open database's file (OPFS only).
  readFile(): Promise<Uint8Array>;
  stats(): RouterStats;
  close(): Promise<void>;
  /// The raw bytes of a stored database that no tab has open (waits for it to be free).
  readStoredFile(name: string, timeoutMs: number): Promise<Uint8Array>;
  /// Deletes a stored database that no tab has open.
  deleteStored(name: string, timeoutMs: number): Promise<void>;
}

/// What a follower tab's worker calls on the owner tab's worker.
export interface OwnerApi {
  describe(): { storageKind: StorageKind };
  /// Runs `op` exactly once per `callId`: a call retried after a handover that had in fact
  /// committed returns the recorded result instead of running again.
  run(op: Operation, callId: string): Promise<OperationResult>;
  readFile(): Promise<Uint8Array>;
}

/// Database names double as OPFS directory names and lock names: keep them plain.
export function checkDatabaseName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new RangeError(`database name must be 1-100 letters, digits, '.', '_' or '-', not ${JSON.stringify(name)}`);
  }
  return name;
}

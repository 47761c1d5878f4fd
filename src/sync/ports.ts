/// The ports through which the sync runtime reaches the world. Adapters (src/storage,
/// src/net) implement them; the runtime never imports an adapter.

export type SqlValue = null | number | bigint | string | Uint8Array;
export type SqlRow = Readonly<Record<string, SqlValue>>;

export interface SqlStatement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}

/// A cr-sqlite database. Every call is serialised by the adapter; a `transact` call is
/// atomic: all its statements commit or none do.
export interface SqlDatabase {
  /// Runs one statement outside any explicit transaction and returns its rows.
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /// Runs the statements in one transaction and returns each statement's rows.
  transact(statements: readonly SqlStatement[]): Promise<SqlRow[][]>;
  /// Runs a script of several parameterless statements in one transaction (schema set-up).
  execScript(sql: string): Promise<void>;
  /// Finalises cr-sqlite and closes the file. The adapter is unusable afterwards.
  close(): Promise<void>;
}

/// Time, injected so tests and simulations do not depend on the wall clock.
export interface Clock {
  now(): number;
}

/// Runs a callback "soon": in a browser at the next animation frame, in Node after a short
/// timer, in tests when the test says so. Returns a cancel function.
export type Scheduler = (callback: () => void) => () => void;

export const systemClock: Clock = { now: () => Date.now() };

/// A frame-like scheduler for environments without `requestAnimationFrame`.
export const timerScheduler =
  (delayMs = 16): Scheduler =>
  (callback) => {
    const handle = setTimeout(callback, delayMs);
    return () => clearTimeout(handle);
  };

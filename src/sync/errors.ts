export type SyncErrorCode =
  /// The peer's schema differs; `detail` says which side is older.
  | 'schema-mismatch'
  /// Bytes that do not decode as the message they claim to be.
  | 'malformed'
  /// A message over the size cap.
  | 'oversized'
  /// A change for a table the schema does not declare.
  | 'unknown-table'
  /// A change for a column the table does not have.
  | 'unknown-column'
  /// A REALTIME_TEXT update that Yjs cannot decode.
  | 'invalid-text-update'
  /// The database refused a batch; nothing from it was applied.
  | 'apply-failed'
  /// A change outside what the session shares (another notebook, say); nothing was applied.
  | 'out-of-scope'
  /// The replica was closed.
  | 'closed';

/// An error the runtime reports about input from elsewhere or its own state. Remote input
/// that fails with a SyncError has changed nothing.
export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SyncError';
  }
}

/// Why a database could not be opened, in terms a person can act on.
export type StorageOpenErrorKind = 'not-a-database' | 'corrupt' | 'locked' | 'full' | 'unavailable';

export class StorageOpenError extends Error {
  constructor(
    readonly kind: StorageOpenErrorKind,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StorageOpenError';
  }
}

const HEADER = 'SQLite format 3\u0000';

/// True when `bytes` (the start of a file) carry SQLite's magic header.
export function hasSqliteHeader(bytes: Uint8Array): boolean {
  if (bytes.byteLength < HEADER.length) return false;
  for (let i = 0; i < HEADER.length; i++) if (bytes[i] !== HEADER.charCodeAt(i)) return false;
  return true;
}

/// Maps an SQLite error raised while opening to a StorageOpenError.
export function classifyOpenError(error: unknown, where: string): StorageOpenError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? Number(error.code) & 0xff : NaN;
  switch (code) {
    case 26: // SQLITE_NOTADB
      return new StorageOpenError('not-a-database', `${where} is not an SQLite database`, error);
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
      return new StorageOpenError('locked', `${where} is in use by another process or tab`, error);
    case 13: // SQLITE_FULL
      return new StorageOpenError('full', `no space left to open ${where}`, error);
    case 14: // SQLITE_CANTOPEN
      return new StorageOpenError('unavailable', `${where} cannot be opened`, error);
    default:
      // cr-sqlite reads its tables while SQLite opens the file, so damage there surfaces
      // as a generic error (1) or SQLITE_CORRUPT (11).
      return new StorageOpenError('corrupt', `${where} could not be read: it may be damaged (${error instanceof Error ? error.message : String(error)})`, error);
  }
}

/// Maps a failure of the browser storage APIs met while opening (OPFS handles, IndexedDB:
/// DOMExceptions, not SQLite's codes) to a StorageOpenError; undefined for anything else.
export function classifyPlatformOpenError(error: unknown, where: string): StorageOpenError | undefined {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  switch (name) {
    case 'QuotaExceededError':
      return new StorageOpenError('full', `no space left to open ${where} (${detail})`, error);
    case 'NoModificationAllowedError':
      return new StorageOpenError('locked', `${where} is held open by another tab or window (${detail})`, error);
    case 'SecurityError':
    case 'NotAllowedError':
    case 'NotSupportedError':
    case 'InvalidStateError':
      return new StorageOpenError('unavailable', `the browser does not let this page store ${where} (${detail})`, error);
    default:
      return undefined;
  }
}

import { transferHandlers, type TransferHandler } from 'comlink';
import { StorageOpenError, type StorageOpenErrorKind } from '../open-errors';

/// A call could not be answered because the tab that owned the database closed or crashed
/// while the call was in flight. `retryable` says whether sending the call again is safe:
/// the adapter retries those calls itself, so a caller sees this error only when the
/// handover took too long, or for a statement that cannot be made idempotent (see
/// statement-kind.ts).
export class TabHandoverError extends Error {
  override readonly name = 'TabHandoverError';

  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly kind?: StorageOpenErrorKind;
  readonly retryable?: boolean;
  readonly code?: number;
}

type Thrown = { readonly isError: true; readonly value: SerializedError } | { readonly isError: false; readonly value: unknown };

function serialize(error: unknown): Thrown {
  if (!(error instanceof Error)) return { isError: false, value: error };
  const extra = error as Error & { kind?: unknown; retryable?: unknown; code?: unknown };
  return {
    isError: true,
    value: {
      name: error.name,
      message: error.message,
      stack: error.stack,
      ...(typeof extra.kind === 'string' ? { kind: extra.kind as StorageOpenErrorKind } : {}),
      ...(typeof extra.retryable === 'boolean' ? { retryable: extra.retryable } : {}),
      ...(typeof extra.code === 'number' ? { code: extra.code } : {}),
    },
  };
}

function revive(serialized: Thrown): unknown {
  if (!serialized.isError) return serialized.value;
  const { name, message, stack, kind, retryable, code } = serialized.value;
  let error: Error;
  if (name === 'StorageOpenError' && kind) error = new StorageOpenError(kind, message);
  else if (name === 'TabHandoverError') error = new TabHandoverError(message, retryable ?? false);
  else {
    error = new Error(message);
    error.name = name;
    if (code !== undefined) Object.assign(error, { code });
  }
  if (stack) error.stack = stack;
  return error;
}

let installed = false;

/// Makes errors thrown across comlink arrive as the adapter's typed errors (comlink alone
/// keeps only name, message and stack, losing `kind` and `retryable`). Both ends of a link
/// must call this; it is idempotent.
export function installTypedErrors(): void {
  if (installed) return;
  installed = true;
  const builtin = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, Thrown>;
  const typed: TransferHandler<{ value: unknown }, Thrown> = {
    canHandle: (value): value is { value: unknown } => builtin.canHandle(value),
    serialize: ({ value }) => [serialize(value), []],
    deserialize: (serialized) => {
      throw revive(serialized);
    },
  };
  transferHandlers.set('throw', typed as TransferHandler<unknown, unknown>);
}

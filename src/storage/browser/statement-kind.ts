/// What a single statement sent through `query` does, as far as forwarding it to another tab
/// is concerned: whether it may change data (other tabs are told of writes) and how it can be
/// sent again when the tab that was running it went away before answering.
export interface StatementKind {
  /// False only for statements that read: SELECT, VALUES, EXPLAIN, PRAGMA without a value.
  readonly writes: boolean;
  /// `repeat`: running it twice is harmless (reads, PRAGMA settings, VACUUM).
  /// `log`: run it in a transaction that also records the call id, so that a retry can
  ///   tell whether it committed.
  /// `never`: it cannot run inside a transaction and running it twice is not harmless
  ///   (transaction control, ATTACH, DETACH): a caller must decide.
  readonly retry: 'repeat' | 'log' | 'never';
}

const READ: StatementKind = { writes: false, retry: 'repeat' };
const IDEMPOTENT_WRITE: StatementKind = { writes: true, retry: 'repeat' };
const WRITE: StatementKind = { writes: true, retry: 'log' };
const UNREPEATABLE: StatementKind = { writes: true, retry: 'never' };

/// Classifies a statement by its first keyword. Unknown statements count as logged writes,
/// the safe side: they are told to other tabs and retried only through the call log.
export function classifyStatement(sql: string): StatementKind {
  const text = stripLeadingComments(sql);
  const keyword = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase();
  switch (keyword) {
    case 'SELECT':
    case 'VALUES':
    case 'EXPLAIN':
      return READ;
    case 'PRAGMA':
      return text.includes('=') ? IDEMPOTENT_WRITE : READ;
    case 'VACUUM':
      return IDEMPOTENT_WRITE;
    case 'BEGIN':
    case 'COMMIT':
    case 'END':
    case 'ROLLBACK':
    case 'SAVEPOINT':
    case 'RELEASE':
    case 'ATTACH':
    case 'DETACH':
      return UNREPEATABLE;
    default:
      return WRITE;
  }
}

function stripLeadingComments(sql: string): string {
  let text = sql.trimStart();
  for (;;) {
    if (text.startsWith('--')) {
      const end = text.indexOf('\n');
      text = end === -1 ? '' : text.slice(end + 1).trimStart();
    } else if (text.startsWith('/*')) {
      const end = text.indexOf('*/');
      text = end === -1 ? '' : text.slice(end + 2).trimStart();
    } else {
      return text;
    }
  }
}

import type { SqlRow, SqlStatement } from '../../sync/ports';
import { TabHandoverError } from './errors';
import type { OpenedStorage } from './engines';
import type { Operation, OperationResult, StorageKind } from './protocol';
import { decodeResult, encodeResult } from './result-codec';
import { classifyStatement } from './statement-kind';

/// A local, non-CRR table in the database: the ids of calls forwarded by other tabs that
/// committed, with their results. When the owner tab dies between committing a follower's
/// call and answering it, the follower sends the call again (to the next owner) with the
/// same id, and the record turns the retry into a read of the first run's result. Entries
/// older than CALL_LOG_KEEP_MS are pruned: retries happen within seconds.
export const CALL_LOG_TABLE = '__storage_forwarded_calls';
const CALL_LOG_KEEP_MS = 10 * 60_000;
const PRUNE_EVERY = 1000;
const CALL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/// Group commit: `transact` calls waiting together run in one SQLite transaction, each in its
/// own savepoint, so that one commit (two flushes of the OPFS file) serves them all. Each
/// call still commits or fails alone and is answered only after the commit.
const MAX_BATCH_CALLS = 256;
const MAX_BATCH_STATEMENTS = 4096;

interface Settle<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

type Job =
  | ({ readonly kind: 'op'; readonly op: Operation; readonly origin: string; readonly callId: string | undefined } & Settle<OperationResult>)
  | ({ readonly kind: 'task'; readonly task: () => Promise<unknown>; readonly evenIfClosed: boolean } & Settle<unknown>);
type OpJob = Extract<Job, { kind: 'op' }>;

/// The database as the owner tab's worker holds it. Runs the calls of this tab and of every
/// follower tab one at a time, in the order they arrived, and reports which tab wrote.
export class OwnerSession {
  private readonly jobs: Job[] = [];
  private draining = false;
  private closed = false;
  private loggedSincePrune = PRUNE_EVERY; // prune at the first logged call

  constructor(
    private readonly storage: OpenedStorage,
    /// Called after a call that may have changed data committed, with the tab it came from.
    private readonly onWrite: (originTab: string) => void,
  ) {}

  get kind(): StorageKind {
    return this.storage.kind;
  }

  /// Runs `op` for tab `origin`. With a `callId` (a call forwarded by another tab) the call
  /// runs at most once per id: see CALL_LOG_TABLE.
  run(op: Operation, origin: string, callId?: string): Promise<OperationResult> {
    if (callId !== undefined && !CALL_ID.test(callId)) return Promise.reject(new RangeError(`malformed call id ${JSON.stringify(callId)}`));
    return new Promise((resolve, reject) => this.enqueue({ kind: 'op', op, origin, callId, resolve, reject }));
  }

  readFile(): Promise<Uint8Array> {
    return this.exclusive(() => this.storage.readFile());
  }

  /// Closes after the calls already queued; calls queued later are refused as retryable.
  close(): Promise<void> {
    return this.exclusive(async () => {
      this.closed = true;
      await this.storage.close();
    }, true);
  }

  private exclusive<T>(task: () => Promise<T>, evenIfClosed = false): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.enqueue({ kind: 'task', task, evenIfClosed, resolve: resolve as (value: unknown) => void, reject }),
    );
  }

  private enqueue(job: Job): void {
    this.jobs.push(job);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.jobs.length > 0) {
        const batch = this.takeBatch();
        if (batch.length > 1) await this.runBatch(batch);
        else await this.runJob(batch[0]!);
        // With the synchronous build a call runs entirely in microtasks, so calls that
        // arrived meanwhile are still queued messages: let them join the queue (the answer
        // above is already on its way), to commit them together.
        await yieldToMessages();
      }
    } finally {
      this.draining = false;
    }
  }

  /// The next job, or the run of consecutive batchable `transact` calls at the queue's head.
  private takeBatch(): Job[] {
    const first = this.jobs.shift()!;
    if (this.closed || !batchable(first)) return [first];
    const batch: Job[] = [first];
    let statements = first.op.kind === 'transact' ? first.op.statements.length : 0;
    while (batch.length < MAX_BATCH_CALLS && this.jobs.length > 0) {
      const next = this.jobs[0]!;
      if (!batchable(next) || next.op.kind !== 'transact') break;
      statements += next.op.statements.length;
      if (statements > MAX_BATCH_STATEMENTS) break;
      batch.push(this.jobs.shift()!);
    }
    return batch;
  }

  private async runJob(job: Job): Promise<void> {
    if (this.closed && !(job.kind === 'task' && job.evenIfClosed)) {
      job.reject(new TabHandoverError('the tab that had the database open closed it', true));
      return;
    }
    try {
      if (job.kind === 'task') {
        job.resolve(await job.task());
        return;
      }
      const result = job.callId === undefined ? await this.runOnce(job.op) : await this.runLogged(job.op, job.callId);
      this.noteWrite(job);
      job.resolve(result);
    } catch (error) {
      job.reject(error);
    }
  }

  /// Runs several `transact` calls in one transaction, each in a savepoint. If the
  /// transaction itself fails (a failed COMMIT, or an error that ends the transaction, which
  /// ROLLBACK TO then reports), nothing of the batch committed: every call runs again alone.
  private async runBatch(batch: readonly Job[]): Promise<void> {
    const db = this.storage.db;
    const outcomes: { ok: boolean; value?: OperationResult; error?: unknown }[] = [];
    let whole = true;
    try {
      await db.query('BEGIN');
      for (const job of batch as readonly OpJob[]) {
        await db.query('SAVEPOINT grouped_call');
        try {
          const statements = (job.op as Extract<Operation, { kind: 'transact' }>).statements;
          const value = job.callId === undefined ? await this.runStatements(statements) : await this.runStatementsLogged(statements, job.callId, (r) => r);
          await db.query('RELEASE grouped_call');
          outcomes.push({ ok: true, value });
        } catch (error) {
          await db.query('ROLLBACK TO grouped_call');
          await db.query('RELEASE grouped_call');
          outcomes.push({ ok: false, error });
        }
      }
      await db.query('COMMIT');
    } catch {
      whole = false;
      await db.query('ROLLBACK').catch(() => undefined);
    }
    if (!whole) {
      for (const job of batch) await this.runJob(job);
      return;
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) return job.reject(outcome.error);
      this.noteWrite(job as OpJob);
      (job as OpJob).resolve(outcome.value);
    });
  }

  private noteWrite(job: OpJob): void {
    if (job.op.kind !== 'query' || classifyStatement(job.op.sql).writes) this.onWrite(job.origin);
  }

  private async runOnce(op: Operation): Promise<OperationResult> {
    const db = this.storage.db;
    switch (op.kind) {
      case 'query':
        return db.query(op.sql, op.params);
      case 'transact':
        return db.transact(op.statements);
      case 'execScript':
        await db.execScript(op.sql);
        return undefined;
    }
  }

  private async runLogged(op: Operation, callId: string): Promise<OperationResult> {
    // Reads and idempotent statements need no record; `never` statements cannot have one.
    if (op.kind === 'query' && classifyStatement(op.sql).retry !== 'log') return this.runOnce(op);
    const db = this.storage.db;
    switch (op.kind) {
      case 'execScript': {
        const done = await this.loggedResult(callId);
        if (done) return done.result;
        // The record goes first in the script's own transaction: a trailing comment or an
        // unterminated one in the script cannot swallow it.
        await db.execScript(`INSERT INTO ${CALL_LOG_TABLE} (id, result, at) VALUES ('${callId}', '${encodeResult(undefined)}', ${Date.now()});\n${op.sql}`);
        return undefined;
      }
      case 'query':
        return this.inTransaction(() => this.runStatementsLogged([{ sql: op.sql, params: op.params }], callId, (r) => r[0]!));
      case 'transact':
        return this.inTransaction(() => this.runStatementsLogged(op.statements, callId, (r) => r));
    }
  }

  private async inTransaction<T>(body: () => Promise<T>): Promise<T> {
    const db = this.storage.db;
    await db.query('BEGIN');
    try {
      const result = await body();
      await db.query('COMMIT');
      return result;
    } catch (error) {
      // A failed COMMIT or some errors end the transaction already; then ROLLBACK fails.
      await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async runStatements(statements: readonly SqlStatement[]): Promise<SqlRow[][]> {
    const results: SqlRow[][] = [];
    for (const s of statements) results.push(await this.storage.db.query(s.sql, s.params ?? []));
    return results;
  }

  /// Inside an open transaction: the statements and their call record, or the recorded
  /// result of a run that already committed. `recorded` picks what the caller gets back.
  private async runStatementsLogged<R extends OperationResult>(statements: readonly SqlStatement[], callId: string, recorded: (results: SqlRow[][]) => R): Promise<R> {
    const done = await this.loggedResult(callId);
    if (done) return done.result as R;
    const result = recorded(await this.runStatements(statements));
    await this.storage.db.query(`INSERT INTO ${CALL_LOG_TABLE} (id, result, at) VALUES (?, ?, ?)`, [callId, encodeResult(result), Date.now()]);
    return result;
  }

  private async loggedResult(callId: string): Promise<{ result: OperationResult } | undefined> {
    await this.prepareCallLog();
    this.loggedSincePrune++;
    const [row] = await this.storage.db.query(`SELECT result FROM ${CALL_LOG_TABLE} WHERE id = ?`, [callId]);
    return row ? { result: decodeResult(String(row.result)) } : undefined;
  }

  private async prepareCallLog(): Promise<void> {
    const db = this.storage.db;
    // Every time, not once per session: a rolled-back batch may have taken the table's
    // creation with it. A no-op once the table exists, inside a transaction or not.
    await db.query(`CREATE TABLE IF NOT EXISTS ${CALL_LOG_TABLE} (id TEXT PRIMARY KEY NOT NULL, result TEXT NOT NULL, at INTEGER NOT NULL) WITHOUT ROWID`);
    if (this.loggedSincePrune >= PRUNE_EVERY) {
      this.loggedSincePrune = 0;
      await db.query(`DELETE FROM ${CALL_LOG_TABLE} WHERE at < ?`, [Date.now() - CALL_LOG_KEEP_MS]);
    }
  }
}

/// Calls that can share a transaction: `transact` without transaction control statements.
function batchable(job: Job): job is OpJob {
  return job.kind === 'op' && job.op.kind === 'transact' && job.op.statements.every((s) => classifyStatement(s.sql).retry !== 'never');
}

/// Resolves after the tasks already queued for this thread (messages that arrived while a
/// call ran synchronously) have run. A MessageChannel, not setTimeout: no 4 ms clamping.
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(undefined);
  });
}

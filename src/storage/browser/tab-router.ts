import { expose, wrap, type Remote } from 'comlink';
import { StorageOpenError } from '../open-errors';
import { loadSyncBuild, openStorage } from './engines';
import { TabHandoverError } from './errors';
import { acquireLock, type Lease } from './locks';
import { OwnerSession } from './owner-session';
import {
  checkDatabaseName,
  type Operation,
  type OperationResult,
  type OwnerApi,
  type RouterStats,
  type StorageKind,
  type TabRole,
  type WorkerEvents,
  type WorkerOpenOptions,
  type WorkerOpenResult,
} from './protocol';
import { classifyStatement } from './statement-kind';
import { resolveStorageKind } from './storage-kind';
import { channelName, databaseLockName, isTabMessage, tabEndpoint, tabLockName, type TabEndpoint, type TabMessage } from './tab-channel';

/// How long a call keeps being retried across a handover before the caller is told.
const HANDOVER_TIMEOUT_MS = 10_000;
/// While a tab has calls waiting and knows no owner, it asks this often.
const ASK_OWNER_EVERY_MS = 250;
/// Other tabs hear of writes at most this often (about a frame), not once per transaction.
const WRITE_NOTICE_MS = 16;

/// The database as one tab's worker sees it. Exactly one tab (the holder of the database's
/// Web Lock) opens the file: its worker is the owner and runs every tab's calls. The others
/// are followers: they forward calls to the owner and wait in the lock's queue. When the
/// owner goes away, the next tab in the queue opens the file and announces itself; calls in
/// flight to the old owner are sent again, exactly once thanks to the owner's call log.
export class TabRouter {
  readonly tabId = crypto.randomUUID();
  private name = '';
  private kind: StorageKind = 'opfs';
  private syncWasm: WebAssembly.Module | undefined;
  private events: WorkerEvents | undefined;
  private channel: BroadcastChannel | undefined;
  private tabLease: Lease | undefined;
  private dbLease: Lease | undefined;
  private waitingForLock: AbortController | undefined;
  private session: OwnerSession | undefined;
  private link: OwnerLink | undefined;
  private failure: StorageOpenError | undefined;
  private closed = false;
  private readonly followers = new Map<string, () => void>();
  private readonly waiters = new Set<() => void>();
  private pendingOrigins = new Set<string>();
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private lastNotice = 0;
  private forwardedCalls = 0;
  private handoverRetries = 0;

  get role(): TabRole {
    return this.session ? 'owner' : 'follower';
  }

  async open(options: WorkerOpenOptions, events: WorkerEvents): Promise<WorkerOpenResult> {
    this.name = checkDatabaseName(options.name);
    this.events = events;
    this.kind = resolveStorageKind(options.storage);
    this.syncWasm = options.syncWasm;
    // An in-memory database is private to its tab; without Web Locks tabs cannot agree on
    // an owner, so each opens the file itself (a second one then fails as locked).
    if (this.kind === 'memory' || typeof navigator.locks?.request !== 'function') {
      const storage = await openStorage(this.name, this.kind, this.syncWasm);
      this.session = new OwnerSession(storage, () => undefined);
      return { storageKind: storage.kind, role: 'owner' };
    }
    this.channel = new BroadcastChannel(channelName(this.name));
    this.channel.onmessage = (event) => this.onMessage(event.data);
    this.tabLease = (await acquireLock(tabLockName(this.tabId)))!;

    const lease = await acquireLock(databaseLockName(this.name), { ifAvailable: true });
    if (lease) {
      await this.becomeOwner(lease);
      if (this.failure) throw this.failure;
      return { storageKind: this.session!.kind, role: 'owner' };
    }
    this.queueForLock();
    const deadline = Date.now() + options.openTimeoutMs;
    for (;;) {
      const target = await this.nextTarget(deadline).catch((error: unknown) => {
        if (error instanceof TabHandoverError) {
          throw new StorageOpenError('locked', `another tab holds database "${this.name}" and did not answer within ${options.openTimeoutMs} ms`, error);
        }
        throw error;
      });
      if (target === 'owner') return { storageKind: this.session!.kind, role: 'owner' };
      try {
        const { storageKind } = await target.call((remote) => remote.describe());
        return { storageKind, role: 'follower' };
      } catch (error) {
        if (!(error instanceof TabHandoverError)) throw error;
        this.dropLink(target, error.message);
      }
    }
  }

  /// Runs a call here if this tab owns the database, else on the owner; across a handover it
  /// is sent again, with the same id, to whichever tab owns the database next.
  run(op: Operation): Promise<OperationResult> {
    const callId = crypto.randomUUID();
    const repeatable = op.kind !== 'query' || classifyStatement(op.sql).retry !== 'never';
    return this.route(
      (session, sentAway) => session.run(op, this.tabId, sentAway ? callId : undefined),
      (remote) => remote.run(op, callId) as Promise<OperationResult>,
      repeatable ? undefined : `the tab that was running this statement went away; it may or may not have run: ${op.kind === 'query' ? op.sql : ''}`,
    );
  }

  readFile(): Promise<Uint8Array> {
    return this.route(
      (session) => session.readFile(),
      (remote) => remote.readFile(),
    );
  }

  /// Sends a call to this tab's session or to the owner's worker, and again after a
  /// handover (unless `unrepeatable` says why it cannot be), until HANDOVER_TIMEOUT_MS.
  /// `sentAway` tells the local runner that an earlier attempt went to another tab.
  private async route<T>(
    here: (session: OwnerSession, sentAway: boolean) => Promise<T>,
    there: (remote: Remote<OwnerApi>) => Promise<T>,
    unrepeatable?: string,
  ): Promise<T> {
    const deadline = Date.now() + HANDOVER_TIMEOUT_MS;
    let sentAway = false;
    for (;;) {
      const target = await this.nextTarget(deadline);
      try {
        if (target === 'owner') return await here(this.session!, sentAway);
        sentAway = true;
        this.forwardedCalls++;
        return await target.call(there);
      } catch (error) {
        if (!(error instanceof TabHandoverError) || !error.retryable) throw error;
        if (unrepeatable !== undefined) throw new TabHandoverError(unrepeatable, false);
        if (Date.now() >= deadline) throw error;
        this.handoverRetries++;
        if (target !== 'owner') this.dropLink(target, error.message);
      }
    }
  }

  stats(): RouterStats {
    return { forwardedCalls: this.forwardedCalls, handoverRetries: this.handoverRetries };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waitingForLock?.abort();
    if (this.link) this.dropLink(this.link, 'the database was closed in this tab');
    try {
      if (this.session) {
        this.flushWriteNotice();
        await this.session.close();
      }
    } finally {
      for (const forget of this.followers.values()) forget();
      this.followers.clear();
      this.dbLease?.release();
      this.tabLease?.release();
      this.channel?.close();
      this.wake();
    }
  }

  private async becomeOwner(lease: Lease): Promise<void> {
    const wasFollower = this.waitingForLock !== undefined;
    this.waitingForLock = undefined;
    if (this.link) this.dropLink(this.link, 'the tab that owned the database went away');
    try {
      const storage = await openStorage(this.name, this.kind, this.syncWasm);
      if (this.closed) {
        await storage.close();
        lease.release();
        return;
      }
      this.dbLease = lease;
      this.session = new OwnerSession(storage, (origin) => this.noteWrite(origin));
      this.post({ type: 'owner', owner: this.tabId, storageKind: storage.kind });
      if (wasFollower) this.events?.roleChanged('owner');
    } catch (error) {
      lease.release();
      this.failure =
        error instanceof StorageOpenError ? error : new StorageOpenError('unavailable', `database "${this.name}" could not be opened`, error);
    } finally {
      this.wake();
    }
  }

  private queueForLock(): void {
    // Fetch and compile the wasm while following: a takeover then only opens the file.
    if (this.kind === 'opfs') loadSyncBuild(this.syncWasm).catch(() => undefined);
    const waiting = new AbortController();
    this.waitingForLock = waiting;
    acquireLock(databaseLockName(this.name), { signal: waiting.signal }).then(
      (lease) => (lease ? this.becomeOwner(lease) : undefined),
      () => undefined, // aborted by close()
    );
    this.post({ type: 'who-owns', from: this.tabId });
  }

  private onMessage(data: unknown): void {
    if (!isTabMessage(data) || this.closed) return;
    switch (data.type) {
      case 'who-owns':
        if (this.session) this.post({ type: 'owner', owner: this.tabId, storageKind: this.session.kind });
        break;
      case 'owner':
        if (!this.session && data.owner !== this.tabId && this.link?.owner !== data.owner) {
          if (this.link) this.dropLink(this.link, 'another tab took over the database');
          this.link = new OwnerLink(this.channel!, this.tabId, data.owner);
          this.wake();
        }
        break;
      case 'hello':
        if (data.to === this.tabId && this.session) this.acceptFollower(data.from);
        break;
      case 'bye':
        if (data.to === this.tabId) this.forgetFollower(data.from);
        break;
      case 'changed':
        if (data.origins.some((origin) => origin !== this.tabId)) this.events?.remoteWrite();
        break;
      case 'rpc':
        break; // read by the endpoints
    }
  }

  /// Serves a follower's calls, until it says bye or its tab lock is released (it crashed).
  private acceptFollower(follower: string): void {
    this.forgetFollower(follower);
    const endpoint = tabEndpoint(this.channel!, this.tabId, follower);
    const api: OwnerApi = {
      describe: () => ({ storageKind: this.servingSession().kind }),
      run: (op, callId) => this.servingSession().run(op, follower, callId),
      readFile: () => this.servingSession().readFile(),
    };
    expose(api, endpoint);
    const gone = new AbortController();
    acquireLock(tabLockName(follower), { signal: gone.signal }).then(
      (lease) => {
        lease?.release();
        this.forgetFollower(follower);
      },
      () => undefined,
    );
    this.followers.set(follower, () => {
      endpoint.dispose();
      gone.abort();
    });
  }

  private servingSession(): OwnerSession {
    if (!this.session || this.closed) throw new TabHandoverError('the tab that had the database open closed it', true);
    return this.session;
  }

  private forgetFollower(follower: string): void {
    this.followers.get(follower)?.();
    this.followers.delete(follower);
  }

  private dropLink(link: OwnerLink, reason: string): void {
    link.drop(reason);
    if (this.link === link) {
      this.link = undefined;
      this.post({ type: 'who-owns', from: this.tabId });
    }
  }

  /// Where calls go now: this tab's session, or the link to the owner. Waits while there is
  /// neither (a handover in progress), asking for the owner now and then.
  private async nextTarget(deadline: number): Promise<'owner' | OwnerLink> {
    for (;;) {
      if (this.closed) throw new Error(`database "${this.name}" is closed`);
      if (this.failure) throw this.failure;
      if (this.session) return 'owner';
      if (this.link) return this.link;
      const left = deadline - Date.now();
      if (left <= 0) throw new TabHandoverError(`no tab answered for database "${this.name}" in time`, true);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, ASK_OWNER_EVERY_MS));
        this.waiters.add(done);
      });
      if (!this.session && !this.link && !this.closed) this.post({ type: 'who-owns', from: this.tabId });
    }
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private noteWrite(origin: string): void {
    this.pendingOrigins.add(origin);
    if (this.noticeTimer !== undefined) return;
    const wait = Math.max(0, this.lastNotice + WRITE_NOTICE_MS - Date.now());
    this.noticeTimer = setTimeout(() => this.flushWriteNotice(), wait);
  }

  private flushWriteNotice(): void {
    clearTimeout(this.noticeTimer);
    this.noticeTimer = undefined;
    if (this.pendingOrigins.size === 0) return;
    const origins = [...this.pendingOrigins];
    this.pendingOrigins = new Set();
    this.lastNotice = Date.now();
    this.post({ type: 'changed', origins });
    if (origins.some((origin) => origin !== this.tabId)) this.events?.remoteWrite();
  }

  private post(message: TabMessage): void {
    if (!this.closed || message.type === 'changed') this.channel?.postMessage(message);
  }
}

/// A follower's connection to the owner's worker: comlink over the addressed channel. When
/// the owner is known to be gone, `drop` fails every call in flight on it as retryable.
class OwnerLink {
  private readonly endpoint: TabEndpoint;
  private readonly remote: Remote<OwnerApi>;
  private readonly lost: Promise<never>;
  private lose!: (error: Error) => void;
  private dropped = false;

  constructor(
    private readonly channel: BroadcastChannel,
    private readonly self: string,
    readonly owner: string,
  ) {
    this.lost = new Promise<never>((_, reject) => (this.lose = reject));
    this.lost.catch(() => undefined);
    this.endpoint = tabEndpoint(channel, self, owner);
    channel.postMessage({ type: 'hello', from: self, to: owner } satisfies TabMessage);
    this.remote = wrap<OwnerApi>(this.endpoint);
  }

  call<T>(send: (remote: Remote<OwnerApi>) => Promise<T>): Promise<T> {
    if (this.dropped) return this.lost;
    return Promise.race([send(this.remote), this.lost]);
  }

  drop(reason: string): void {
    if (this.dropped) return;
    this.dropped = true;
    this.lose(new TabHandoverError(reason, true));
    this.endpoint.dispose();
    try {
      this.channel.postMessage({ type: 'bye', from: this.self, to: this.owner } satisfies TabMessage);
    } catch {
      // the channel is closed: this tab is closing anyway
    }
  }
}

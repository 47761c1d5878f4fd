import type { CompiledSchema } from '../schema';
import { SyncError } from './errors';
import type { Clock, SqlValue } from './ports';
import { rowKey } from './refs';

/// One peer's value for one EPHEMERAL cell.
export interface EphemeralEntry {
  readonly table: string;
  readonly pk: readonly SqlValue[];
  readonly column: string;
  readonly peer: string;
  readonly value: SqlValue;
  /// When this replica last heard from the peer (its clock).
  readonly seenAt: number;
}

/// A peer's whole ephemeral state, as broadcast. `session` changes when the peer restarts;
/// `counter` grows with each message of a session, so late and duplicate messages drop.
export interface EphemeralMessage {
  readonly peer: string;
  readonly session: string;
  readonly counter: number;
  readonly entries: readonly { table: string; pk: readonly SqlValue[]; column: string; value: SqlValue }[];
}

export interface EphemeralOptions {
  /// A peer not heard from for this long is gone, and its values with it.
  readonly ttlMs: number;
  readonly maxEntriesPerPeer: number;
}

interface PeerState {
  session: string;
  counter: number;
  seenAt: number;
  entries: EphemeralMessage['entries'];
}

type Listener = (origin: 'local' | 'remote') => void;

/// Presence: per (row, column, peer) values held in memory only. They never reach the
/// database, so they are never in `crsql_changes` and never in the file.
export class EphemeralStore {
  private readonly peers = new Map<string, PeerState>();
  private readonly local = new Map<string, EphemeralMessage['entries'][number]>();
  private counter = 0;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly schema: CompiledSchema,
    private readonly clock: Clock,
    readonly localPeer: string,
    private readonly session: string,
    private readonly options: EphemeralOptions = { ttlMs: 30_000, maxEntriesPerPeer: 256 },
  ) {}

  /// Sets (or with `null`, clears) this peer's value of an ephemeral cell.
  set(table: string, pk: readonly SqlValue[], column: string, value: SqlValue): void {
    const problem = this.check(table, column, value);
    if (problem) throw new SyncError('unknown-column', problem);
    const key = `${rowKey({ table, pk })}/${column}`;
    if (value === null) this.local.delete(key);
    else this.local.set(key, { table, pk: [...pk], column, value });
    this.counter++;
    this.emit('local');
  }

  /// This peer's state, to broadcast now and again as a heartbeat.
  localMessage(): EphemeralMessage {
    return { peer: this.localPeer, session: this.session, counter: this.counter, entries: [...this.local.values()] };
  }

  /// Takes a peer's broadcast. Returns false for a stale or duplicate message.
  applyRemote(message: EphemeralMessage): boolean {
    if (message.peer === this.localPeer) return false;
    if (message.entries.length > this.options.maxEntriesPerPeer) {
      throw new SyncError('oversized', `${message.entries.length} ephemeral entries from one peer`);
    }
    for (const e of message.entries) {
      const problem = this.check(e.table, e.column, e.value);
      if (problem) throw new SyncError('unknown-column', problem);
    }
    const known = this.peers.get(message.peer);
    if (known && known.session === message.session && message.counter <= known.counter) return false;
    this.peers.set(message.peer, {
      session: message.session,
      counter: message.counter,
      seenAt: this.clock.now(),
      entries: message.entries,
    });
    this.emit('remote');
    return true;
  }

  /// Forgets a peer at once (it said goodbye, or its connection closed).
  removePeer(peer: string): void {
    if (this.peers.delete(peer)) this.emit('remote');
  }

  /// Drops peers that went quiet. Queries call it, so stale values are never returned.
  expire(): void {
    const cutoff = this.clock.now() - this.options.ttlMs;
    let changed = false;
    for (const [peer, state] of this.peers) {
      if (state.seenAt < cutoff) {
        this.peers.delete(peer);
        changed = true;
      }
    }
    if (changed) this.emit('remote');
  }

  /// Current values, optionally narrowed to one row and column: e.g. which peers have a
  /// cursor in note X. This peer's own values are included.
  query(filter: { table: string; pk?: readonly SqlValue[]; column?: string }): EphemeralEntry[] {
    this.expire();
    const wantRow = filter.pk ? rowKey({ table: filter.table, pk: filter.pk }) : null;
    const matches = (e: EphemeralMessage['entries'][number]) =>
      e.table === filter.table &&
      (filter.column === undefined || e.column === filter.column) &&
      (wantRow === null || rowKey(e) === wantRow);
    const out: EphemeralEntry[] = [];
    const now = this.clock.now();
    for (const e of this.local.values()) if (matches(e)) out.push({ ...e, peer: this.localPeer, seenAt: now });
    for (const [peer, state] of this.peers) {
      for (const e of state.entries) if (matches(e)) out.push({ ...e, peer, seenAt: state.seenAt });
    }
    return out;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private check(table: string, column: string, value: SqlValue): string | null {
    const descriptor = this.schema.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
    if (!descriptor || descriptor.sync !== 'ephemeral') return `${table}.${column} is not an EPHEMERAL column`;
    if (value === null) return null;
    const ok = descriptor.storageType === 'INTEGER' ? typeof value === 'number' && Number.isInteger(value) : typeof value === 'string';
    return ok ? null : `${table}.${column} takes ${descriptor.storageType === 'INTEGER' ? 'an integer' : 'text'}`;
  }

  private emit(origin: 'local' | 'remote'): void {
    for (const listener of this.listeners) listener(origin);
  }
}

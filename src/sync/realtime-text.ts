import * as Y from 'yjs';
import { physical, q, TEXT_SLOTS } from './layout';
import type { Clock, Scheduler, SqlDatabase, SqlStatement, SqlValue } from './ports';
import { readableText } from './readable-text';
import { docKey, type DocRef } from './refs';
import { decodeSlot, encodeSlot } from './text-slots';
import { SyncError } from './errors';
import type { WriteQueue } from './write-queue';
import { currentStateVector, encodeDeltaV2 } from './yjs-delta';

type DeleteSet = Y.Transaction['deleteSet'];

/// Transaction origins the runtime gives to Yjs changes it makes itself. Any other origin
/// (an editor binding, an undo manager, none) is a local edit.
export const TextOrigin = {
  /// Content read from this replica's own storage.
  load: Symbol('realtime-text:load'),
  /// Slots of other sites merged through the change feed: already stored, never re-stored.
  remoteRows: Symbol('realtime-text:remote-rows'),
  /// An update streamed live from a peer: stored in our slots too, never echoed back.
  remoteLive: Symbol('realtime-text:remote-live'),
} as const;

export type UpdateOrigin = 'local' | 'remote-live';

export interface RealtimeTextOptions {
  /// Delta slots per site and document (K).
  readonly ringSize: number;
  /// A delta slot takes further deltas merged into it until it holds this many bytes, then
  /// the next slot is used: at typing speed each keystroke rewrites at most this much.
  readonly slotTargetBytes: number;
  /// Rewrite the snapshot when the deltas pass this fraction of it...
  readonly compactRatio: number;
  /// ...or this many bytes, whichever is larger.
  readonly compactMinBytes: number;
  /// The readable text in the user's table trails the document by at most this long while
  /// typing; it is always current after `flush()`.
  readonly readableTextIntervalMs: number;
  /// Edits reach storage one frame after editing pauses. While edits keep arriving every
  /// frame (a paste, a replay, a fast typist), storage is written at least this often;
  /// peers still get every frame's edits.
  readonly busyFlushIntervalMs: number;
  /// Typing counts as paused after this long without an edit (0: any frame without one).
  /// Every flush is a change each peer applies, so an app whose notes are shared may wait
  /// a little; peers get each frame's edits live either way.
  readonly idleFlushMs: number;
  /// When the last handle on a document is released, deltas above this fraction of the
  /// snapshot are folded into it, so a document at rest loads from (nearly) one row.
  readonly compactOnReleaseRatio: number;
  /// Peers' live edits are stored here too (their author may crash before storing them),
  /// but only once no flush has happened for this long: the author's own slots usually
  /// arrive first, and every flush is a change sent to every peer. Local edits in the same
  /// document take them along sooner.
  readonly remoteStoreDelayMs: number;
  /// A live update larger than this is refused.
  readonly maxLiveUpdateBytes: number;
  /// A document that live updates reach stays open this long after the last one, so a
  /// peer typing does not make this replica load and compact it per keystroke.
  readonly liveLingerMs: number;
}

export const defaultTextOptions: RealtimeTextOptions = {
  ringSize: 8,
  slotTargetBytes: 1024,
  compactRatio: 0.25,
  compactMinBytes: 2048,
  readableTextIntervalMs: 2000,
  busyFlushIntervalMs: 250,
  idleFlushMs: 0,
  compactOnReleaseRatio: 0.02,
  remoteStoreDelayMs: 1000,
  maxLiveUpdateBytes: 8 * 1024 * 1024,
  liveLingerMs: 5000,
};

interface OpenDoc {
  readonly key: string;
  readonly ref: DocRef;
  readonly doc: Y.Doc;
  users: number;
  /// The state vector when local changes were last sealed into a delta...
  sealedAt: Map<number, number>;
  /// ...and the deletions local transactions made since.
  deletions: DeleteSet[];
  unsealed: boolean;
  /// Sealed deltas waiting to be written, in order.
  pending: Uint8Array[];
  /// This site's slot counter: the current delta slot is (seq % K) + 1.
  seq: number;
  /// This site's delta slots as stored (index 1..K), so a new delta can be merged into one.
  ring: (Uint8Array | null)[];
  snapshotBytes: number;
  textDirty: boolean;
  /// Bumped whenever textDirty is set, so a write that raced an edit leaves it set.
  textEpoch: number;
  /// A local edit happened since the readable text was last written.
  localSinceText: boolean;
  lastTextAt: number;
  lastFlushAt: number;
  /// Local transactions since the pending frame was scheduled: >0 means still busy.
  frameEdits: number;
  /// When this replica last edited the document (its clock).
  lastEditAt: number;
  /// Local edits wait in `pending` (not only peers' live edits).
  localPending: boolean;
  cancelFlush: (() => void) | null;
  /// Set when local edits were streamed in this frame; cleared by the next one. While it is
  /// set, further edits wait for the frame, so peers get at most one message per frame.
  liveHold: object | null;
  readonly onTransaction: (transaction: Y.Transaction) => void;
}

/// A handle on an open REALTIME_TEXT document. Edit `doc` directly; call `release()` when
/// done (the document stays open while any handle is held).
export interface TextHandle {
  readonly ref: DocRef;
  readonly doc: Y.Doc;
  release(): Promise<void>;
}

/// `source` is what applyLiveUpdate was given (a sync session, say), so that an update is
/// relayed to every peer but the one it came from.
type UpdateListener = (ref: DocRef, update: Uint8Array, origin: UpdateOrigin, source?: unknown) => void;
type TextChangedListener = (refs: DocRef[], origin: 'local' | 'remote') => void;

/// Stores REALTIME_TEXT documents in per-site slots and keeps the readable text in the
/// user's table. See text-slots.ts for the layout.
export class RealtimeTextStore {
  private readonly open = new Map<string, OpenDoc>();
  private readonly opening = new Map<string, Promise<OpenDoc>>();
  private readonly updateListeners = new Set<UpdateListener>();
  private readonly textListeners = new Set<TextChangedListener>();
  private readonly slotListeners = new Set<(info: { slot: number; bytes: number }) => void>();
  /// Documents held open for live updates (see liveLingerMs), with the timer that lets go.
  private readonly lingering = new Map<string, { handle: TextHandle; cancel: () => void }>();
  /// When a document was last edited live here, typed locally or streamed from a peer.
  private lastLiveEditAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: SqlDatabase,
    private readonly queue: WriteQueue,
    /// Who owns the slots this store writes: the replica's site id, plus one byte naming
    /// the writer (each open tab of one browser profile writes its own slots).
    private readonly owner: Uint8Array,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly newClientId: () => number,
    /// Primary key columns of a user table, to address its readable-text row.
    private readonly pkColumnsOf: (table: string) => readonly string[],
    private readonly options: RealtimeTextOptions = defaultTextOptions,
  ) {}

  /// Opens the document of one cell, loading it from every site's slots.
  async openDoc(ref: DocRef): Promise<TextHandle> {
    const key = docKey(ref);
    let state = this.open.get(key);
    if (!state) {
      let loading = this.opening.get(key);
      if (!loading) {
        loading = this.load(ref, key).finally(() => this.opening.delete(key));
        this.opening.set(key, loading);
      }
      state = await loading;
    }
    state.users++;
    let released = false;
    return {
      ref,
      doc: state.doc,
      release: async () => {
        if (released) return;
        released = true;
        await this.release(key);
      },
    };
  }

  /// Local and live-remote updates as they happen, for the network to stream. Updates
  /// merged from stored rows are not reported: the change feed carries those.
  onUpdate(listener: UpdateListener): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /// Milliseconds since a document was last edited live here (typed, or streamed from a
  /// peer), on the injected clock; Infinity when none was.
  msSinceLiveEdit(): number {
    return this.clock.now() - this.lastLiveEditAt;
  }

  /// Each slot this site writes (slot 0 is a compaction), for storage statistics.
  onSlotWritten(listener: (info: { slot: number; bytes: number }) => void): () => void {
    this.slotListeners.add(listener);
    return () => this.slotListeners.delete(listener);
  }

  /// Open documents whose readable text was rewritten, and whether a local edit was among
  /// the changes.
  onTextChanged(listener: TextChangedListener): () => void {
    this.textListeners.add(listener);
    return () => this.textListeners.delete(listener);
  }

  /// Applies an update streamed from a peer. It is validated before it reaches the live
  /// document, stored in this site's slots (its author may crash before storing it) and
  /// never reported back to the network as local.
  async applyLiveUpdate(ref: DocRef, update: Uint8Array, source?: unknown): Promise<void> {
    if (update.byteLength > this.options.maxLiveUpdateBytes) {
      throw new SyncError('oversized', `live update of ${update.byteLength} bytes`);
    }
    try {
      Y.decodeUpdateV2(update);
    } catch (error) {
      throw new SyncError('invalid-text-update', 'a live update does not decode', error);
    }
    const key = docKey(ref);
    const handle = await this.openDoc(ref);
    try {
      const state = this.open.get(key)!;
      this.applyExternal(state, update, TextOrigin.remoteLive);
      state.pending.push(update);
      for (const listener of this.updateListeners) listener(state.ref, update, 'remote-live', source);
    } finally {
      if (this.options.liveLingerMs <= 0) await handle.release();
      else this.linger(key, handle);
    }
  }

  /// Holds a document open for a while after a live update (one hold per document).
  private linger(key: string, handle: TextHandle): void {
    const held = this.lingering.get(key);
    if (held) {
      held.cancel();
      void handle.release();
    }
    const keep = held?.handle ?? handle;
    const cancel = this.delay(this.options.liveLingerMs, () => {
      this.lingering.delete(key);
      void keep.release();
    });
    this.lingering.set(key, { handle: keep, cancel });
  }

  /// Writes every open document's pending edits and readable text now.
  async flushAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((s) => this.flush(s, true)));
  }

  /// Called by the replica, inside its write queue, after remote slot rows were merged:
  /// open documents take the new bytes; closed ones get their readable text recomputed.
  async afterRemoteSlots(slots: readonly { doc: string; owner: Uint8Array; data: Uint8Array }[], refsByKey: Map<string, DocRef>): Promise<void> {
    const byDoc = new Map<string, Uint8Array[]>();
    for (const { doc, owner, data } of slots) {
      if (equalBytes(owner, this.owner)) continue; // our own writes, already in the document
      const slot = decodeSlot(data);
      if (!slot) continue;
      const list = byDoc.get(doc) ?? [];
      list.push(slot.update);
      byDoc.set(doc, list);
    }
    const closed: DocRef[] = [];
    for (const [key, ref] of refsByKey) {
      const state = this.open.get(key);
      const updates = byDoc.get(key) ?? [];
      if (state) {
        if (updates.length > 0) this.applyExternal(state, mergeAll(updates), TextOrigin.remoteRows);
      } else {
        closed.push(ref);
      }
    }
    if (closed.length > 0) await this.refreshReadableText(closed);
  }

  /// Recomputes the readable text of documents that are not open. Runs inside the queue.
  private async refreshReadableText(refs: readonly DocRef[]): Promise<void> {
    const statements: SqlStatement[] = [];
    for (const ref of refs) {
      const rows = await this.db.query(`SELECT data FROM ${TEXT_SLOTS} WHERE doc = ?`, [docKey(ref)]);
      const doc = new Y.Doc({ gc: true });
      const updates = rows.flatMap((r) => {
        const slot = decodeSlot(r.data as Uint8Array);
        return slot ? [slot.update] : [];
      });
      applyStored(doc, updates);
      statements.push(...this.readableTextStatements(ref, safeReadableText(doc) ?? ''));
      doc.destroy();
    }
    // The replica reports these documents with the remote change that touched them.
    await this.db.transact(statements);
  }

  /// Runs `callback` once `ms` have passed on the injected clock, checking at the scheduler's
  /// pace (a frame), so tests with manual clocks and frames control it.
  private delay(ms: number, callback: () => void): () => void {
    const due = this.clock.now() + ms;
    let cancelFrame = () => {};
    let cancelled = false;
    const check = () => {
      if (cancelled) return;
      if (this.clock.now() >= due) callback();
      else cancelFrame = this.scheduler(check);
    };
    cancelFrame = this.scheduler(check);
    return () => {
      cancelled = true;
      cancelFrame();
    };
  }

  async close(): Promise<void> {
    for (const { handle, cancel } of this.lingering.values()) {
      cancel();
      await handle.release();
    }
    this.lingering.clear();
    await this.flushAll();
    for (const state of this.open.values()) this.dispose(state);
    this.open.clear();
  }

  private async load(ref: DocRef, key: string): Promise<OpenDoc> {
    const rows = await this.db.query(`SELECT site, slot, data FROM ${TEXT_SLOTS} WHERE doc = ? ORDER BY site, slot`, [key]);
    const K = this.options.ringSize;
    const doc = new Y.Doc({ gc: true });
    // A new client id every session: updates streamed before a crash may already be with
    // peers, so reusing an id could give two different edits the same (client, clock).
    doc.clientID = this.newClientId();
    const ring: (Uint8Array | null)[] = new Array<Uint8Array | null>(K + 1).fill(null);
    let seq = 0;
    let snapshotBytes = 0;
    const updates: Uint8Array[] = [];
    for (const row of rows) {
      const slot = decodeSlot(row.data as Uint8Array);
      if (!slot) continue;
      updates.push(slot.update);
      if (!equalBytes(row.site as Uint8Array, this.owner)) continue;
      seq = Math.max(seq, slot.seq);
      const index = Number(row.slot);
      if (index === 0) snapshotBytes = slot.update.byteLength;
      else if (index <= K) ring[index] = slot.update;
    }
    applyStored(doc, updates);

    const state: OpenDoc = {
      key,
      ref,
      doc,
      users: 0,
      sealedAt: currentStateVector(doc),
      deletions: [],
      unsealed: false,
      pending: [],
      seq,
      ring,
      snapshotBytes,
      textDirty: false,
      textEpoch: 0,
      localSinceText: false,
      lastTextAt: this.clock.now(),
      lastFlushAt: this.clock.now(),
      frameEdits: 0,
      lastEditAt: 0,
      localPending: false,
      cancelFlush: null,
      liveHold: null,
      onTransaction: (transaction) => this.onTransaction(state, transaction),
    };
    doc.on('afterTransaction', state.onTransaction);
    this.open.set(key, state);
    return state;
  }

  /// Notes what a transaction changed; encoding waits for the frame (see yjs-delta.ts).
  private onTransaction(state: OpenDoc, transaction: Y.Transaction): void {
    const origin: unknown = transaction.origin;
    // A transaction that changed nothing is no edit. y-prosemirror makes one after every
    // editor update it did not cause (a remote cursor moving, say), and a peer's keystroke
    // relayed by a cloud peer arrives a second time: counting those as edits wrote a
    // reader's copy of the note several times a second, a change for every peer each time.
    const changedNothing = transaction.changed.size === 0 && transaction.deleteSet.clients.size === 0;
    if (origin === TextOrigin.load || origin === TextOrigin.remoteRows || origin === TextOrigin.remoteLive) {
      // Stored elsewhere already (or by applyLiveUpdate): the next delta starts after it.
      // Local changes were sealed just before, so nothing local is skipped.
      state.sealedAt = new Map(transaction.afterState);
      if (origin !== TextOrigin.load && !changedNothing) {
        // A peer typing counts as typing: its edits are stored with the next flush, not one
        // flush (and one change for every peer) per keystroke received.
        if (origin === TextOrigin.remoteLive) this.lastLiveEditAt = state.lastEditAt = this.clock.now();
        markTextDirty(state);
        this.schedule(state);
      }
      return;
    }
    if (changedNothing) return;
    // Runs for every keystroke: keep it to a few field reads. What changed is worked out
    // once per frame, in seal().
    if (transaction.deleteSet.clients.size > 0) state.deletions.push(transaction.deleteSet);
    state.frameEdits++;
    this.lastLiveEditAt = state.lastEditAt = this.clock.now();
    state.localPending = true;
    if (state.unsealed) return;
    state.unsealed = true;
    state.localSinceText = true;
    markTextDirty(state);
    this.schedule(state);
    // The first edit after a quiet frame goes to peers at once rather than at the next
    // frame (up to 16 ms later). A microtask still gathers every transaction of this task
    // (one keystroke may be several).
    if (this.updateListeners.size > 0 && !state.liveHold) queueMicrotask(() => this.open.get(state.key) === state && this.seal(state));
  }

  /// Encodes local changes since the last seal into a pending delta and streams it.
  private seal(state: OpenDoc): void {
    if (!state.unsealed) return;
    const delta = encodeDeltaV2(state.doc, state.sealedAt, state.deletions);
    state.sealedAt = currentStateVector(state.doc);
    state.deletions = [];
    state.unsealed = false;
    if (!delta) return;
    state.pending.push(delta);
    if (this.updateListeners.size === 0) return;
    const hold = {};
    state.liveHold = hold;
    this.scheduler(() => {
      if (state.liveHold === hold) state.liveHold = null;
    });
    for (const listener of this.updateListeners) listener(state.ref, delta, 'local');
  }

  private applyExternal(state: OpenDoc, update: Uint8Array, origin: symbol): void {
    this.seal(state);
    Y.applyUpdateV2(state.doc, update, origin);
  }

  private schedule(state: OpenDoc): void {
    if (state.cancelFlush) return;
    state.frameEdits = 0;
    state.cancelFlush = this.scheduler(() => this.onFrame(state));
  }

  private onFrame(state: OpenDoc): void {
    state.cancelFlush = null;
    // Keep one merged delete set rather than one per transaction until the flush: short-
    // lived garbage is cheap, thousands of survivors promoted to the old heap are not.
    if (state.deletions.length > 1) state.deletions = [Y.mergeDeleteSets(state.deletions)];
    // Seal at the frame, not in the queue, so peers get the edit without waiting for disk.
    if (this.updateListeners.size > 0) this.seal(state);
    const now = this.clock.now();
    const busy = state.frameEdits > 0 || now - state.lastEditAt < this.options.idleFlushMs;
    const onlyRemote = !state.localPending && state.pending.length > 0;
    if ((busy && now - state.lastFlushAt < this.options.busyFlushIntervalMs) || (onlyRemote && now - state.lastFlushAt < this.options.remoteStoreDelayMs)) {
      this.schedule(state);
      return;
    }
    this.flush(state, false).catch((error: unknown) => console.error('realtime text flush failed', error));
  }

  private flush(state: OpenDoc, force: boolean): Promise<void> {
    state.cancelFlush?.();
    state.cancelFlush = null;
    return this.queue.run(() => this.flushNow(state, force));
  }

  /// Runs inside the write queue: encodes and writes in one turn.
  private async flushNow(state: OpenDoc, force: boolean): Promise<void> {
    this.seal(state);
    const now = this.clock.now();
    const writeText = state.textDirty && (force || now - state.lastTextAt >= this.options.readableTextIntervalMs);
    if (state.pending.length === 0 && !writeText) {
      // The readable text is due later: keep looking each frame until it is.
      if (state.textDirty) this.schedule(state);
      return;
    }

    const K = this.options.ringSize;
    const taken = state.pending;
    state.pending = [];
    const localTaken = state.localPending;
    state.localPending = false;
    const statements: SqlStatement[] = [];
    let seq = state.seq;
    let slotIndex = 0;
    let slotBytes: Uint8Array | null = null;
    if (taken.length > 0) {
      const delta = mergeAll(taken);
      slotIndex = (seq % K) + 1;
      const current = state.ring[slotIndex];
      if (current && current.byteLength + delta.byteLength > this.options.slotTargetBytes) {
        seq++;
        slotIndex = (seq % K) + 1;
        if (state.ring[slotIndex]) {
          // The ring is full: the snapshot takes everything, this delta included.
          state.pending = taken.concat(state.pending);
          state.localPending ||= localTaken;
          state.seq = seq;
          await this.compactNow(state);
          // The snapshot took the edits; a forced flush still owes the readable text.
          if (writeText && state.pending.length === 0) await this.flushNow(state, force);
          return;
        }
      }
      const previous = state.ring[slotIndex];
      slotBytes = previous ? Y.mergeUpdatesV2([previous, delta]) : delta;
      statements.push(this.slotStatement(state.key, slotIndex, { kind: 'delta', seq, update: slotBytes }));
    }
    const textEpoch = state.textEpoch;
    const text = writeText ? safeReadableText(state.doc) : null;
    if (text !== null) statements.push(...this.readableTextStatements(state.ref, text));

    try {
      await this.db.transact(statements);
    } catch (error) {
      state.pending = taken.concat(state.pending);
      state.localPending ||= localTaken;
      this.schedule(state);
      throw error;
    }
    state.lastFlushAt = now;
    if (slotBytes) {
      state.seq = seq;
      state.ring[slotIndex] = slotBytes;
      for (const listener of this.slotListeners) listener({ slot: slotIndex, bytes: slotBytes.byteLength });
    }
    if (text !== null) {
      if (state.textEpoch === textEpoch) state.textDirty = false;
      state.lastTextAt = now;
      this.emitText([state.ref], state.localSinceText ? 'local' : 'remote');
      state.localSinceText = false;
    }
    if (state.textDirty) this.schedule(state);
    if (this.deltaBytes(state) > Math.max(this.options.compactMinBytes, this.options.compactRatio * state.snapshotBytes)) {
      await this.compactNow(state);
    }
  }

  /// Rewrites this site's snapshot and clears its deltas, in one transaction.
  private async compactNow(state: OpenDoc): Promise<void> {
    this.seal(state);
    // Yjs adds updates it holds back for missing dependencies to this encoding, so they
    // survive the compaction (DESIGN.md, trap 3).
    const snapshot = Y.encodeStateAsUpdateV2(state.doc);
    const taken = state.pending; // covered by the snapshot
    state.pending = [];
    const localTaken = state.localPending;
    state.localPending = false;
    const statements: SqlStatement[] = [this.slotStatement(state.key, 0, { kind: 'snapshot', seq: state.seq, update: snapshot })];
    state.ring.forEach((bytes, index) => {
      if (bytes) {
        statements.push({
          sql: `UPDATE ${TEXT_SLOTS} SET data = x'' WHERE doc = ? AND site = ? AND slot = ?`,
          params: [state.key, this.owner, index],
        });
      }
    });
    try {
      await this.db.transact(statements);
    } catch (error) {
      state.pending = taken.concat(state.pending);
      state.localPending ||= localTaken;
      throw error;
    }
    state.ring.fill(null);
    state.snapshotBytes = snapshot.byteLength;
    for (const listener of this.slotListeners) listener({ slot: 0, bytes: snapshot.byteLength });
  }

  private deltaBytes(state: OpenDoc): number {
    let total = 0;
    for (const bytes of state.ring) total += bytes?.byteLength ?? 0;
    return total;
  }

  private slotStatement(key: string, slot: number, data: Parameters<typeof encodeSlot>[0]): SqlStatement {
    return {
      sql: `INSERT INTO ${TEXT_SLOTS} (doc, site, slot, data) VALUES (?, ?, ?, ?)
            ON CONFLICT (doc, site, slot) DO UPDATE SET data = excluded.data`,
      params: [key, this.owner, slot, encodeSlot(data)],
    };
  }

  private readableTextStatements(ref: DocRef, text: string): SqlStatement[] {
    const table = physical.text(ref.table);
    const pkColumns = this.pkColumnsOf(ref.table);
    const cols = [...pkColumns, ref.column].map(q);
    return [
      {
        sql: `INSERT INTO ${q(table)} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
              ON CONFLICT (${pkColumns.map(q).join(', ')}) DO UPDATE SET ${q(ref.column)} = excluded.${q(ref.column)}
              WHERE ${q(ref.column)} IS NOT excluded.${q(ref.column)}`,
        params: [...ref.pk, text] as SqlValue[],
      },
    ];
  }

  private emitText(refs: DocRef[], origin: 'local' | 'remote'): void {
    for (const listener of this.textListeners) listener(refs, origin);
  }

  private async release(key: string): Promise<void> {
    const state = this.open.get(key);
    if (!state) return;
    state.users--;
    if (state.users > 0) return;
    await this.flush(state, true);
    await this.queue.run(async () => {
      if (state.users === 0 && this.deltaBytes(state) > this.options.compactOnReleaseRatio * state.snapshotBytes) {
        await this.compactNow(state);
      }
    });
    if (state.users > 0) return; // reopened while flushing
    this.dispose(state);
    this.open.delete(key);
  }

  private dispose(state: OpenDoc): void {
    state.cancelFlush?.();
    state.doc.off('afterTransaction', state.onTransaction);
    state.doc.destroy();
  }
}

/// Loads stored slots: the largest (a snapshot) as it is, the rest merged into one update,
/// since Yjs retries dependent updates applied one by one (DESIGN.md, trap 4) and merging a
/// large snapshot costs more than applying it.
function applyStored(doc: Y.Doc, updates: Uint8Array[]): void {
  if (updates.length === 0) return;
  const sorted = [...updates].sort((a, b) => b.byteLength - a.byteLength);
  Y.applyUpdateV2(doc, sorted[0]!, TextOrigin.load);
  if (sorted.length > 1) Y.applyUpdateV2(doc, mergeAll(sorted.slice(1)), TextOrigin.load);
}

/// Readable text is derived data: failing to derive it must never keep edits off the disk.
function safeReadableText(doc: Y.Doc): string | null {
  try {
    return readableText(doc);
  } catch (error) {
    console.error('could not derive the readable text of a document', error);
    return null;
  }
}

function markTextDirty(state: OpenDoc): void {
  state.textDirty = true;
  state.textEpoch++;
}

function mergeAll(updates: Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdatesV2(updates);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

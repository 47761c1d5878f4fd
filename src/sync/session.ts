import { columnsOf } from '../schema';
import { SyncError } from './errors';
import { TEXT_SLOTS } from './layout';
import { docKey, parseDocKey, toHex } from './refs';
import type { Replica } from './replica';
import { scopedPeerKey, type SyncScope } from './scope';
import type { EphemeralMessage } from './ephemeral';
import { decodeWireMessage, encodeWireMessage, WIRE_PROTOCOL_VERSION, type WireMessage } from './wire';
import * as Y from 'yjs';

/// A bidirectional, ordered message pipe to one peer: what a libp2p stream (framed and
/// authenticated by src/net) or an in-memory pair gives the session.
export interface MessageTransport {
  /// Sends one message; resolves when the transport can take more (backpressure).
  send(bytes: Uint8Array): Promise<void>;
  /// The peer's messages in order; ends when the peer closes.
  readonly incoming: AsyncIterable<Uint8Array>;
  close(reason?: string): void;
}

export interface SessionOptions {
  /// Changes per batch; a batch waits for the peer's ack before the next leaves, so a slow
  /// peer never makes memory grow.
  readonly batchSize?: number;
  /// How often this replica's presence is sent again, so that peers do not expire it.
  readonly presenceHeartbeatMs?: number;
  /// Timers, injectable for tests.
  readonly setTimer?: (ms: number, callback: () => void) => () => void;
  /// What this session shares; everything when absent.
  readonly scope?: SyncScope;
  /// Forward live text that arrived from other peers (a relay in a star, like a cloud
  /// peer). Peers that each connect to every other send only their own edits, or every
  /// keystroke would travel the mesh several times. A function decides per update, from the
  /// session it came through (applyLiveUpdate's `source`). Default true.
  readonly relayLiveText?: boolean | ((source: unknown) => boolean);
  /// Send live text in a task of its own, after the sessions that send it at once: for a
  /// relay, so that the keystroke reaches the peers a person is looking at first.
  readonly liveTextLast?: boolean;
  /// Send this replica's presence as it changes (a cursor moving), not only as a heartbeat.
  /// A cloud peer draws no cursors and passes none on: sending it each keystroke's cursor
  /// was a message per keystroke for nothing. Default true.
  readonly livePresence?: boolean;
  /// While a document is edited live here, batches of nothing but text slots go out at most
  /// this often (0: as they commit). See slotsWait.
  readonly liveSlotsIntervalMs?: number;
  /// One-shot timers, injectable for tests.
  readonly delay?: (ms: number, callback: () => void) => () => void;
}

const LIVE_SLOTS_INTERVAL_MS = 1000;

export interface SessionProgress {
  /// The peer's site id (hex) once it said hello.
  readonly peer: string | null;
  /// Our db_version up to which the peer has confirmed our changes.
  readonly peerHasUpTo: number;
  /// Changes sent and received in this session.
  readonly sent: number;
  readonly received: number;
}

const defaultTimer = (ms: number, callback: () => void) => {
  const handle = setInterval(callback, ms);
  return () => clearInterval(handle);
};

const defaultDelay = (ms: number, callback: () => void) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

/// Syncs one replica with one peer over a transport: hello (a schema mismatch ends the
/// session with a typed error saying which side is older), then each side acks what it
/// has of the other, and changes flow in acknowledged batches, including third-party
/// changes this replica relays. REALTIME_TEXT edits stream live; presence is broadcast.
/// Any malformed or refused message ends the session; nothing of it is applied.
export class SyncSession {
  private peerSite: Uint8Array | null = null;
  private peerKey: Uint8Array | null = null;
  private applying: Promise<void> = Promise.resolve();
  /// Acks are recorded off the read loop too (see recordAck).
  private recording: Promise<void> = Promise.resolve();
  private ackToRecord: number | null = null;
  private waitingBatches = 0;
  /// Local db_versions under which this peer's changesets were merged.
  private readonly fromPeer = new Set<number>();
  private failure: SyncError | null = null;
  private peerHasUpTo: number | null = null;
  private inFlight = false;
  private pumping = false;
  private pumpAgain = false;
  private sent = 0;
  private received = 0;
  private closed = false;
  private readonly seenPresencePeers = new Set<string>();
  /// Messages waiting for the transport: text updates are merged per document and only
  /// the newest presence is kept, so a slow peer costs at most one entry per document.
  private readonly outbox: WireMessage[] = [];
  private readonly pendingText = new Map<string, Uint8Array[]>();
  private sending = false;
  /// When a batch of nothing but slots last left, and the timer that sends the next one.
  private slotsSentAt = Number.NEGATIVE_INFINITY;
  private cancelPumpLater: (() => void) | null = null;
  private readonly cleanups: (() => void)[] = [];
  private readonly progressListeners = new Set<(p: SessionProgress) => void>();

  constructor(
    private readonly replica: Replica,
    private readonly transport: MessageTransport,
    private readonly options: SessionOptions = {},
  ) {}

  onProgress(listener: (p: SessionProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }

  get progress(): SessionProgress {
    return { peer: this.peerSite ? toHex(this.peerSite) : null, peerHasUpTo: this.peerHasUpTo ?? 0, sent: this.sent, received: this.received };
  }

  /// Runs until the peer closes or a refused message ends the session (then it rejects
  /// with the SyncError, after telling the peer).
  async run(): Promise<void> {
    const { schema } = this.replica;
    this.enqueue({ type: 'hello', protocol: WIRE_PROTOCOL_VERSION, schemaHash: schema.hash, schemaRevision: schema.revision, site: this.replica.siteBytes });
    try {
      for await (const bytes of this.transport.incoming) {
        if (this.closed) break;
        const message = decodeWireMessage(bytes);
        if (message.type === 'changes') this.applyInTurn(message);
        else await this.handle(message);
        if (this.failure) throw this.failure;
      }
      await this.applying;
      await this.recording;
      if (this.failure) throw this.failure;
    } catch (error) {
      const refusal = error instanceof SyncError ? error : new SyncError('malformed', error instanceof Error ? error.message : String(error), error);
      await this.sendNow({ type: 'error', code: refusal.code, message: refusal.message }).catch(() => undefined);
      this.close(refusal.message);
      throw refusal;
    }
    this.close('the peer closed');
  }

  /// Changesets are applied one after another, but live text and presence do not wait for
  /// them: a keystroke must not queue behind a batch being written. The peer keeps one
  /// batch in flight, so more than two waiting is a protocol error.
  private applyInTurn(message: Extract<WireMessage, { type: 'changes' }>): void {
    if (this.waitingBatches >= 2) {
      this.failure ??= new SyncError('malformed', 'changes sent before the previous batch was acknowledged');
      return;
    }
    this.waitingBatches++;
    this.applying = this.applying
      .then(() => (this.failure || this.closed ? undefined : this.handle(message)))
      .catch((error: unknown) => {
        this.failure ??= error instanceof SyncError ? error : new SyncError('apply-failed', error instanceof Error ? error.message : String(error), error);
        // Ends the read loop, which then reports the failure.
        this.transport.close(this.failure.message);
      })
      .finally(() => this.waitingBatches--);
  }

  /// Writes what the peer confirmed, in order and without holding up the read loop: the
  /// write waits in the replica's queue behind any flush or merge, and live text arriving
  /// meanwhile must not wait with it. Acks that come while one is written fold into one.
  private recordAck(upTo: number): void {
    const idle = this.ackToRecord === null;
    this.ackToRecord = upTo;
    if (!idle) return;
    this.recording = this.recording
      .then(async () => {
        const latest = this.ackToRecord!;
        this.ackToRecord = null;
        await this.replica.recordSent(this.peerKey!, latest);
      })
      .catch((error: unknown) => {
        this.ackToRecord = null;
        this.failure ??= new SyncError('apply-failed', `could not record the peer's ack: ${error instanceof Error ? error.message : String(error)}`, error);
        this.transport.close(this.failure.message);
      });
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelPumpLater?.();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const peer of this.seenPresencePeers) this.replica.ephemeral.removePeer(peer);
    this.transport.close(reason);
  }

  private async handle(message: WireMessage): Promise<void> {
    if (message.type === 'error') throw new SyncError('apply-failed', `the peer ended the session: ${message.code}: ${message.message}`);
    if (message.type === 'hello') return this.onHello(message);
    if (!this.peerSite) throw new SyncError('malformed', `a ${message.type} message before hello`);
    switch (message.type) {
      case 'changes': {
        if (toHex(message.changeset.fromSite) !== toHex(this.peerSite)) throw new SyncError('malformed', 'changes from another site than the peer said hello as');
        await this.options.scope?.checkIncoming(message.changeset.changes);
        const applied = await this.replica.applyChangeset(message.changeset, { peerKey: this.peerKey! });
        for (const v of applied.dbVersions) this.fromPeer.add(v);
        this.received += message.changeset.changes.length;
        this.enqueue({ type: 'ack', upTo: message.changeset.upTo });
        this.emitProgress();
        return;
      }
      case 'ack': {
        this.peerHasUpTo = Math.max(this.peerHasUpTo ?? 0, message.upTo);
        for (const v of this.fromPeer) if (v <= this.peerHasUpTo) this.fromPeer.delete(v);
        this.inFlight = false;
        this.recordAck(this.peerHasUpTo);
        this.emitProgress();
        void this.pump();
        return;
      }
      case 'text': {
        const ref = parseDocKey(message.doc);
        const table = ref && this.replica.schema.tables.find((t) => t.name === ref.table);
        if (!ref || !table || !columnsOf(table, 'realtime-text').some((c) => c.name === ref.column) || ref.pk.length !== table.primaryKey.length) {
          throw new SyncError('unknown-column', `live text for ${message.doc}`);
        }
        // Live text can overtake the row it belongs to; the row's slots bring it later.
        if (this.options.scope && !(await this.options.scope.includesDoc(ref))) return;
        await this.replica.texts.applyLiveUpdate(ref, message.update, this);
        return;
      }
      case 'presence': {
        const presence = await this.inScope(message.message);
        if (this.replica.ephemeral.applyRemote(presence)) this.seenPresencePeers.add(presence.peer);
        return;
      }
    }
  }

  private async onHello(hello: Extract<WireMessage, { type: 'hello' }>): Promise<void> {
    if (this.peerSite) throw new SyncError('malformed', 'a second hello');
    if (hello.protocol !== WIRE_PROTOCOL_VERSION) {
      throw new SyncError('schema-mismatch', `peer speaks sync protocol ${hello.protocol}, this replica ${WIRE_PROTOCOL_VERSION}: ${hello.protocol < WIRE_PROTOCOL_VERSION ? 'the peer is older' : 'this replica is older'}`);
    }
    const { schema } = this.replica;
    if (hello.schemaHash !== schema.hash) {
      const older = hello.schemaRevision < schema.revision ? 'the peer is older' : hello.schemaRevision > schema.revision ? 'this replica is older' : 'same revision, different schema';
      throw new SyncError('schema-mismatch', `peer schema revision ${hello.schemaRevision}, ours ${schema.revision}: ${older}`);
    }
    if (hello.site.byteLength !== 16 || toHex(hello.site) === this.replica.site) throw new SyncError('malformed', 'a hello with a bad site id');
    this.peerSite = hello.site;
    this.peerKey = scopedPeerKey(hello.site, this.options.scope);
    // Tell the peer what we have of its changes: it sends what comes after.
    const { receivedUpTo } = await this.replica.peerProgress(this.peerKey);
    this.enqueue({ type: 'ack', upTo: receivedUpTo });

    // Anything committed here (locally, or merged from a third peer) may be news to this one.
    this.cleanups.push(this.replica.subscribe(() => void this.pump()));
    this.cleanups.push(
      this.replica.texts.onUpdate((ref, update, origin, source) => {
        if (source === this) return;
        const relay = this.options.relayLiveText ?? true;
        if (origin === 'remote-live' && (relay === false || (typeof relay === 'function' && !relay(source)))) return;
        const { scope, liveTextLast } = this.options;
        const send = () => {
          if (!scope) return this.enqueueText(docKey(ref), update);
          void scope.includesDoc(ref).then((shared) => shared && this.enqueueText(docKey(ref), update));
        };
        if (liveTextLast) setTimeout(send, 0);
        else send();
      }),
    );
    const sendPresence = () => {
      void this.inScope(this.replica.ephemeral.localMessage()).then((message) => this.enqueue({ type: 'presence', message }));
    };
    if (this.options.livePresence ?? true) this.cleanups.push(this.replica.ephemeral.subscribe((origin) => origin === 'local' && sendPresence()));
    this.cleanups.push((this.options.setTimer ?? defaultTimer)(this.options.presenceHeartbeatMs ?? 10_000, sendPresence));
    sendPresence();
    this.emitProgress();
  }

  /// Sends the next batch of changes the peer has not confirmed, one batch in flight.
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        if (this.closed || this.inFlight || this.peerHasUpTo === null || !this.peerSite) return;
        if (await this.onlyFromPeer(this.peerHasUpTo)) {
          // Everything since is what this peer sent us: no need to read it back, only to
          // move its ack past it.
          const upTo = await this.replica.dbVersion();
          if (upTo <= this.peerHasUpTo) return;
          const { schema } = this.replica;
          this.inFlight = true;
          this.enqueue({ type: 'changes', changeset: { schemaHash: schema.hash, schemaRevision: schema.revision, fromSite: this.replica.siteBytes, since: this.peerHasUpTo, upTo, changes: [] } });
          return;
        }
        const all = await this.replica.changesSince(this.peerHasUpTo, { excludeSite: this.peerSite, maxChanges: this.options.batchSize ?? 2000 });
        if (all.upTo <= this.peerHasUpTo) return;
        // Whether to hold the batch back is decided before the scope reads the database.
        const slotsOnly = all.changes.length > 0 && all.changes.every((c) => c.table === TEXT_SLOTS);
        const wait = slotsOnly ? this.slotsWait() : 0;
        if (wait > 0) return this.pumpLater(wait);
        // What the peer itself gave us is not sent back (it came under these local versions,
        // with third parties' site ids). A batch emptied by that or by the scope still goes,
        // so the peer's ack moves past it.
        const fresh = this.fromPeer.size > 0 ? all.changes.filter((c) => !this.fromPeer.has(c.dbVersion)) : all.changes;
        const set = { ...all, changes: this.options.scope ? await this.options.scope.filterOutgoing(fresh) : fresh };
        if (set.changes.length === 0 && all.changes.length === 0) return;
        if (slotsOnly) this.slotsSentAt = this.replica.clock.now();
        this.inFlight = true;
        this.sent += set.changes.length;
        this.enqueue({ type: 'changes', changeset: set });
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /// How long a batch of nothing but slots should wait. Text slots written while someone types are durability,
  /// not news: everyone in the live session has the edits already, and a typist's flushes
  /// (four a second) were each a changeset for every peer, then again through every relay.
  /// So while a document is edited live here, a batch of nothing but slots leaves at most
  /// every liveSlotsIntervalMs; a batch with anything else (a pin, a new note) goes at once
  /// and takes the slots along.
  private slotsWait(): number {
    const interval = this.options.liveSlotsIntervalMs ?? LIVE_SLOTS_INTERVAL_MS;
    if (interval <= 0 || this.replica.texts.msSinceLiveEdit() > interval) return 0;
    return this.slotsSentAt + interval - this.replica.clock.now();
  }

  private pumpLater(ms: number): void {
    if (this.cancelPumpLater) return;
    this.cancelPumpLater = (this.options.delay ?? defaultDelay)(ms, () => {
      this.cancelPumpLater = null;
      void this.pump();
    });
  }

  /// Whether every change after `since` came from this peer (checked without reading them).
  private async onlyFromPeer(since: number): Promise<boolean> {
    if (this.fromPeer.size === 0 || this.fromPeer.size > 500) return false;
    const versions = [...this.fromPeer];
    const [other] = await this.replica.query(
      `SELECT 1 FROM crsql_changes WHERE db_version > ? AND db_version NOT IN (${versions.map(() => '?').join(', ')}) LIMIT 1`,
      [since, ...versions],
    );
    return other === undefined;
  }

  /// A presence message with only the entries this session's scope shares.
  private async inScope(message: EphemeralMessage): Promise<EphemeralMessage> {
    const { scope } = this.options;
    if (!scope) return message;
    const shared = await Promise.all(message.entries.map((e) => scope.includesRow(e.table, e.pk)));
    return { ...message, entries: message.entries.filter((_, i) => shared[i]) };
  }

  private enqueueText(doc: string, update: Uint8Array): void {
    const waiting = this.pendingText.get(doc);
    if (waiting) return void waiting.push(update);
    this.pendingText.set(doc, [update]);
    this.enqueue({ type: 'text', doc, update: new Uint8Array(0) }); // filled from pendingText when sent
  }

  private enqueue(message: WireMessage): void {
    if (this.closed) return;
    if (message.type === 'presence') {
      const i = this.outbox.findIndex((m) => m.type === 'presence');
      if (i >= 0) this.outbox.splice(i, 1);
    }
    this.outbox.push(message);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.outbox.length > 0 && !this.closed) {
        let message = this.outbox.shift()!;
        if (message.type === 'text') {
          const updates = this.pendingText.get(message.doc) ?? [];
          this.pendingText.delete(message.doc);
          message = { ...message, update: updates.length === 1 ? updates[0]! : Y.mergeUpdatesV2(updates) };
        }
        await this.sendNow(message);
      }
    } catch (error) {
      this.close(`sending failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.sending = false;
    }
  }

  private sendNow(message: WireMessage): Promise<void> {
    return this.transport.send(encodeWireMessage(message));
  }

  private emitProgress(): void {
    const p = this.progress;
    for (const listener of this.progressListeners) listener(p);
  }
}

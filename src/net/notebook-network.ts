import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { SyncSession, type Replica, type SessionProgress, type SyncScope } from '../sync';
import { HandshakeError, initiateHandshake, verifyCertificateFor, notebookKeys, Purpose, respondToHandshake, type ConnectionFacts, type VerifiedPeer } from './handshake';
import { streamTransport } from './stream-transport';

/// One protocol for everything about a notebook; the handshake's first message says what
/// the stream is for (sync or members). The version is in the id.
export const NOTEBOOK_PROTOCOL = '/local-first-notes/notebook/1.0.0';
/// Hands a notebook (id and secret) to a cloud peer that will keep a copy.
export const KEEP_PROTOCOL = '/local-first-notes/keep/1.0.0';

/// A notebook this node shares, and where its peers meet.
export interface SharedNotebook {
  readonly notebookId: string;
  readonly secret: Uint8Array;
  /// Multiaddrs (with /p2p/<id>) of cloud peers.
  readonly bootstrap: readonly string[];
  /// Ask the cloud peers to keep a copy when they do not have the notebook yet.
  readonly keepOnCloud: boolean;
}

export interface PeerStatus {
  readonly notebookId: string;
  readonly peerId: string;
  readonly name: string;
  readonly identityKey: Uint8Array;
  /// 'cloud' for a bootstrap peer, 'direct' for WebRTC or another direct connection,
  /// 'relayed' while only a relayed connection carries the session.
  readonly route: 'cloud' | 'direct' | 'relayed';
  readonly progress: SessionProgress;
}

export interface NetworkStatus {
  /// No bootstrap peer reachable and no peer connected.
  readonly state: 'offline' | 'connecting' | 'online';
  readonly peers: readonly PeerStatus[];
  /// Why the last attempt failed, for people to read.
  readonly lastError: string | null;
}

export interface NotebookNetworkOptions {
  readonly node: Libp2p;
  readonly replica: Replica;
  /// This device's encoded certificate (its device key is the node's peer key).
  readonly certificate: Uint8Array;
  /// The notebooks this node holds keys for.
  readonly notebooks: () => Promise<readonly SharedNotebook[]>;
  readonly scopeFor: (notebookId: string) => SyncScope;
  /// Dial the members the cloud peers announce (browsers); a cloud peer only answers.
  readonly dialMembers: boolean;
  /// Try direct WebRTC to members before the relayed connection.
  readonly webrtc: boolean;
  /// Set on a cloud peer: whether to keep a notebook a verified peer hands over.
  readonly acceptKeep?: (request: { notebookId: string; secret: Uint8Array; peer: VerifiedPeer }) => Promise<boolean>;
  readonly log?: (level: 'info' | 'warn', message: string) => void;
  /// Read timeout of a stream; each side sends something at least every `heartbeatMs`.
  readonly readTimeoutMs?: number;
  /// How often presence, member lists and member links are sent again (10 s).
  readonly heartbeatMs?: number;
  /// Cap on one message (changes are batched below it).
  readonly maxMessageBytes?: number;
}

interface LiveSession {
  readonly session: SyncSession;
  readonly notebookId: string;
  readonly peerId: string;
  readonly peer: VerifiedPeer;
  readonly initiator: string;
  readonly route: PeerStatus['route'];
  readonly inbound: boolean;
}

const HEARTBEAT_MS = 10_000;
const MAX_MEMBERS = 256;
const MAX_KEEP_BYTES = 4096;
const DIAL_TIMEOUT_MS = 10_000;

/// Syncs the notebooks a node holds keys for with every peer that holds them too: the cloud
/// peers named in each notebook's bootstrap list, and (dialMembers) the other members those
/// announce, over WebRTC where it works and the relay where it does not. Reconnects with
/// backoff; sessions resume from each side's record of the other.
export class NotebookNetwork {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly listeners = new Set<(status: NetworkStatus) => void>();
  /// Per notebook, what to run when its sessions change: member lists to send (a cloud peer)
  /// or this member's links to send to its cloud peers.
  private readonly memberWatchers = new Map<string, Set<() => void>>();
  /// On a cloud peer, per (notebook, member): the members that member has a session with, so
  /// their keystrokes are not relayed to it a second time. Each entry belongs to the member's
  /// newest members stream: an older one still closing neither updates nor clears it.
  private readonly links = new Map<string, { members: ReadonlySet<string> }>();
  private readonly peerOfSession = new WeakMap<object, string>();
  private readonly maintained = new Map<string, AbortController>();
  private readonly dialing = new Set<string>();
  private readonly cloudPeers = new Set<string>();
  private reachable = new Set<string>();
  private lastError: string | null = null;
  private stopped = false;

  constructor(private readonly options: NotebookNetworkOptions) {}

  async start(): Promise<void> {
    const handlerOptions = { runOnLimitedConnection: true, maxInboundStreams: 256 };
    await this.options.node.handle(NOTEBOOK_PROTOCOL, (stream, connection) => void this.answer(stream, connection), handlerOptions);
    await this.options.node.handle(KEEP_PROTOCOL, (stream, connection) => void this.answerKeep(stream, connection), handlerOptions);
    await this.refresh();
  }

  /// Starts syncing notebooks added since, and stops those whose keys are gone.
  async refresh(): Promise<void> {
    if (this.stopped) return;
    const notebooks = await this.options.notebooks();
    const wanted = new Set(notebooks.map((n) => n.notebookId));
    for (const [id, control] of this.maintained) {
      if (!wanted.has(id)) {
        control.abort();
        this.maintained.delete(id);
      }
    }
    for (const notebook of notebooks) {
      for (const addr of notebook.bootstrap) {
        const key = `${notebook.notebookId} ${addr}`;
        if (this.maintained.has(key)) continue;
        const control = new AbortController();
        this.maintained.set(key, control);
        void this.maintainCloud(notebook, addr, control.signal);
      }
    }
  }

  status(): NetworkStatus {
    const peers = [...this.sessions.values()].map((s) => ({
      notebookId: s.notebookId,
      peerId: s.peerId,
      name: s.peer.certificate.displayName,
      identityKey: s.peer.certificate.identityPublicKey,
      route: s.route,
      progress: s.session.progress,
    }));
    const state = peers.length > 0 || this.reachable.size > 0 ? 'online' : this.maintained.size > 0 ? 'connecting' : 'offline';
    return { state, peers, lastError: this.lastError };
  }

  onStatus(listener: (status: NetworkStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const control of this.maintained.values()) control.abort();
    this.maintained.clear();
    for (const s of this.sessions.values()) s.session.close('stopping');
    this.sessions.clear();
    await this.options.node.unhandle([NOTEBOOK_PROTOCOL, KEEP_PROTOCOL]).catch(() => undefined);
  }

  // --- dialing side -------------------------------------------------------------------

  /// Keeps a sync session and a members stream with one cloud peer for one notebook.
  private async maintainCloud(notebook: SharedNotebook, addr: string, signal: AbortSignal): Promise<void> {
    let backoff = 500;
    while (!signal.aborted && !this.stopped) {
      const started = Date.now();
      try {
        const ma = multiaddr(addr);
        const cloudId = ma.getComponents().findLast((c) => c.name === 'p2p')?.value;
        if (cloudId) this.cloudPeers.add(cloudId);
        const connection = await this.options.node.dial(ma, { signal: AbortSignal.any([signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]) });
        this.reachable.add(addr);
        this.emit();
        let sync: { ended: Promise<void> };
        try {
          sync = await this.openSync(notebook, connection, 'cloud');
        } catch (error) {
          if (!(error instanceof HandshakeError && error.code === 'unknown-notebook' && notebook.keepOnCloud)) throw error;
          await this.handOver(notebook, connection);
          sync = await this.openSync(notebook, connection, 'cloud');
        }
        // The members stream lives as long as the sync session: the next attempt opens both anew.
        const membersEnd = new AbortController();
        const members = this.options.dialMembers ? this.watchMembers(notebook, addr, connection, AbortSignal.any([signal, membersEnd.signal])) : Promise.resolve();
        try {
          await Promise.race([sync.ended, members]);
        } finally {
          membersEnd.abort();
        }
        backoff = 500;
      } catch (error) {
        this.lastError = `${addr}: ${error instanceof Error ? error.message : String(error)}`;
        this.log('warn', `notebook ${notebook.notebookId} via ${addr}: ${this.lastError}`);
      }
      this.reachable.delete(addr);
      this.emit();
      if (signal.aborted || this.stopped) return;
      // A session that lasted resets the backoff; failing ones wait longer, up to 30 s.
      if (Date.now() - started > 30_000) backoff = 500;
      await sleep(backoff + Math.floor(Math.random() * backoff * 0.2), signal);
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  /// Opens a sync stream on a connection; resolves once the handshake succeeded, with a
  /// promise of the session's end.
  private async openSync(notebook: SharedNotebook, connection: Connection, route: PeerStatus['route']): Promise<{ ended: Promise<void> }> {
    const stream = await connection.newStream(NOTEBOOK_PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
    const transport = this.transport(stream);
    let peer: VerifiedPeer;
    try {
      peer = await initiateHandshake(transport, this.facts(connection), notebook.secret, Purpose.sync);
    } catch (error) {
      transport.close('handshake failed');
      throw error;
    }
    return { ended: this.runSession(notebook.notebookId, connection, transport, peer, route, false) };
  }

  private async handOver(notebook: SharedNotebook, connection: Connection): Promise<void> {
    const stream = await connection.newStream(KEEP_PROTOCOL, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
    const transport = this.transport(stream, MAX_KEEP_BYTES);
    const e = encoding.createEncoder();
    encoding.writeVarString(e, notebook.notebookId);
    encoding.writeVarUint8Array(e, notebook.secret);
    encoding.writeVarUint8Array(e, this.options.certificate);
    await transport.send(encoding.toUint8Array(e));
    const reply = await firstMessage(transport, DIAL_TIMEOUT_MS);
    transport.close();
    if (reply[0] !== 1) throw new Error(`the cloud peer will not keep this notebook: ${new TextDecoder().decode(reply.subarray(1)).slice(0, 200)}`);
    this.log('info', `handed notebook ${notebook.notebookId} to ${connection.remotePeer.toString()}`);
  }

  /// Follows the cloud peer's list of the notebook's members and connects to each.
  private async watchMembers(notebook: SharedNotebook, relayAddr: string, connection: Connection, signal: AbortSignal): Promise<void> {
    const stream = await connection.newStream(NOTEBOOK_PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
    const transport = this.transport(stream);
    await initiateHandshake(transport, this.facts(connection), notebook.secret, Purpose.members);
    const me = this.options.node.peerId.toString();
    // Tell the cloud peer which members this one has sessions with (it need not relay their
    // keystrokes here): at each change and as a heartbeat, which also keeps its read alive.
    let told: string | null = null;
    const sendLinks = (always: boolean) => {
      const linked = [...this.sessions.values()].filter((s) => s.notebookId === notebook.notebookId && s.route !== 'cloud').map((s) => s.peerId).sort();
      if (!always && linked.join() === told) return;
      told = linked.join();
      transport.send(encodeMembers(linked)).catch(() => transport.close());
    };
    const onChange = () => sendLinks(false);
    const watchers = this.memberWatchers.get(notebook.notebookId) ?? new Set();
    this.memberWatchers.set(notebook.notebookId, watchers);
    watchers.add(onChange);
    const heartbeat = setInterval(() => sendLinks(true), this.options.heartbeatMs ?? HEARTBEAT_MS);
    const end = () => transport.close('the sync session ended');
    signal.addEventListener('abort', end, { once: true });
    if (signal.aborted) end();
    sendLinks(true);
    try {
      for await (const bytes of transport.incoming) {
        if (signal.aborted) break;
        for (const member of decodeMembers(bytes)) {
          // One side dials, so that two members do not open two sessions at once.
          if (member <= me) continue;
          const existing = this.sessions.get(sessionKey(notebook.notebookId, member));
          // A member reached only through the relay is offered WebRTC again at each list.
          if (!existing) void this.dialMember(notebook, relayAddr, member, false);
          else if (existing.route === 'relayed' && this.options.webrtc) void this.dialMember(notebook, relayAddr, member, true);
        }
      }
    } finally {
      clearInterval(heartbeat);
      signal.removeEventListener('abort', end);
      watchers.delete(onChange);
      transport.close();
    }
  }

  /// Connects to a member: WebRTC, else (unless `webrtcOnly`, an upgrade attempt) the relay.
  private async dialMember(notebook: SharedNotebook, relayAddr: string, member: string, webrtcOnly: boolean): Promise<void> {
    const key = sessionKey(notebook.notebookId, member);
    if (this.dialing.has(key) || this.stopped) return;
    this.dialing.add(key);
    try {
      let connection: Connection | null = null;
      if (this.options.webrtc) {
        try {
          // force: an open relayed connection to the member would otherwise be handed back.
          connection = await this.options.node.dial(multiaddr(`${relayAddr}/p2p-circuit/webrtc/p2p/${member}`), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS), force: true });
          if (routeOf(connection) !== 'direct') connection = null;
        } catch (error) {
          this.log('warn', `WebRTC to ${member} failed, using the relay: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (!connection && webrtcOnly) return;
      connection ??= await this.options.node.dial(multiaddr(`${relayAddr}/p2p-circuit/p2p/${member}`), { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
      const { ended } = await this.openSync(notebook, connection, routeOf(connection));
      void ended.catch(() => undefined);
    } catch (error) {
      this.log('warn', `could not reach member ${member}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.dialing.delete(key);
    }
  }

  // --- answering side -----------------------------------------------------------------

  private async answer(stream: Stream, connection: Connection): Promise<void> {
    const transport = this.transport(stream);
    let result;
    try {
      const notebooks = await this.options.notebooks();
      const byTag = new Map(notebooks.map((n) => [hex(notebookKeys(n.secret).tag), n] as const));
      result = await respondToHandshake(transport, this.facts(connection), async (tag) => byTag.get(hex(tag)) ?? null);
    } catch (error) {
      this.log('warn', `refused a stream from ${connection.remotePeer.toString()}: ${error instanceof Error ? error.message : String(error)}`);
      transport.close('handshake failed');
      return;
    }
    const { notebook, purpose, peer } = result;
    if (purpose === Purpose.members) return this.serveMembers(notebook.notebookId, connection.remotePeer, transport);
    const remote = connection.remotePeer.toString();
    const existing = this.sessions.get(sessionKey(notebook.notebookId, remote));
    // Both sides dialled at once: keep the session the smaller peer id initiated.
    if (existing && existing.initiator < remote) {
      transport.close('a session with this peer exists');
      return;
    }
    const route = this.cloudPeers.has(remote) ? 'cloud' : routeOf(connection);
    await this.runSession(notebook.notebookId, connection, transport, peer, route, true).catch(() => undefined);
  }

  private async serveMembers(notebookId: string, requester: PeerId, transport: ReturnType<NotebookNetwork['transport']>): Promise<void> {
    const send = () => {
      // Members this node can relay to: peers that connected to it, not other cloud peers.
      const members = [...this.sessions.values()].filter((s) => s.notebookId === notebookId && s.inbound && !this.cloudPeers.has(s.peerId)).map((s) => s.peerId);
      transport.send(encodeMembers(members.filter((m) => m !== requester.toString()))).catch(() => transport.close());
    };
    const watchers = this.memberWatchers.get(notebookId) ?? new Set();
    this.memberWatchers.set(notebookId, watchers);
    watchers.add(send);
    const heartbeat = setInterval(send, this.options.heartbeatMs ?? HEARTBEAT_MS);
    send();
    const linksKey = sessionKey(notebookId, requester.toString());
    const mine: { members: ReadonlySet<string> } = { members: new Set() };
    this.links.set(linksKey, mine);
    try {
      // The requester sends the members it has sessions with, until it closes.
      for await (const bytes of transport.incoming) {
        const members = new Set(decodeMembers(bytes));
        if (this.links.get(linksKey) === mine) mine.members = members;
      }
    } catch (error) {
      // A read timeout, a reset or a malformed list ends the stream; the member reconnects.
      this.log('warn', `members stream of ${requester.toString()} ended: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearInterval(heartbeat);
      watchers.delete(send);
      if (this.links.get(linksKey) === mine) this.links.delete(linksKey);
      transport.close();
    }
  }

  private async answerKeep(stream: Stream, connection: Connection): Promise<void> {
    const transport = this.transport(stream, MAX_KEEP_BYTES);
    const reply = (ok: boolean, reason = '') => transport.send(Uint8Array.from([ok ? 1 : 0, ...new TextEncoder().encode(reason)])).catch(() => undefined);
    try {
      if (!this.options.acceptKeep) return void (await reply(false, 'this peer keeps no copies'));
      const bytes = await firstMessage(transport, DIAL_TIMEOUT_MS);
      const d = decoding.createDecoder(bytes);
      const notebookId = decoding.readVarString(d);
      const secret = decoding.readVarUint8Array(d).slice();
      const certificate = decoding.readVarUint8Array(d).slice();
      if (d.pos !== bytes.byteLength || secret.byteLength !== 32 || !/^[0-9a-zA-Z-]{1,64}$/.test(notebookId)) return void (await reply(false, 'a malformed request'));
      const peer = verifyCertificateFor(certificate, this.facts(connection).remoteDeviceKey);
      const accepted = await this.options.acceptKeep({ notebookId, secret, peer });
      await reply(accepted, accepted ? '' : 'this identity may not store notebooks here');
      if (accepted) await this.refresh();
    } catch (error) {
      this.log('warn', `refused a keep request: ${error instanceof Error ? error.message : String(error)}`);
      await reply(false, 'refused');
    } finally {
      transport.close();
    }
  }

  // --- sessions -----------------------------------------------------------------------

  private runSession(notebookId: string, connection: Connection, transport: ReturnType<NotebookNetwork['transport']>, peer: VerifiedPeer, route: PeerStatus['route'], inbound: boolean): Promise<void> {
    const peerId = connection.remotePeer.toString();
    const key = sessionKey(notebookId, peerId);
    const scope = this.options.scopeFor(notebookId);
    // Members dial each other, so only a node that does not (a cloud peer) relays live text,
    // and not between two members that said they have a session with each other.
    // A member sends keystrokes to the members it is connected to before its cloud peers.
    const relayLiveText = this.options.dialMembers
      ? false
      : (source: unknown) => {
          const from = typeof source === 'object' && source !== null ? this.peerOfSession.get(source) : undefined;
          return !(from !== undefined && this.links.get(key)?.members.has(from));
        };
    const session = new SyncSession(this.options.replica, transport, {
      scope,
      relayLiveText,
      liveTextLast: route === 'cloud',
      // A cloud peer gets presence as a heartbeat only: it draws no cursors, nor passes them on.
      livePresence: route !== 'cloud',
      presenceHeartbeatMs: this.options.heartbeatMs ?? HEARTBEAT_MS,
    });
    this.peerOfSession.set(session, peerId);
    const live: LiveSession = { session, notebookId, peerId, peer, route, inbound, initiator: inbound ? peerId : this.options.node.peerId.toString() };
    this.sessions.get(key)?.session.close('replaced by a newer session');
    this.sessions.set(key, live);
    const offProgress = session.onProgress(() => this.emit());
    this.emit();
    this.notifyMembers(notebookId);
    this.log('info', `syncing notebook ${notebookId} with ${peer.certificate.displayName} (${peerId}, ${route})`);
    return session.run().finally(() => {
      offProgress();
      scope.dispose?.();
      if (this.sessions.get(key) === live) this.sessions.delete(key);
      this.emit();
      this.notifyMembers(notebookId);
    }).catch((error: unknown) => {
      this.log('warn', `session with ${peerId} ended: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    });
  }

  private notifyMembers(notebookId: string): void {
    for (const send of this.memberWatchers.get(notebookId) ?? []) send();
  }

  private transport(stream: Stream, maxMessageBytes = this.options.maxMessageBytes) {
    return streamTransport(stream, { readTimeoutMs: this.options.readTimeoutMs, maxMessageBytes });
  }

  private facts(connection: Connection): ConnectionFacts {
    const key = connection.remotePeer.publicKey;
    if (!key || key.type !== 'Ed25519') throw new HandshakeError('bad-certificate', 'the peer\'s key is not Ed25519');
    return {
      localPeerId: this.options.node.peerId.toMultihash().bytes,
      remotePeerId: connection.remotePeer.toMultihash().bytes,
      remoteDeviceKey: key.raw,
      certificate: this.options.certificate,
    };
  }

  private emit(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.options.log?.(level, message);
  }
}

/// WebRTC connections are direct even though a relay carried their signalling.
function routeOf(connection: Connection): 'direct' | 'relayed' {
  const addr = connection.remoteAddr.toString();
  return addr.includes('/webrtc') || !addr.includes('/p2p-circuit') ? 'direct' : 'relayed';
}

const sessionKey = (notebookId: string, peerId: string) => `${notebookId} ${peerId}`;
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/// A members list as it goes on the wire (exported for tests that play a member).
export function encodeMembers(members: readonly string[]): Uint8Array {
  const e = encoding.createEncoder();
  const listed = members.slice(0, MAX_MEMBERS);
  encoding.writeVarUint(e, listed.length);
  for (const m of listed) encoding.writeVarString(e, m);
  return encoding.toUint8Array(e);
}

function decodeMembers(bytes: Uint8Array): string[] {
  const d = decoding.createDecoder(bytes);
  const count = decoding.readVarUint(d);
  if (count > MAX_MEMBERS) throw new Error(`a members list of ${count}`);
  const members = Array.from({ length: count }, () => decoding.readVarString(d));
  if (d.pos !== bytes.byteLength || members.some((m) => !/^[1-9A-HJ-NP-Za-km-z]{20,80}$/.test(m))) throw new Error('a malformed members list');
  return members;
}

async function firstMessage(transport: { incoming: AsyncIterable<Uint8Array> }, timeoutMs: number): Promise<Uint8Array> {
  const iterator = transport.incoming[Symbol.asyncIterator]();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const next = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer in time')), timeoutMs))),
    ]);
    if (next.done) throw new Error('the peer closed the stream');
    return next.value;
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

import { encodeDeviceCertificate } from '../../identity';
import type { NetworkStatus, NotebookNetwork, PeerStatus } from '../../net/browser';
import { NotebookScope, notebookKeys } from '../../notes/sharing';
import type { Replica } from '../../sync';
import type { DeviceIdentity } from '../identity/keystore';

/// What the UI shows of the network: NotebookNetwork's status, plus when each of this
/// device's versions was made, so that "has your changes up to" can say a time.
export interface AppNetworkStatus extends NetworkStatus {
  readonly loaded: boolean;
  /// The newest local db_version and when it was committed.
  readonly localVersion: number;
}

const OFFLINE: AppNetworkStatus = { loaded: false, state: 'offline', peers: [], lastError: null, localVersion: 0 };
const BOOTSTRAP_CACHE = 'notes-origin-peer';
const EXTRA_PEERS = 'notes-extra-peers';
/// A libp2p multiaddr that ends in the peer's id.
const PEER_ADDRESS = /^\/[^\s]+\/p2p\/[1-9A-HJ-NP-Za-km-z]{20,80}$/;
const PEER_INFO_TIMEOUT_MS = 3000;
const ORIGIN_PEERS_TTL_MS = 5 * 60_000;
const STATUS_COALESCE_MS = 50;

/// The browser's side of peer-to-peer sync. libp2p loads after first paint; until then,
/// and whenever no peer is reachable, the app works on its own and says so.
export class AppNetwork {
  private status: AppNetworkStatus = OFFLINE;
  private readonly listeners = new Set<() => void>();
  private published: AppNetworkStatus = OFFLINE;
  private notifyTimer: ReturnType<typeof setTimeout> | null = null;
  private network: NotebookNetwork | null = null;
  private node: { stop(): unknown } | null = null;
  private stopped = false;
  private loading = false;
  private origin: { at: number; addrs: Promise<string[]> } | null = null;
  /// (db_version, time) of local commits, oldest first; bounded.
  private readonly commits: [number, number][] = [];
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly replica: Replica,
    private readonly me: DeviceIdentity,
  ) {}

  start(): void {
    this.cleanups.push(
      this.replica.subscribe((event) => {
        if (event.origin !== 'local') return;
        void this.replica.dbVersion().then((v) => {
          this.commits.push([v, Date.now()]);
          if (this.commits.length > 2000) this.commits.splice(0, 1000);
          this.update({ localVersion: v });
        });
      }),
    );
    void this.replica.dbVersion().then((v) => this.update({ localVersion: v }));
    // After first paint: the network code is most of the app's weight.
    const later = (callback: () => void) => ('requestIdleCallback' in window ? requestIdleCallback(callback, { timeout: 1500 }) : setTimeout(callback, 200));
    later(() => {
      if (navigator.onLine) void this.goOnline();
    });
    // Offline, every connection is dropped (none could work, and retries cost battery);
    // back online, sessions resume where each side's record of the other left off.
    const online = () => void this.goOnline();
    const offline = () => void this.goOffline();
    addEventListener('online', online);
    addEventListener('offline', offline);
    this.cleanups.push(() => removeEventListener('online', online), () => removeEventListener('offline', offline));
  }

  private async goOnline(): Promise<void> {
    if (this.stopped || this.network || this.loading) return;
    this.loading = true;
    try {
      await this.load();
    } catch (error) {
      this.update({ lastError: `the network could not start: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      this.loading = false;
    }
  }

  private async goOffline(): Promise<void> {
    const [network, node] = [this.network, this.node];
    this.network = null;
    this.node = null;
    await network?.stop();
    await node?.stop();
    this.update({ state: 'offline', peers: [], lastError: null });
  }

  /// Picks up notebooks shared or joined since.
  async refresh(): Promise<void> {
    await this.network?.refresh();
  }

  /// Cloud peers of this app's own origin, from /peer.json (remembered for offline starts).
  /// The network asks for its notebooks on every incoming stream: one fetch serves for a
  /// few minutes instead of a request to the server before each handshake.
  originPeers(): Promise<string[]> {
    if (!this.origin || Date.now() - this.origin.at > ORIGIN_PEERS_TTL_MS) this.origin = { at: Date.now(), addrs: this.fetchOriginPeers() };
    return this.origin.addrs;
  }

  private async fetchOriginPeers(): Promise<string[]> {
    try {
      const response = await fetch('/peer.json', { cache: 'no-store', signal: AbortSignal.timeout(PEER_INFO_TIMEOUT_MS) });
      if (!response.ok) throw new Error(String(response.status));
      const text = await response.text();
      if (text.length > 10_000) throw new Error('too long');
      const info = JSON.parse(text) as { addrs?: unknown };
      const addrs = Array.isArray(info.addrs) ? info.addrs.filter((a): a is string => typeof a === 'string' && a.startsWith('/')).slice(0, 8) : [];
      localStorage.setItem(BOOTSTRAP_CACHE, JSON.stringify(addrs));
      return addrs;
    } catch {
      try {
        const cached: unknown = JSON.parse(localStorage.getItem(BOOTSTRAP_CACHE) ?? '[]');
        return Array.isArray(cached) ? cached.filter((a): a is string => typeof a === 'string') : [];
      } catch {
        return [];
      }
    }
  }

  /// Cloud peers the person added in Settings.
  extraPeers(): string[] {
    try {
      const stored: unknown = JSON.parse(localStorage.getItem(EXTRA_PEERS) ?? '[]');
      return Array.isArray(stored) ? stored.filter((a): a is string => typeof a === 'string' && PEER_ADDRESS.test(a)) : [];
    } catch {
      return [];
    }
  }

  /// Keeps the addresses that look like peer addresses and starts using them.
  setExtraPeers(lines: readonly string[]): { accepted: string[]; refused: string[] } {
    const entries = lines.map((l) => l.trim()).filter(Boolean);
    const accepted = [...new Set(entries.filter((a) => PEER_ADDRESS.test(a)))].slice(0, 16);
    localStorage.setItem(EXTRA_PEERS, JSON.stringify(accepted));
    void this.refresh();
    return { accepted, refused: entries.filter((a) => !PEER_ADDRESS.test(a)) };
  }

  /// When this device's changes up to `version` were made; null when it has all of them.
  changesUpTo(version: number): number | null | 'unknown' {
    if (version >= this.published.localVersion) return null;
    let time: number | 'unknown' = 'unknown';
    for (const [v, t] of this.commits) {
      if (v > version) break;
      time = t;
    }
    return time;
  }

  peersOf(notebookId: string): PeerStatus[] {
    return this.published.peers.filter((p) => p.notebookId === notebookId);
  }

  /// The verified person behind a replica site (a session's peer), for cursors.
  personOfSite(site: string): PeerStatus | null {
    return this.published.peers.find((p) => p.progress.peer === site && p.route !== 'cloud') ?? null;
  }

  /// The status as views see it (updated at most every STATUS_COALESCE_MS).
  getStatus = (): AppNetworkStatus => this.published;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    await this.goOffline();
  }

  private async load(): Promise<void> {
    const { createBrowserPeer, NotebookNetwork } = await import('../../net/browser');
    if (this.stopped) return;
    const node = await createBrowserPeer({ deviceSeed: this.me.device.secretKey });
    this.node = node;
    const network = new NotebookNetwork({
      node,
      replica: this.replica,
      certificate: encodeDeviceCertificate(this.me.certificate),
      notebooks: async () => {
        const origin = [...(await this.originPeers()), ...this.extraPeers()];
        return (await notebookKeys(this.replica)).map((k) => ({ ...k, bootstrap: [...new Set([...k.bootstrap, ...origin])] }));
      },
      scopeFor: (notebookId) => new NotebookScope(this.replica, notebookId),
      dialMembers: true,
      webrtc: true,
      log: (level, message) => (level === 'warn' ? console.warn : console.info)(`[sync] ${message}`),
    });
    this.network = network;
    network.onStatus((s) => this.network === network && this.update({ ...s, loaded: true }));
    await node.start();
    await network.start();
    if (this.stopped || !navigator.onLine) return void (await this.goOffline());
    this.update({ ...network.status(), loaded: true });
  }

  private update(patch: Partial<AppNetworkStatus>): void {
    this.status = { ...this.status, ...patch };
    // Every commit and every peer's ack changes the status: while people type that is many
    // a second, and re-rendering on each competes with the editor. Views get it coalesced.
    this.notifyTimer ??= setTimeout(() => {
      this.notifyTimer = null;
      this.published = this.status;
      for (const listener of this.listeners) listener();
    }, STATUS_COALESCE_MS);
  }
}

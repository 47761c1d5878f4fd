import type { Endpoint } from 'comlink';
import type { StorageKind } from './protocol';

/// How the workers of the tabs that have one database open find each other: one
/// BroadcastChannel per database, versioned in its name. A BroadcastChannel cannot carry a
/// MessagePort, so the follower-to-owner RPC (comlink) runs over the channel itself, each
/// frame addressed from one tab to another (`rpc`).
///
///     who-owns  a tab that has no owner yet asks; the owner answers with `owner`
///     owner     the owner announces itself when it is ready and in answer to who-owns;
///               a new owner's announcement also tells followers the old one is gone
///     hello     a follower starts talking to an owner (the owner exposes its API to it)
///     bye       a follower stops (a crashed follower is noticed through its tab lock)
///     changed   a write committed; `origins` are the tabs whose calls wrote
///     rpc       one comlink frame from tab `from` to tab `to`
export type TabMessage =
  | { readonly type: 'who-owns'; readonly from: string }
  | { readonly type: 'owner'; readonly owner: string; readonly storageKind: StorageKind }
  | { readonly type: 'hello'; readonly from: string; readonly to: string }
  | { readonly type: 'bye'; readonly from: string; readonly to: string }
  | { readonly type: 'changed'; readonly origins: readonly string[] }
  | { readonly type: 'rpc'; readonly from: string; readonly to: string; readonly frame: unknown };

const PROTOCOL_VERSION = 1;

export function channelName(database: string): string {
  return `notes-storage/v${PROTOCOL_VERSION}/${database}`;
}

/// The Web Lock whose holder owns the database.
export function databaseLockName(database: string): string {
  return `notes-storage/db/${database}`;
}

/// A lock every tab's worker holds for its life, so that an owner learns when a follower is
/// gone without a goodbye.
export function tabLockName(tab: string): string {
  return `notes-storage/tab/${tab}`;
}

const TYPES = new Set(['who-owns', 'owner', 'hello', 'bye', 'changed', 'rpc']);

/// Type guard for messages read off the channel (another version's tab may share it only
/// if the name matched, but the data is still checked before use).
export function isTabMessage(data: unknown): data is TabMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  if (typeof m.type !== 'string' || !TYPES.has(m.type)) return false;
  switch (m.type) {
    case 'who-owns':
      return typeof m.from === 'string';
    case 'owner':
      return typeof m.owner === 'string' && (m.storageKind === 'opfs' || m.storageKind === 'indexeddb' || m.storageKind === 'memory');
    case 'hello':
    case 'bye':
    case 'rpc':
      return typeof m.from === 'string' && typeof m.to === 'string';
    case 'changed':
      return Array.isArray(m.origins) && m.origins.every((o) => typeof o === 'string');
    default:
      return false;
  }
}

/// A comlink endpoint between tab `self` and tab `peer` over a shared BroadcastChannel: it
/// sees only `rpc` frames from `peer` to `self`. `dispose` detaches every listener comlink
/// added (comlink itself never removes those of a `wrap`).
export interface TabEndpoint extends Endpoint {
  dispose(): void;
}

export function tabEndpoint(channel: BroadcastChannel, self: string, peer: string): TabEndpoint {
  const listeners = new Map<EventListenerOrEventListenerObject, EventListener>();
  return {
    postMessage(frame: unknown, transfer?: Transferable[]) {
      if (transfer?.length) throw new Error('a BroadcastChannel cannot transfer objects');
      channel.postMessage({ type: 'rpc', from: self, to: peer, frame } satisfies TabMessage);
    },
    addEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      const filtered: EventListener = (event) => {
        const data = (event as MessageEvent).data as unknown;
        if (!isTabMessage(data) || data.type !== 'rpc' || data.from !== peer || data.to !== self) return;
        const unwrapped = { data: data.frame, origin: (event as MessageEvent).origin } as MessageEvent;
        if (typeof listener === 'function') listener(unwrapped);
        else listener.handleEvent(unwrapped);
      };
      listeners.set(listener, filtered);
      channel.addEventListener('message', filtered);
    },
    removeEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      const filtered = listeners.get(listener);
      if (filtered) channel.removeEventListener('message', filtered);
      listeners.delete(listener);
    },
    dispose() {
      for (const filtered of listeners.values()) channel.removeEventListener('message', filtered);
      listeners.clear();
    },
  };
}

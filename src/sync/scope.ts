import type { Change } from './changeset';
import type { SqlValue } from './ports';
import type { DocRef } from './refs';

/// The part of a replica one sync session shares. Without a scope a session shares
/// everything; an app that shares parts of one database with different peers (the notes app
/// shares one notebook per session) gives each session a scope. A peer never receives a
/// change, text update or presence value outside it, and a change it sends from outside is
/// refused with nothing applied.
export interface SyncScope {
  /// Tells this scope's per-peer progress apart from other scopes shared with the same peer.
  readonly key: string;
  /// The local changes the peer may receive, in order.
  filterOutgoing(changes: readonly Change[]): Promise<readonly Change[]>;
  /// Throws SyncError('out-of-scope') when any change is one the peer may not make here.
  checkIncoming(changes: readonly Change[]): Promise<void>;
  /// Whether live edits of this document are shared.
  includesDoc(ref: DocRef): Promise<boolean>;
  /// Whether ephemeral values on this row are shared.
  includesRow(table: string, pk: readonly SqlValue[]): Promise<boolean>;
  /// Called when the session using the scope ends.
  dispose?(): void;
}

/// The key under which a replica records its progress with a peer: the peer's site, or the
/// site followed by the scope's key.
export function scopedPeerKey(site: Uint8Array, scope: SyncScope | undefined): Uint8Array {
  if (!scope) return site;
  const suffix = new TextEncoder().encode(`/${scope.key}`);
  const key = new Uint8Array(site.byteLength + suffix.byteLength);
  key.set(site);
  key.set(suffix, site.byteLength);
  return key;
}

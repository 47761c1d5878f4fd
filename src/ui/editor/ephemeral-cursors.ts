import type { EditorView } from 'prosemirror-view';
import { absolutePositionToRelativePosition, ySyncPluginKey } from 'y-prosemirror';
import * as Y from 'yjs';
import type { EphemeralStore, SqlValue } from '../../sync';
import type { CursorSource } from './editor-view';

/// Positions fit in 26 bits each, so anchor and head share one safe integer.
const POSITION_BITS = 2 ** 26;

/// Packs a selection into the one integer an EPHEMERAL_INTEGER cell holds.
export function packSelection(anchor: number, head: number): number | null {
  if (anchor < 0 || head < 0 || anchor >= POSITION_BITS || head >= POSITION_BITS) return null;
  return head * POSITION_BITS + anchor;
}

export function unpackSelection(value: SqlValue): { anchor: number; head: number } | null {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return null;
  return { anchor: value % POSITION_BITS, head: Math.floor(value / POSITION_BITS) };
}

export interface EphemeralCursorOptions {
  readonly ephemeral: EphemeralStore;
  /// The note's document: after each edit the selection is sent again if it moved, since
  /// y-prosemirror reports it only when its relative position changes (typing at the end
  /// of a line, or someone typing before it, moves the absolute position, not the relative).
  readonly doc: Y.Doc;
  readonly table: string;
  readonly pk: readonly SqlValue[];
  readonly column: string;
  /// The editor's view once mounted (positions are read from and mapped into it).
  readonly getView: () => EditorView | null;
  /// Name and colour of the person behind a peer's value, when known.
  readonly personOf: (peer: string) => { name: string; color: string } | null;
}

/// Remote cursors and selections from an EPHEMERAL_INTEGER column, in the shape
/// y-prosemirror's cursor plugin reads (it was written for y-protocols' Awareness): this
/// editor's selection goes out as the packed integer, never stored; each peer's value comes
/// back as a cursor with the person's name and colour.
export function ephemeralCursorSource(options: EphemeralCursorOptions): CursorSource & { destroy(): void } {
  const listeners = new Set<(...args: unknown[]) => void>();
  let local: Record<string, unknown> = {};
  const off = options.ephemeral.subscribe((origin) => {
    if (origin === 'remote') for (const l of listeners) l();
  });
  const localPeer = options.ephemeral.localPeer;
  let sent: number | null = null;
  const publish = () => {
    const view = options.getView();
    const packed = local.cursor && view && !view.isDestroyed ? packSelection(view.state.selection.anchor, view.state.selection.head) : null;
    if (packed === sent) return;
    sent = packed;
    options.ephemeral.set(options.table, options.pk, options.column, packed);
  };
  // Absolute positions move with every edit before them, this person's and everyone
  // else's: send the selection again whenever it moved (publish sends only changes).
  const afterTransaction = () => publish();
  options.doc.on('afterTransaction', afterTransaction);

  return {
    getStates() {
      const states = new Map<number, Record<string, unknown>>();
      const view = options.getView();
      const binding = view ? (ySyncPluginKey.getState(view.state) as { binding?: { type: Y.XmlFragment; mapping: Map<unknown, unknown>; doc: Y.Doc } } | undefined)?.binding : undefined;
      if (binding) states.set(binding.doc.clientID, local);
      if (!view || !binding || binding.mapping.size === 0) return states;
      const size = view.state.doc.content.size;
      for (const entry of options.ephemeral.query({ table: options.table, pk: options.pk, column: options.column })) {
        if (entry.peer === localPeer) continue;
        const selection = unpackSelection(entry.value);
        if (!selection) continue;
        const toRelative = (pos: number) => Y.relativePositionToJSON(absolutePositionToRelativePosition(Math.min(pos, size), binding.type, binding.mapping as never));
        const person = options.personOf(entry.peer) ?? { name: 'Someone', color: '#8a8f98' };
        states.set(peerClientId(entry.peer, binding.doc.clientID), { user: person, cursor: { anchor: toRelative(selection.anchor), head: toRelative(selection.head) } });
      }
      return states;
    },
    getLocalState() {
      return local;
    },
    setLocalStateField(field, value) {
      local = { ...local, [field]: value };
      if (field === 'cursor') publish();
    },
    on(_event, listener) {
      listeners.add(listener);
    },
    off(_event, listener) {
      listeners.delete(listener);
    },
    destroy() {
      off();
      options.doc.off('afterTransaction', afterTransaction);
      listeners.clear();
      options.ephemeral.set(options.table, options.pk, options.column, null);
    },
  };
}

/// A stable number for a peer, never this editor's own client id.
function peerClientId(peer: string, own: number): number {
  let hash = 2166136261;
  for (let i = 0; i < peer.length; i++) hash = Math.imul(hash ^ peer.charCodeAt(i), 16777619) >>> 0;
  return hash === own ? hash ^ 1 : hash;
}

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/// One stored slot of a REALTIME_TEXT document. Each site writes only its own slots:
/// slot 0 holds its snapshot (the whole document state, Yjs update format V2), slots 1..K a
/// ring of deltas. A cleared slot holds zero bytes; rows are never deleted, so there are no
/// tombstones and rows per document stay at sites x (1 + K).
export interface SlotData {
  readonly kind: 'snapshot' | 'delta';
  /// The site's flush counter when this slot was last written: it tells a restarted
  /// session where its ring stands (DESIGN.md, trap 2).
  readonly seq: number;
  readonly update: Uint8Array;
}

const FORMAT = 1;
/// A slot larger than this is refused: a document is text, not a media store.
export const MAX_SLOT_BYTES = 64 * 1024 * 1024;

export function encodeSlot(slot: SlotData): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, FORMAT);
  encoding.writeUint8(encoder, slot.kind === 'snapshot' ? 0 : 1);
  encoding.writeVarUint(encoder, slot.seq);
  encoding.writeUint8Array(encoder, slot.update);
  return encoding.toUint8Array(encoder);
}

/// Decodes a slot's header; `null` for a cleared slot. Throws on malformed bytes.
export function decodeSlot(bytes: Uint8Array): SlotData | null {
  if (bytes.byteLength === 0) return null;
  if (bytes.byteLength > MAX_SLOT_BYTES) throw new RangeError('slot too large');
  const decoder = decoding.createDecoder(bytes);
  const format = decoding.readUint8(decoder);
  if (format !== FORMAT) throw new RangeError(`unknown slot format ${format}`);
  const kindByte = decoding.readUint8(decoder);
  if (kindByte > 1) throw new RangeError('unknown slot kind');
  const seq = decoding.readVarUint(decoder);
  const update = bytes.subarray(decoder.pos);
  return { kind: kindByte === 0 ? 'snapshot' : 'delta', seq, update };
}

/// Checks that bytes from elsewhere are a slot whose update Yjs can decode, without
/// touching any live document (garbage given to `Y.applyUpdate` may throw or hang).
export function validateSlot(bytes: Uint8Array): string | null {
  try {
    const slot = decodeSlot(bytes);
    if (slot) Y.decodeUpdateV2(slot.update);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

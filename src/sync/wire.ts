import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { decodeChangeset, encodeChangeset, type Changeset } from './changeset';
import type { EphemeralMessage } from './ephemeral';
import { SyncError } from './errors';
import type { SqlValue } from './ports';

/// The sync session's messages, a tagged union; bytes in PROTOCOL.md.
export type WireMessage =
  | { readonly type: 'hello'; readonly protocol: number; readonly schemaHash: string; readonly schemaRevision: number; readonly site: Uint8Array }
  | { readonly type: 'changes'; readonly changeset: Changeset }
  | { readonly type: 'ack'; readonly upTo: number }
  | { readonly type: 'text'; readonly doc: string; readonly update: Uint8Array }
  | { readonly type: 'presence'; readonly message: EphemeralMessage }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

export const WIRE_PROTOCOL_VERSION = 1;
/// No single message may be larger: changesets are batched below it.
export const MAX_WIRE_MESSAGE_BYTES = 16 * 1024 * 1024;

const TAGS = { hello: 1, changes: 2, ack: 3, text: 4, presence: 5, error: 6 } as const;

export function encodeWireMessage(message: WireMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8(e, TAGS[message.type]);
  switch (message.type) {
    case 'hello':
      encoding.writeVarUint(e, message.protocol);
      encoding.writeVarString(e, message.schemaHash);
      encoding.writeVarUint(e, message.schemaRevision);
      encoding.writeVarUint8Array(e, message.site);
      break;
    case 'changes':
      encoding.writeVarUint8Array(e, encodeChangeset(message.changeset));
      break;
    case 'ack':
      encoding.writeVarUint(e, message.upTo);
      break;
    case 'text':
      encoding.writeVarString(e, message.doc);
      encoding.writeVarUint8Array(e, message.update);
      break;
    case 'presence':
      // Presence values are small: JSON keeps this message readable in traces.
      encoding.writeVarString(e, JSON.stringify(message.message));
      break;
    case 'error':
      encoding.writeVarString(e, message.code);
      encoding.writeVarString(e, message.message);
      break;
  }
  return encoding.toUint8Array(e);
}

/// Decodes one message; anything else is a SyncError ('malformed' or 'oversized').
export function decodeWireMessage(bytes: Uint8Array): WireMessage {
  if (bytes.byteLength > MAX_WIRE_MESSAGE_BYTES) throw new SyncError('oversized', `a message of ${bytes.byteLength} bytes`);
  const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  try {
    const d = decoding.createDecoder(own);
    const tag = decoding.readUint8(d);
    let message: WireMessage;
    switch (tag) {
      case TAGS.hello:
        message = {
          type: 'hello',
          protocol: decoding.readVarUint(d),
          schemaHash: decoding.readVarString(d),
          schemaRevision: decoding.readVarUint(d),
          site: decoding.readVarUint8Array(d).slice(),
        };
        break;
      case TAGS.changes:
        message = { type: 'changes', changeset: decodeChangeset(decoding.readVarUint8Array(d).slice()) };
        break;
      case TAGS.ack:
        message = { type: 'ack', upTo: decoding.readVarUint(d) };
        break;
      case TAGS.text:
        message = { type: 'text', doc: decoding.readVarString(d), update: decoding.readVarUint8Array(d).slice() };
        break;
      case TAGS.presence:
        message = { type: 'presence', message: parsePresence(decoding.readVarString(d)) };
        break;
      case TAGS.error:
        message = { type: 'error', code: decoding.readVarString(d), message: decoding.readVarString(d) };
        break;
      default:
        throw new Error(`unknown message type ${tag}`);
    }
    if (d.pos !== own.byteLength) throw new Error('the message does not end where its contents do');
    return message;
  } catch (error) {
    if (error instanceof SyncError) throw error;
    throw new SyncError('malformed', error instanceof Error ? error.message : 'undecodable message', error);
  }
}

function parsePresence(json: string): EphemeralMessage {
  const value: unknown = JSON.parse(json);
  const ok =
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EphemeralMessage).peer === 'string' &&
    typeof (value as EphemeralMessage).session === 'string' &&
    Number.isSafeInteger((value as EphemeralMessage).counter) &&
    Array.isArray((value as EphemeralMessage).entries) &&
    (value as EphemeralMessage).entries.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.table === 'string' &&
        typeof e.column === 'string' &&
        Array.isArray(e.pk) &&
        e.pk.every(isJsonKeyValue) &&
        isJsonKeyValue(e.value),
    );
  if (!ok) throw new Error('a presence message of the wrong shape');
  return value as EphemeralMessage;
}

const isJsonKeyValue = (v: unknown): v is SqlValue => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/// The sync runtime: a schema-declared replica over cr-sqlite, with REALTIME_TEXT documents
/// (Yjs), LWW columns (cr-sqlite) and EPHEMERAL presence (memory only).
export { Replica, type ChangeEvent, type ChangeSubject, type PeerProgress, type ReplicaOptions, type RowChange, type SearchHit } from './replica';
export { decodeChangeset, encodeChangeset, MAX_CHANGESET_BYTES, type Change, type Changeset } from './changeset';
export { EphemeralStore, type EphemeralEntry, type EphemeralMessage, type EphemeralOptions } from './ephemeral';
export { SyncError, type SyncErrorCode } from './errors';
export { RealtimeTextStore, TextOrigin, type RealtimeTextOptions, type TextHandle, type UpdateOrigin } from './realtime-text';
export { readableText } from './readable-text';
export { docKey, fromHex, parseDocKey, toHex, type DocRef, type RowRef, type SiteId } from './refs';
export { SyncSession, type MessageTransport, type SessionOptions, type SessionProgress } from './session';
export { decodeWireMessage, encodeWireMessage, MAX_WIRE_MESSAGE_BYTES, WIRE_PROTOCOL_VERSION, type WireMessage } from './wire';
export { systemClock, timerScheduler, type Clock, type Scheduler, type SqlDatabase, type SqlRow, type SqlStatement, type SqlValue } from './ports';
export { scopedPeerKey, type SyncScope } from './scope';
export { checkReplicaDatabase, mergeReplica, MergeError, type MergeErrorCode, type MergeOptions, type MergeReport } from './merge';

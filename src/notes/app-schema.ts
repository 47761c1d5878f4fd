import { compileSyncSchema } from '../schema';

/// The notes app's tables, declared in the sync runtime's column types. Deletes are soft
/// (`deleted_at`) until Trash is emptied, so a delete syncs as an undoable edit. `devices`
/// holds each device's certificate (signed by its person's identity key), so peers can tell
/// which devices belong to whom.
export const APP_SCHEMA_SQL = `
  CREATE TABLE notebooks (
    id TEXT PRIMARY KEY,
    name LWW_TEXT NOT NULL DEFAULT '',
    created_at LWW_INTEGER NOT NULL DEFAULT 0,
    deleted_at LWW_INTEGER
  );
  CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    notebook_id LWW_TEXT,
    body REALTIME_TEXT,
    is_pinned LWW_INTEGER NOT NULL DEFAULT 0,
    created_at LWW_INTEGER NOT NULL DEFAULT 0,
    updated_at LWW_INTEGER NOT NULL DEFAULT 0,
    deleted_at LWW_INTEGER,
    cursor EPHEMERAL_INTEGER
  );
  CREATE TABLE devices (
    device_key TEXT PRIMARY KEY,
    identity_key LWW_TEXT,
    display_name LWW_TEXT,
    certificate LWW_BLOB,
    created_at LWW_INTEGER NOT NULL DEFAULT 0
  );
`;

export const appSchema = compileSyncSchema(APP_SCHEMA_SQL, { revision: 1 });

/// The REALTIME_TEXT cell of a note.
export const noteBody = (id: string) => ({ table: 'notes', column: 'body', pk: [id] }) as const;

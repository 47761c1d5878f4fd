import { SyncError, type Change, type DocRef, type Replica, type SqlStatement, type SqlValue, type SyncScope } from '../../sync';

/// Local (never synced) index of which notebook each note lives in. It outlives a deleted
/// note, so the delete itself can still be routed to that notebook's peers.
const NOTE_HOMES = 'note_homes';

/// Creates the note -> notebook index and the triggers that keep it, for merged changes too.
export async function installNoteHomes(replica: Replica): Promise<void> {
  await replica.transact(noteHomesStatements(replica));
}

/// installNoteHomes' statements, to run in a transaction with others. The existing notes are
/// copied in only when the triggers are not there yet: from then on the triggers keep the
/// index, and copying 10,000 notes again at every start cost 10-20 ms.
export function noteHomesStatements(replica: Replica): SqlStatement[] {
  const stored = replica.storedTableOf('notes').replaceAll('"', '""');
  return [
    { sql: `CREATE TABLE IF NOT EXISTS ${NOTE_HOMES} (id TEXT PRIMARY KEY NOT NULL, notebook_id TEXT)` },
    {
      sql: `INSERT OR IGNORE INTO ${NOTE_HOMES} (id, notebook_id) SELECT id, notebook_id FROM "${stored}"
            WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'note_homes_insert')`,
    },
    {
      sql: `CREATE TRIGGER IF NOT EXISTS note_homes_insert AFTER INSERT ON "${stored}" BEGIN
              INSERT INTO ${NOTE_HOMES} (id, notebook_id) VALUES (NEW.id, NEW.notebook_id)
              ON CONFLICT (id) DO UPDATE SET notebook_id = excluded.notebook_id;
            END`,
    },
    {
      sql: `CREATE TRIGGER IF NOT EXISTS note_homes_update AFTER UPDATE OF notebook_id ON "${stored}" BEGIN
              INSERT INTO ${NOTE_HOMES} (id, notebook_id) VALUES (NEW.id, NEW.notebook_id)
              ON CONFLICT (id) DO UPDATE SET notebook_id = excluded.notebook_id;
            END`,
    },
  ];
}

/// One notebook, as a sync session shares it: the notebook's row, its notes (rows, text and
/// cursors) and the device certificates that name the people in it. A peer of this
/// notebook cannot create, move or edit notes of another one through this session.
export class NotebookScope implements SyncScope {
  readonly key: string;
  /// Homes of notes looked up for live text and presence, which ask per keystroke.
  private readonly cache = new Map<string, string | null>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly replica: Replica,
    readonly notebookId: string,
  ) {
    this.key = `notebook:${notebookId}`;
    // A changed note row may have moved: look its home up again, in the background, so
    // that live text never waits for the database (which is busy while people type).
    this.unsubscribe = replica.subscribe((event) => {
      const changed = event.rows.filter((r) => r.table === 'notes' && this.cache.has(r.pk[0] as string)).map((r) => r.pk[0] as string);
      if (changed.length > 0) void this.lookUp(changed).catch(() => changed.forEach((id) => this.cache.delete(id)));
    });
  }

  /// Stops following the replica's changes.
  dispose(): void {
    this.unsubscribe();
    this.cache.clear();
  }

  async filterOutgoing(changes: readonly Change[]): Promise<readonly Change[]> {
    const subjects = await this.replica.subjectsOf(changes);
    const homes = await this.homesOf(subjects.flatMap((s) => (s.kind === 'row' && s.table === 'notes' ? [s.pk[0]] : s.kind === 'text' ? [s.doc.pk[0]] : [])));
    return changes.filter((_, i) => {
      const s = subjects[i]!;
      if (s.kind === 'unknown') return false;
      if (s.kind === 'text') return this.isNoteBody(s.doc) && homes.get(s.doc.pk[0] as string) === this.notebookId;
      if (s.table === 'notebooks') return s.pk[0] === this.notebookId;
      if (s.table === 'notes') return homes.get(s.pk[0] as string) === this.notebookId;
      return s.table === 'devices';
    });
  }

  async checkIncoming(changes: readonly Change[]): Promise<void> {
    const subjects = await this.replica.subjectsOf(changes);
    // Notes this batch creates (or moves) here, and where the others already live.
    const arriving = new Map<string, SqlValue>();
    for (const s of subjects) if (s.kind === 'row' && s.table === 'notes' && s.column === 'notebook_id') arriving.set(s.pk[0] as string, s.value);
    const homes = await this.homesOf(subjects.flatMap((s) => (s.kind === 'row' && s.table === 'notes' ? [s.pk[0]] : s.kind === 'text' ? [s.doc.pk[0]] : [])));
    const here = (noteId: SqlValue): boolean => {
      const home = homes.get(noteId as string);
      if (home !== undefined) return home === this.notebookId && (!arriving.has(noteId as string) || arriving.get(noteId as string) === this.notebookId);
      return arriving.get(noteId as string) === this.notebookId;
    };
    subjects.forEach((s) => {
      const ok =
        s.kind === 'text'
          ? this.isNoteBody(s.doc) && here(s.doc.pk[0]!)
          : s.kind === 'row' && (s.table === 'devices' || (s.table === 'notebooks' && s.pk[0] === this.notebookId) || (s.table === 'notes' && here(s.pk[0]!)));
      if (!ok) throw new SyncError('out-of-scope', `a change outside notebook ${this.notebookId} (${describe(s)})`);
    });
  }

  async includesDoc(ref: DocRef): Promise<boolean> {
    return this.isNoteBody(ref) && (await this.cachedHome(ref.pk[0])) === this.notebookId;
  }

  async includesRow(table: string, pk: readonly SqlValue[]): Promise<boolean> {
    if (table === 'notebooks') return pk[0] === this.notebookId;
    if (table === 'notes') return (await this.cachedHome(pk[0])) === this.notebookId;
    return table === 'devices';
  }

  /// The home of a note for live text and presence, from memory once looked up.
  private async cachedHome(id: SqlValue | undefined): Promise<string | null | undefined> {
    if (typeof id !== 'string') return undefined;
    if (this.cache.has(id)) return this.cache.get(id);
    return (await this.lookUp([id])).get(id);
  }

  private async lookUp(ids: string[]): Promise<Map<string, string | null>> {
    const homes = await this.homesOf(ids);
    if (this.cache.size > 10_000) this.cache.clear();
    for (const id of ids) {
      if (homes.has(id)) this.cache.set(id, homes.get(id)!);
      else this.cache.delete(id);
    }
    return homes;
  }

  private isNoteBody(ref: DocRef): boolean {
    return ref.table === 'notes' && ref.column === 'body' && typeof ref.pk[0] === 'string';
  }

  private async homesOf(ids: readonly (SqlValue | undefined)[]): Promise<Map<string, string | null>> {
    const unique = [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
    const homes = new Map<string, string | null>();
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const rows = await this.replica.query(`SELECT id, notebook_id FROM ${NOTE_HOMES} WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const row of rows) homes.set(row.id as string, (row.notebook_id as string | null) ?? null);
    }
    return homes;
  }

}

function describe(s: Awaited<ReturnType<Replica['subjectsOf']>>[number]): string {
  if (s.kind === 'unknown') return 'an unknown table';
  if (s.kind === 'text') return `text of ${s.doc.table}.${s.doc.column}`;
  return `${s.table} row${s.column ? ` column ${s.column}` : ''}`;
}

import type { Replica, SqlStatement } from '../../sync';

/// A shared notebook's secret and where to find its peers. Kept in a local table of the
/// same database (never synced: it is the key to the notebook, not part of it), so a
/// downloaded database file keeps the person's notebooks shared.
export interface NotebookKey {
  readonly notebookId: string;
  readonly secret: Uint8Array;
  /// Multiaddrs of cloud peers to find the notebook's other peers through.
  readonly bootstrap: readonly string[];
  /// Whether the cloud peers keep a copy of the notebook (hand it to them when they don't).
  readonly keepOnCloud: boolean;
}

export const NOTEBOOK_SECRET_BYTES = 32;
const NOTEBOOK_KEYS = 'notebook_keys';

export async function installNotebookKeys(replica: Replica): Promise<void> {
  await replica.transact(notebookKeysStatements());
}

/// installNotebookKeys' statements, to run in a transaction with others.
export function notebookKeysStatements(): SqlStatement[] {
  return [
    {
      sql: `CREATE TABLE IF NOT EXISTS ${NOTEBOOK_KEYS} (
              notebook_id TEXT PRIMARY KEY NOT NULL,
              secret BLOB NOT NULL,
              bootstrap TEXT NOT NULL DEFAULT '[]',
              keep_on_cloud INTEGER NOT NULL DEFAULT 1,
              created_at INTEGER NOT NULL DEFAULT 0
            )`,
    },
  ];
}

export async function notebookKeys(replica: Replica): Promise<NotebookKey[]> {
  const rows = await replica.query(`SELECT notebook_id, secret, bootstrap, keep_on_cloud FROM ${NOTEBOOK_KEYS} ORDER BY created_at, notebook_id`);
  return rows.map((row) => ({
    notebookId: row.notebook_id as string,
    secret: row.secret as Uint8Array,
    bootstrap: parseBootstrap(row.bootstrap),
    keepOnCloud: row.keep_on_cloud === 1,
  }));
}

export async function notebookKey(replica: Replica, notebookId: string): Promise<NotebookKey | null> {
  return (await notebookKeys(replica)).find((k) => k.notebookId === notebookId) ?? null;
}

/// Records a notebook's key; an existing key is kept (the first secret of a notebook is its
/// only one), its bootstrap list gains the new addresses.
export async function saveNotebookKey(replica: Replica, key: NotebookKey, now = Date.now()): Promise<NotebookKey> {
  if (key.secret.byteLength !== NOTEBOOK_SECRET_BYTES) throw new RangeError(`a notebook secret is ${NOTEBOOK_SECRET_BYTES} bytes`);
  const existing = await notebookKey(replica, key.notebookId);
  const bootstrap = [...new Set([...(existing?.bootstrap ?? []), ...key.bootstrap])];
  await replica.execute(
    `INSERT INTO ${NOTEBOOK_KEYS} (notebook_id, secret, bootstrap, keep_on_cloud, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (notebook_id) DO UPDATE SET bootstrap = excluded.bootstrap`,
    [key.notebookId, key.secret, JSON.stringify(bootstrap), key.keepOnCloud ? 1 : 0, now],
  );
  return (await notebookKey(replica, key.notebookId))!;
}

export async function setKeepOnCloud(replica: Replica, notebookId: string, keep: boolean): Promise<void> {
  await replica.execute(`UPDATE ${NOTEBOOK_KEYS} SET keep_on_cloud = ? WHERE notebook_id = ?`, [keep ? 1 : 0, notebookId]);
}

export function newNotebookSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(NOTEBOOK_SECRET_BYTES));
}

function parseBootstrap(value: unknown): string[] {
  try {
    const parsed: unknown = JSON.parse(String(value));
    return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

/// Shares a notebook: its key, made on first share, with this app's cloud peers to meet through.
export async function shareNotebook(replica: Replica, notebookId: string, bootstrap: readonly string[]): Promise<NotebookKey> {
  const existing = await notebookKey(replica, notebookId);
  return saveNotebookKey(replica, { notebookId, secret: existing?.secret ?? newNotebookSecret(), bootstrap, keepOnCloud: existing?.keepOnCloud ?? true });
}

/// Joins the notebook a peer link names. Its row arrives with the first sync; until then a
/// row with the link's name stands in (the same name, so the two merge without a trace).
export async function joinNotebook(replica: Replica, link: { notebookId: string; secret: Uint8Array; name: string; bootstrap: readonly string[] }): Promise<void> {
  const existing = await notebookKey(replica, link.notebookId);
  if (existing && !equalBytes(existing.secret, link.secret)) throw new RangeError('this device already has that notebook with another secret');
  await saveNotebookKey(replica, { notebookId: link.notebookId, secret: link.secret, bootstrap: link.bootstrap, keepOnCloud: true });
  await replica.execute('INSERT INTO notebooks (id, name, created_at) SELECT ?, ?, 0 WHERE NOT EXISTS (SELECT 1 FROM notebooks WHERE id = ?)', [link.notebookId, link.name, link.notebookId]);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
}

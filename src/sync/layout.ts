import { columnsOf, type ColumnDescriptor, type CompiledSchema, type TableDescriptor } from '../schema';

/// Where a user table's parts live in SQLite. The user's table name is a view over a CRR
/// table of its stored columns and a local table of the readable text of its REALTIME_TEXT
/// columns, so the sqlite3 CLI shows words while only Yjs updates ever sync. The readable
/// text outlives a deleted row, like the row's slots: a row that comes back (a delete
/// undone on another replica) has its text, and the view and search show only live rows.
export const physical = {
  crr: (table: string) => `${table}__crr`,
  text: (table: string) => `${table}__text`,
  fts: (table: string) => `${table}__fts`,
};

export const TEXT_SLOTS = 'sync_text_slots';
export const PEERS = 'sync_peers';
export const META = 'sync_meta';

/// Bumped when the physical layout below changes.
export const LAYOUT_VERSION = 1;

export const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/// Tables of the runtime itself, created before any user table.
export const RUNTIME_DDL = `
  CREATE TABLE IF NOT EXISTS ${TEXT_SLOTS} (
    doc TEXT NOT NULL,
    site BLOB NOT NULL,
    slot INTEGER NOT NULL,
    data BLOB NOT NULL DEFAULT x'',
    PRIMARY KEY (doc, site, slot)
  );
  SELECT crsql_as_crr('${TEXT_SLOTS}');
  CREATE TABLE IF NOT EXISTS ${PEERS} (
    site BLOB PRIMARY KEY NOT NULL,
    sent_up_to INTEGER NOT NULL DEFAULT 0,
    received_up_to INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER
  );
  CREATE TABLE IF NOT EXISTS ${META} (key TEXT PRIMARY KEY NOT NULL, value TEXT);
`;

/// The DDL that creates one user table's view, CRR table, text table, FTS index and triggers.
export function tableDdl(table: TableDescriptor): string {
  const t = table.name;
  const crr = physical.crr(t);
  const text = physical.text(t);
  const pk = table.primaryKey.map(q);
  const stored = table.columns.filter((c) => c.sync === 'lww' && !c.primaryKey);
  const texts = columnsOf(table, 'realtime-text');
  const keyColumns = table.primaryKey.map((name) => table.columns.find((c) => c.name === name)!);
  const pkMatch = (alias: string, other: string) => pk.map((c) => `${alias}.${c} = ${other}.${c}`).join(' AND ');

  const parts: string[] = [];
  const crrColumns = [...keyColumns, ...stored].map(columnDdl);
  const tableChecks = table.checks.map((c) => `CHECK ${c}`);
  parts.push(
    `CREATE TABLE ${q(crr)} (${[...crrColumns, ...tableChecks, `PRIMARY KEY (${pk.join(', ')})`].join(', ')})${table.withoutRowid ? ' WITHOUT ROWID' : ''};`,
    `SELECT crsql_as_crr('${crr.replaceAll("'", "''")}');`,
  );

  if (texts.length > 0) {
    const x = texts.map((c) => q(c.name));
    const keyDdl = keyColumns.map((c) => `${q(c.name)} ${c.storageType} NOT NULL`);
    parts.push(
      `CREATE TABLE ${q(text)} (rowid_ INTEGER PRIMARY KEY, ${[...keyDdl, ...x.map((c) => `${c} TEXT`)].join(', ')}, UNIQUE (${pk.join(', ')}));`,
      `CREATE VIRTUAL TABLE ${q(physical.fts(t))} USING fts5(${x.join(', ')}, content='${text.replaceAll("'", "''")}', content_rowid='rowid_', tokenize='unicode61 remove_diacritics 2');`,
      `CREATE TRIGGER ${q(`${text}_ai`)} AFTER INSERT ON ${q(text)} BEGIN
         INSERT INTO ${q(physical.fts(t))}(rowid, ${x.join(', ')}) VALUES (new.rowid_, ${x.map((c) => `new.${c}`).join(', ')});
       END;`,
      `CREATE TRIGGER ${q(`${text}_ad`)} AFTER DELETE ON ${q(text)} BEGIN
         INSERT INTO ${q(physical.fts(t))}(${q(physical.fts(t))}, rowid, ${x.join(', ')}) VALUES ('delete', old.rowid_, ${x.map((c) => `old.${c}`).join(', ')});
       END;`,
      `CREATE TRIGGER ${q(`${text}_au`)} AFTER UPDATE ON ${q(text)} BEGIN
         INSERT INTO ${q(physical.fts(t))}(${q(physical.fts(t))}, rowid, ${x.join(', ')}) VALUES ('delete', old.rowid_, ${x.map((c) => `old.${c}`).join(', ')});
         INSERT INTO ${q(physical.fts(t))}(rowid, ${x.join(', ')}) VALUES (new.rowid_, ${x.map((c) => `new.${c}`).join(', ')});
       END;`,
    );
  }

  const visible = table.columns.filter((c) => c.sync !== 'ephemeral');
  const select = visible.map((c) => (c.sync === 'realtime-text' ? `t.${q(c.name)}` : `c.${q(c.name)}`));
  const from = texts.length > 0 ? `${q(crr)} AS c LEFT JOIN ${q(text)} AS t ON ${pkMatch('t', 'c')}` : `${q(crr)} AS c`;
  parts.push(`CREATE VIEW ${q(t)} AS SELECT ${select.join(', ')} FROM ${from};`);

  const refuseText = texts
    .map((c) => `SELECT RAISE(ABORT, '${escapeRaise(`${t}.${c.name} is REALTIME_TEXT: edit it through the text API`)}') WHERE NEW.${q(c.name)} IS NOT @OLD@;`);
  const writable = [...keyColumns, ...stored];
  parts.push(
    `CREATE TRIGGER ${q(`${t}__insert`)} INSTEAD OF INSERT ON ${q(t)} BEGIN
       ${refuseText.map((s) => s.replace('@OLD@', 'NULL')).join('\n')}
       INSERT INTO ${q(crr)} (${writable.map((c) => q(c.name)).join(', ')})
         VALUES (${writable.map((c) => (c.defaultSql === null ? `NEW.${q(c.name)}` : `coalesce(NEW.${q(c.name)}, ${c.defaultSql})`)).join(', ')});
     END;`,
    `CREATE TRIGGER ${q(`${t}__update`)} INSTEAD OF UPDATE ON ${q(t)} BEGIN
       SELECT RAISE(ABORT, '${escapeRaise(`${t}: a primary key cannot change; delete the row and insert another`)}')
         WHERE ${pk.map((c) => `NEW.${c} IS NOT OLD.${c}`).join(' OR ')};
       ${refuseText.map((s, i) => s.replace('@OLD@', `OLD.${q(texts[i]!.name)}`)).join('\n')}
       ${stored.length > 0 ? `UPDATE ${q(crr)} SET ${stored.map((c) => `${q(c.name)} = NEW.${q(c.name)}`).join(', ')} WHERE ${pk.map((c) => `${c} = OLD.${c}`).join(' AND ')};` : ''}
     END;`,
    `CREATE TRIGGER ${q(`${t}__delete`)} INSTEAD OF DELETE ON ${q(t)} BEGIN
       DELETE FROM ${q(crr)} WHERE ${pk.map((c) => `${c} = OLD.${c}`).join(' AND ')};
     END;`,
  );
  return parts.join('\n');
}

function columnDdl(c: ColumnDescriptor): string {
  let ddl = `${q(c.name)} ${c.storageType}`;
  if (c.notNull) ddl += ' NOT NULL';
  if (c.defaultSql !== null) ddl += ` DEFAULT ${c.defaultSql}`;
  if (c.collate !== null) ddl += ` COLLATE ${q(c.collate)}`;
  for (const check of c.checks) ddl += ` CHECK ${check}`;
  return ddl;
}

function escapeRaise(message: string): string {
  return message.replaceAll("'", "''");
}

/// Names of the CRR tables whose changes travel between replicas, with their columns.
export function syncedTables(schema: CompiledSchema): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  tables.set(TEXT_SLOTS, new Set(['data']));
  for (const table of schema.tables) {
    tables.set(
      physical.crr(table.name),
      new Set(table.columns.filter((c) => c.sync === 'lww' && !c.primaryKey).map((c) => c.name)),
    );
  }
  return tables;
}

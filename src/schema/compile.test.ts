import { describe, expect, it } from 'vitest';
import { compileSyncSchema, SchemaError, type SchemaErrorCode } from './index';

const SEED = 'CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT, is_pinned LWW_INTEGER, cursor EPHEMERAL_INTEGER);';

function refusal(sql: string): SchemaError {
  try {
    compileSyncSchema(sql);
  } catch (error) {
    if (error instanceof SchemaError) return error;
    throw error;
  }
  throw new Error(`expected the schema to be refused: ${sql}`);
}

describe('compileSyncSchema', () => {
  it('compiles the seed statement verbatim', () => {
    const schema = compileSyncSchema(SEED);
    expect(schema.tables).toHaveLength(1);
    const notes = schema.tables[0]!;
    expect(notes.name).toBe('notes');
    expect(notes.primaryKey).toEqual(['id']);
    expect(notes.columns.map((c) => [c.name, c.sync, c.storageType])).toEqual([
      ['id', 'lww', 'TEXT'],
      ['body', 'realtime-text', 'TEXT'],
      ['is_pinned', 'lww', 'INTEGER'],
      ['cursor', 'ephemeral', 'INTEGER'],
    ]);
    // The user wrote `id TEXT PRIMARY KEY`; cr-sqlite needs the key NOT NULL.
    expect(notes.columns[0]!.notNull).toBe(true);
  });

  it('freezes its output', () => {
    const schema = compileSyncSchema(SEED);
    expect(Object.isFrozen(schema)).toBe(true);
    expect(Object.isFrozen(schema.tables[0]!.columns[1])).toBe(true);
  });

  it('gives a stable hash that changes with the schema and the revision', () => {
    const a = compileSyncSchema(SEED);
    expect(compileSyncSchema(SEED).hash).toBe(a.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(compileSyncSchema(SEED.replace('is_pinned LWW_INTEGER', 'is_pinned LWW_TEXT')).hash).not.toBe(a.hash);
    expect(compileSyncSchema(SEED, { revision: 2 }).hash).not.toBe(a.hash);
    // Formatting, comments and the case of keywords and types are not part of the schema.
    expect(compileSyncSchema(`-- notes\ncreate table notes (\n  id text primary key,\n  body realtime_text, is_pinned lww_integer,  cursor ephemeral_integer)`).hash)
      .toBe(a.hash);
    expect(compileSyncSchema(`CREATE TABLE notes (id TEXT PRIMARY KEY, /* c */ body REALTIME_TEXT,\n is_pinned LWW_INTEGER, cursor EPHEMERAL_INTEGER)`).hash).toBe(a.hash);
  });

  it('maps every sync type and plain SQL types', () => {
    const schema = compileSyncSchema(`
      CREATE TABLE t (
        k INTEGER NOT NULL, a LWW_TEXT, b LWW_REAL, c LWW_BLOB, d EPHEMERAL_TEXT,
        e VARCHAR(20) DEFAULT 'x', f DOUBLE PRECISION, g, h DATETIME, i INT NOT NULL DEFAULT -1,
        PRIMARY KEY (k)
      );
      CREATE TABLE "quoted name" ([x y] TEXT NOT NULL, PRIMARY KEY ([x y])) WITHOUT ROWID;`);
    const t = schema.tables[0]!;
    expect(t.columns.map((c) => `${c.name}:${c.sync}:${c.storageType}`)).toEqual([
      'k:lww:INTEGER', 'a:lww:TEXT', 'b:lww:REAL', 'c:lww:BLOB', 'd:ephemeral:TEXT',
      'e:lww:TEXT', 'f:lww:REAL', 'g:lww:BLOB', 'h:lww:NUMERIC', 'i:lww:INTEGER',
    ]);
    expect(t.columns.find((c) => c.name === 'e')!.defaultSql).toBe("'x'");
    expect(t.columns.find((c) => c.name === 'i')!.defaultSql).toBe('-1');
    expect(schema.tables[1]!.name).toBe('quoted name');
    expect(schema.tables[1]!.primaryKey).toEqual(['x y']);
    expect(schema.tables[1]!.withoutRowid).toBe(true);
  });

  it('accepts composite keys declared at table level', () => {
    const schema = compileSyncSchema('CREATE TABLE m (a TEXT, b INTEGER, v LWW_TEXT, PRIMARY KEY (a, b))');
    expect(schema.tables[0]!.primaryKey).toEqual(['a', 'b']);
    expect(schema.tables[0]!.columns.filter((c) => c.notNull).map((c) => c.name)).toEqual(['a', 'b']);
  });

  const refused: [string, SchemaErrorCode, string | null, string][] = [
    ['CREATE TABLE notes (id TEXT, body REALTIME_TEXT)', 'no-primary-key', null, 'notes'],
    ['CREATE TABLE notes (id EPHEMERAL_INTEGER PRIMARY KEY)', 'primary-key-sync-type', 'id', 'notes.id'],
    ['CREATE TABLE notes (id REALTIME_TEXT PRIMARY KEY)', 'primary-key-sync-type', 'id', 'notes.id'],
    ['CREATE TABLE notes (id TEXT, b TEXT, PRIMARY KEY (c)); ', 'no-primary-key', 'c', 'notes.c'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, slug TEXT UNIQUE)', 'unique', 'slug', 'notes.slug'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, slug TEXT, UNIQUE (slug))', 'unique', null, 'notes'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, nb TEXT REFERENCES notebooks(id))', 'foreign-key', 'nb', 'notes.nb'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, nb TEXT, FOREIGN KEY (nb) REFERENCES notebooks(id))', 'foreign-key', null, 'notes'],
    ['CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT)', 'autoincrement', 'id', 'notes.id'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL)', 'not-null-without-default', 'title', 'notes.title'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, body RICH_TEXT, x LWW_DATE)', 'unknown-sync-type', 'x', 'LWW_DATE'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, x EPHEMERAL_BLOB)', 'unknown-sync-type', 'x', 'notes.x'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT) STRICT', 'strict-custom-type', 'body', 'notes.body'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, body REALTIME_TEXT NOT NULL)', 'constraint-on-unstored-column', 'body', 'notes.body'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, n INT GENERATED ALWAYS AS (1))', 'generated-column', 'n', 'notes.n'],
    ['CREATE TABLE sync_x (id TEXT PRIMARY KEY)', 'reserved-name', null, 'sync_x'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, a__b TEXT)', 'reserved-name', 'a__b', 'notes.a__b'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY, id INTEGER)', 'duplicate-column', 'id', 'notes.id'],
    ['CREATE TABLE a (id TEXT PRIMARY KEY); CREATE TABLE A (id TEXT PRIMARY KEY)', 'duplicate-table', null, 'A'],
    ['CREATE TABLE notes (id TEXT PRIMARY KEY', 'syntax', null, 'end of input'],
    ['DROP TABLE notes', 'syntax', null, 'CREATE'],
    ['', 'no-tables', null, 'no table'],
  ];
  it.each(refused)('refuses %s', (sql, code, column, mentions) => {
    const error = refusal(sql);
    expect(error.code).toBe(code);
    expect(error.column).toBe(column);
    expect(error.message).toContain(mentions);
  });

  it('names table and column in the message', () => {
    expect(refusal('CREATE TABLE notes (id TEXT PRIMARY KEY, title TEXT NOT NULL)').message).toMatch(/^notes\.title: /);
  });
});

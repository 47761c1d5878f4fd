import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storageContract } from '../sync/testing/storage-contract';
import { openFileDatabase, openMemoryDatabase } from './node';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-storage-'));
  dirs.push(dir);
  return path.join(dir, 'notes.db');
}

describe('storage contract: Node memory', () => {
  for (const check of storageContract.filter((c) => !c.needsReopen)) {
    it(check.name, () => check.run({ open: openMemoryDatabase }));
  }
});

describe('storage contract: Node file', () => {
  for (const check of storageContract) {
    it(check.name, () => {
      const file = tempFile();
      return check.run({ open: () => openFileDatabase(file), reopen: () => openFileDatabase(file) });
    });
  }
});

describe('Node file database', () => {
  it('refuses a file that is not a database with an error, and leaves it as it was', async () => {
    const file = tempFile();
    const garbage = Buffer.from('this is not an SQLite database, just some text '.repeat(200));
    fs.writeFileSync(file, garbage);
    await expect(openFileDatabase(file)).rejects.toMatchObject({ name: 'StorageOpenError', kind: 'not-a-database' });
    expect(fs.readFileSync(file).equals(garbage)).toBe(true);
  });

  it('refuses a truncated database', async () => {
    const file = tempFile();
    const db = await openFileDatabase(file);
    await db.execScript("CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT); SELECT crsql_as_crr('t');");
    await db.transact(Array.from({ length: 200 }, (_, i) => ({ sql: 'INSERT INTO t VALUES (?, ?)', params: [`k${i}`, 'x'.repeat(500)] })));
    await db.close();
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 3)));
    const reopened = await openFileDatabase(file).catch((error: unknown) => error as Error);
    if (reopened instanceof Error) {
      expect(reopened).toMatchObject({ name: 'StorageOpenError', kind: 'corrupt' });
    } else {
      // SQLite opens a truncated file lazily; the damage shows on reading it.
      await expect(reopened.query('SELECT count(*) FROM t')).rejects.toThrow(/malformed|corrupt/i);
      await reopened.close().catch(() => undefined);
    }
  });
});

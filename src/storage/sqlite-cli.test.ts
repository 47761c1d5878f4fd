import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Replica } from '../sync';
import { notesSchema } from '../sync/testing/fixtures';
import { openFileDatabase } from './node';

/// The point of the product: the user's file opens in the stock sqlite3 CLI and the notes
/// table shows words. (.ci/run installs Debian's sqlite3.)
it('the stock sqlite3 CLI shows each note\'s text in the notes table', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notes-cli-'));
  const file = path.join(dir, 'notes.db');
  try {
    const r = await Replica.open({ db: await openFileDatabase(file), schema: notesSchema });
    await r.execute("INSERT INTO notes (id, is_pinned) VALUES ('n1', 1), ('n2', 0)");
    for (const [id, text] of [['n1', 'Buy milk'], ['n2', 'Call Ada, then write']] as const) {
      const h = await r.texts.openDoc({ table: 'notes', column: 'body', pk: [id] });
      h.doc.getText('t').insert(0, text);
      await h.release();
    }
    await r.close();

    const out = execFileSync('sqlite3', ['-readonly', file, 'select id, body, is_pinned from notes order by id;'], { encoding: 'utf8' });
    expect(out).toBe('n1|Buy milk|1\nn2|Call Ada, then write|0\n');
    const check = execFileSync('sqlite3', ['-readonly', file, 'pragma integrity_check;'], { encoding: 'utf8' });
    expect(check.trim()).toBe('ok');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

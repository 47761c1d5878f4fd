import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appSchema, noteBody } from '../notes/app-schema';
import { NOTE_FRAGMENT } from '../notes/document/doc-version';
import { notesSchema } from '../notes/document/schema';
import { createNote, createNotebook, mergeNotesDatabase, setPinned } from '../notes/model';
import { installNoteHomes, installNotebookKeys, newNotebookSecret, notebookKeys, saveNotebookKey } from '../notes/sharing';
import { openFileDatabase, openMemoryDatabase } from '../storage/node';
import { Replica } from '../sync';
import { REPLICA_FILE } from './cloud-peer';
import { exportFromDataDir, parseExportArgs } from './export';

let dir: string;
let dataDir: string;
let work: string;
let home: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peer-export-'));
  dataDir = path.join(dir, 'data');
  // A replica as the cloud peer keeps it: two notebooks, text, a pin, a notebook secret.
  const replica = await Replica.open({ db: await openFileDatabase(path.join(dataDir, REPLICA_FILE)), schema: appSchema });
  await installNoteHomes(replica);
  await installNotebookKeys(replica);
  work = await createNotebook(replica, 'Work', 1);
  home = await createNotebook(replica, 'Home', 2);
  const write = async (notebook: string, heading: string, item: string) => {
    const id = await createNote(replica, notebook, 1_700_000_000_000);
    const handle = await replica.texts.openDoc(noteBody(id));
    const n = notesSchema.nodes;
    const doc = n.doc!.create(null, [n.heading!.create({ level: 1 }, notesSchema.text(heading)), n.task_list!.create(null, n.task_item!.create({ checked: true }, n.paragraph!.create(null, notesSchema.text(item))))]);
    prosemirrorToYXmlFragment(doc, handle.doc.getXmlFragment(NOTE_FRAGMENT));
    await handle.release();
    return id;
  };
  const plan = await write(work, 'Plan', 'ship the export');
  await setPinned(replica, plan, true);
  await write(home, 'Garden', 'water the roses');
  await saveNotebookKey(replica, { notebookId: work, secret: newNotebookSecret(), bootstrap: [], keepOnCloud: true });
  await replica.close();
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sqlite3 = (file: string, sql: string) => execFileSync('sqlite3', ['-readonly', file, sql], { encoding: 'utf8' });

describe('exportFromDataDir', () => {
  it('writes the whole replica as a database file the sqlite3 CLI reads, leaving the replica untouched', async () => {
    const replicaBytes = fs.readFileSync(path.join(dataDir, REPLICA_FILE));
    const out = path.join(dir, 'out', 'notes.sqlite');
    await exportFromDataDir({ dataDir, format: 'sqlite', out });
    expect(fs.readFileSync(path.join(dataDir, REPLICA_FILE))).toEqual(replicaBytes);
    expect(sqlite3(out, 'select body, is_pinned from notes order by body;')).toBe('Garden\nwater the roses|0\nPlan\nship the export|1\n');
    expect(sqlite3(out, 'pragma integrity_check;').trim()).toBe('ok');
    expect(sqlite3(out, 'select count(*) from notebook_keys;').trim()).toBe('1');

    // The app's Import merges it: everything, the secret too.
    const device = await Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
    await installNotebookKeys(device);
    const source = await Replica.open({ db: await openFileDatabase(out), schema: appSchema });
    const report = await mergeNotesDatabase(device, source);
    await source.close();
    expect(report).toMatchObject({ notesAdded: 2, notebooksAdded: 2 });
    expect((await notebookKeys(device)).map((k) => k.notebookId)).toEqual([work]);
    await device.close();
  });

  it('writes one notebook as a database file of that notebook alone, without secrets', async () => {
    const out = path.join(dir, 'work.sqlite');
    await exportFromDataDir({ dataDir, format: 'sqlite', out, notebookId: work });
    expect(sqlite3(out, 'select body from notes;')).toBe('Plan\nship the export\n');
    expect(sqlite3(out, 'select name from notebooks;')).toBe('Work\n');
    expect(sqlite3(out, "select count(*) from sqlite_master where name = 'notebook_keys';").trim()).toBe('0');
  });

  it('writes Markdown: everything with a folder per notebook, or one notebook', async () => {
    const all = path.join(dir, 'all.zip');
    await exportFromDataDir({ dataDir, format: 'markdown', out: all });
    const files = unzipSync(fs.readFileSync(all));
    expect(Object.keys(files).sort()).toEqual(['Home/Garden.md', 'Work/Plan.md']);
    expect(new TextDecoder().decode(files['Work/Plan.md'])).toMatch(/pinned: true\n[^]*# Plan\n\n- \[x\] ship the export\n$/);
    const one = path.join(dir, 'home.zip');
    await exportFromDataDir({ dataDir, format: 'markdown', out: one, notebookId: home });
    expect(Object.keys(unzipSync(fs.readFileSync(one)))).toEqual(['Garden.md']);
  });

  it('refuses a data directory without a replica, and a notebook it does not keep', async () => {
    await expect(exportFromDataDir({ dataDir: path.join(dir, 'nothing'), format: 'sqlite', out: path.join(dir, 'x.sqlite') })).rejects.toThrow(/no replica/);
    await expect(exportFromDataDir({ dataDir, format: 'markdown', out: path.join(dir, 'x.zip'), notebookId: 'unknown' })).rejects.toThrow(/no notebook unknown/);
    expect(fs.existsSync(path.join(dir, 'x.zip'))).toBe(false);
  });

  it('parses its command line', () => {
    expect(parseExportArgs(['--format', 'sqlite', '--out', 'a.sqlite'], { PEER_DATA: '/srv/peer' })).toEqual({ dataDir: '/srv/peer', format: 'sqlite', out: 'a.sqlite' });
    expect(parseExportArgs(['--format', 'markdown', '--out', 'a.zip', '--data', 'd', '--notebook', 'nb'], {})).toEqual({ dataDir: 'd', format: 'markdown', out: 'a.zip', notebookId: 'nb' });
    expect(() => parseExportArgs(['--format', 'pdf', '--out', 'x'], {})).toThrow(/markdown or sqlite/);
    expect(() => parseExportArgs(['--format', 'sqlite'], {})).toThrow(/--out/);
  });
});

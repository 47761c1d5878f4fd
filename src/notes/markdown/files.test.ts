import fc from 'fast-check';
import { unzipSync } from 'fflate';
import type { Node as PMNode } from 'prosemirror-model';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import { describe, expect, it } from 'vitest';
import { openMemoryDatabase } from '../../storage/node';
import { Replica } from '../../sync';
import { b, docArbitrary, everyNodeAndMarkDoc } from '../../ui/editor/test-support';
import { appSchema, noteBody } from '../app-schema';
import { NOTE_FRAGMENT, readEditorSchemaVersion } from '../document/doc-version';
import { EDITOR_SCHEMA_VERSION } from '../document/schema';
import { createNote, createNotebook, moveToTrash, setPinned } from '../model';
import { exportMarkdownZip, importMarkdown, markdownNormalForm, MarkdownImportError, readMarkdownArchive, readNoteContent, type MarkdownFile } from './index';
import { IMPORT_LIMITS, writeZip } from './zip';

async function replica(): Promise<Replica> {
  return Replica.open({ db: await openMemoryDatabase(), schema: appSchema });
}

/// Writes a body as the editor does: the document into the note's Y.XmlFragment.
async function writeBody(r: Replica, id: string, doc: PMNode): Promise<void> {
  const handle = await r.texts.openDoc(noteBody(id));
  prosemirrorToYXmlFragment(doc, handle.doc.getXmlFragment(NOTE_FRAGMENT));
  await handle.release();
}

async function noteWith(r: Replica, notebook: string, doc: PMNode, at = 1_700_000_000_000): Promise<string> {
  const id = await createNote(r, notebook, at);
  await writeBody(r, id, doc);
  return id;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const file = (path: string, content: string | Uint8Array): MarkdownFile => ({ path, bytes: typeof content === 'string' ? new TextEncoder().encode(content) : content });
const docOf = async (r: Replica, id: string) => (await readNoteContent(r, id)).doc.toJSON();

/// What a replica holds that an import could change.
async function snapshot(r: Replica) {
  return {
    notes: await r.query('SELECT id, notebook_id, is_pinned, deleted_at, body FROM notes ORDER BY id'),
    notebooks: await r.query('SELECT id, name, deleted_at FROM notebooks ORDER BY id'),
    version: await r.dbVersion(),
  };
}

describe('Markdown export', () => {
  it('writes one file per live note, a folder per notebook, with front matter', async () => {
    const r = await replica();
    const work = await createNotebook(r, 'Work', 1);
    const home = await createNotebook(r, 'Home: the house', 2);
    const plan = await noteWith(r, work, b.doc(b.h(1, 'Plan'), b.tasks(b.task(true, b.p('call Ada')), b.task(false, b.p('write')))), Date.UTC(2024, 0, 2, 3, 4, 5));
    await setPinned(r, plan, true);
    await noteWith(r, home, b.doc(b.p('Groceries'), b.ul(b.li(b.p('milk')))));
    const gone = await noteWith(r, home, b.doc(b.p('Old stuff')));
    await moveToTrash(r, gone);

    const zip = await exportMarkdownZip(r);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['Home the house/Groceries.md', 'Work/Plan.md']);
    expect(text(files['Work/Plan.md']!)).toBe(
      [
        '---',
        `id: ${plan}`,
        'notebook: Work',
        'pinned: true',
        'created: 2024-01-02T03:04:05.000Z',
        'updated: 2024-01-02T03:04:05.000Z',
        'title: Plan',
        '---',
        '',
        '# Plan',
        '',
        '- [x] call Ada',
        '- [ ] write',
        '',
      ].join('\n'),
    );
    expect(text(files['Home the house/Groceries.md']!)).toContain('notebook: "Home: the house"');

    // One notebook: its notes at the top of the zip.
    expect(Object.keys(unzipSync(await exportMarkdownZip(r, { notebookId: work })))).toEqual(['Plan.md']);
    await r.close();
  });

  it('gives the same bytes for the same notes, in any replica and any order of writing', async () => {
    const build = async (order: number[]) => {
      const r = await replica();
      await r.execute("INSERT INTO notebooks (id, name, created_at) VALUES ('nb', 'Notes', 1)");
      const docs = [b.doc(b.h(1, 'Same')), b.doc(b.h(1, 'Same'), b.p('other')), everyNodeAndMarkDoc()];
      for (const i of order) {
        await r.execute('INSERT INTO notes (id, notebook_id, created_at, updated_at) VALUES (?, ?, ?, ?)', [`note-${i}-0000000`, 'nb', 1000 * i, 2000 * i]);
        await writeBody(r, `note-${i}-0000000`, docs[i]!);
      }
      return r;
    };
    const a = await build([0, 1, 2]);
    const c = await build([2, 0, 1]);
    const first = await exportMarkdownZip(a);
    expect(await exportMarkdownZip(a)).toEqual(first);
    expect(await exportMarkdownZip(c)).toEqual(first);
    // Two notes titled "Same" are told apart by a piece of their ids.
    expect(Object.keys(unzipSync(first)).sort()).toEqual(['Notes/Same (note-0-0).md', 'Notes/Same (note-1-0).md', 'Notes/Title.md']);
    await a.close();
    await c.close();
  });
});

describe('Markdown export, then import', () => {
  it('brings back every note with the same document, notebook, pin and dates', async () => {
    const source = await replica();
    const work = await createNotebook(source, 'Work', 1);
    const docs = [everyNodeAndMarkDoc(), b.doc(b.h(2, 'Zebra'), b.quote(b.p('quote ', b.text('bold', b.strong())))), b.doc(b.p())];
    const ids: string[] = [];
    for (const [i, doc] of docs.entries()) ids.push(await noteWith(source, work, doc, 5_000_000 * (i + 1)));
    await setPinned(source, ids[1]!, true);

    const target = await replica();
    const { files } = readMarkdownArchive(await exportMarkdownZip(source));
    const report = await importMarkdown(target, { notebookNamed: 'Imported' }, files);
    expect(report.imported).toHaveLength(3);
    expect(report.createdNotebooks.map((n) => n.name)).toEqual(['Work']);
    for (const [i, doc] of docs.entries()) {
      const created = 5_000_000 * (i + 1);
      const [row] = await target.query('SELECT id, is_pinned, created_at, updated_at FROM notes WHERE created_at = ?', [created]);
      expect(row).toMatchObject({ is_pinned: i === 1 ? 1 : 0, created_at: created, updated_at: created });
      expect(row!.id).not.toBe(ids[i]);
      expect(await docOf(target, String(row!.id))).toEqual(markdownNormalForm(doc).toJSON());
      // Written as the editor would, stamped with its schema version.
      const handle = await target.texts.openDoc(noteBody(String(row!.id)));
      expect(readEditorSchemaVersion(handle.doc)).toEqual({ state: 'recorded', version: EDITOR_SCHEMA_VERSION });
      await handle.release();
    }
    // The readable text (list, search, sqlite3) is there.
    expect(await target.query("SELECT count(*) AS n FROM notes WHERE body LIKE 'Title%'")).toEqual([{ n: 1 }]);
    expect((await target.search('notes', 'zebra')).length).toBe(1);
    await source.close();
    await target.close();
  });

  it('any document survives export and import as its Markdown normal form', async () => {
    const source = await replica();
    const target = await replica();
    const notebook = await createNotebook(source, 'Notes');
    await fc.assert(
      fc.asyncProperty(docArbitrary, async (doc) => {
        const id = await noteWith(source, notebook, doc);
        const { files } = readMarkdownArchive(await exportMarkdownZip(source, { notebookId: notebook }));
        const mine = files.filter((f) => text(f.bytes).includes(`id: ${id}\n`));
        const report = await importMarkdown(target, { notebookNamed: 'Imported' }, mine);
        const noteId = report.imported[0]?.noteId ?? report.alreadyHere[0]!.noteId;
        expect(await docOf(target, noteId)).toEqual(markdownNormalForm(doc).toJSON());
      }),
      { numRuns: Number(process.env.MD_RUNS ?? 40) },
    );
    await source.close();
    await target.close();
  });
});

describe('Markdown import', () => {
  it('imports the same export twice, or into the replica it came from, without duplicates', async () => {
    const source = await replica();
    const nb = await createNotebook(source, 'Notes');
    const kept = await noteWith(source, nb, b.doc(b.h(1, 'Kept'), b.p('as it was')));
    await noteWith(source, nb, b.doc(b.h(1, 'Other')));
    const zip = await exportMarkdownZip(source);

    // Back into the replica it came from: everything is here already.
    const before = await snapshot(source);
    const again = await importMarkdown(source, { notebookNamed: 'Imported' }, readMarkdownArchive(zip).files);
    expect(again.imported).toEqual([]);
    expect(again.alreadyHere.map((n) => n.noteId).sort()).toEqual((await source.query('SELECT id FROM notes ORDER BY id')).map((r) => r.id));
    expect(await snapshot(source)).toEqual(before);

    // Into another replica, twice: the second time adds nothing.
    const target = await replica();
    await importMarkdown(target, { notebookNamed: 'Imported' }, readMarkdownArchive(zip).files);
    const once = await snapshot(target);
    const twice = await importMarkdown(target, { notebookNamed: 'Imported' }, readMarkdownArchive(zip).files);
    expect(twice.imported).toEqual([]);
    expect(twice.alreadyHere).toHaveLength(2);
    expect(twice.createdNotebooks).toEqual([]);
    expect(await snapshot(target)).toEqual(once);

    // A note edited since the export comes back as a separate note: nothing is overwritten.
    const handle = await source.texts.openDoc(noteBody(kept));
    handle.doc.getXmlFragment(NOTE_FRAGMENT).delete(1, 1);
    await handle.release();
    const edited = await importMarkdown(source, { notebookNamed: 'Imported' }, readMarkdownArchive(zip).files);
    expect(edited.imported.map((n) => n.path)).toEqual(['Notes/Kept.md']);
    expect(edited.alreadyHere.map((n) => n.path)).toEqual(['Notes/Other.md']);
    await source.close();
    await target.close();
  });

  it('refuses files that are not Markdown, not text or too large, naming them, and changes nothing', async () => {
    const r = await replica();
    const nb = await createNotebook(r, 'Notes');
    await noteWith(r, nb, b.doc(b.p('existing')));
    const before = await snapshot(r);
    const good = file('good.md', '# Fine');
    const cases: [MarkdownFile, string][] = [
      [file('photo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47])), 'not-markdown'],
      [file('binary.md', new Uint8Array([0xff, 0xfe, 0x00, 0x41, 0x80])), 'not-text'],
      [file('nul.md', 'a\u0000b'), 'not-text'],
      [file('huge.md', new Uint8Array(IMPORT_LIMITS.fileBytes + 1).fill(0x61)), 'too-large'],
    ];
    for (const [bad, kind] of cases) {
      const error = await importMarkdown(r, { notebookId: nb }, [good, bad]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MarkdownImportError);
      expect(error).toMatchObject({ kind, file: bad.path });
      expect((error as Error).message).toContain(bad.path);
      expect(await snapshot(r)).toEqual(before);
    }
    await expect(importMarkdown(r, { notebookId: nb }, [])).rejects.toMatchObject({ kind: 'nothing-to-import' });
    await expect(importMarkdown(r, { notebookId: 'no-such-notebook' }, [good])).rejects.toMatchObject({ kind: 'unknown-notebook' });
    expect(await snapshot(r)).toEqual(before);
    await r.close();
  });

  it('reads Markdown from other apps: folders, file-name titles, checklists, foreign syntax', async () => {
    const r = await replica();
    const files = [
      file('Vault/Daily/2024-05-01.md', 'Met **Ada**.\nCalled Bob.\n\n- [x] done\n- [ ] todo\n- plain\n\n#### Deep\n\n```js\nlet a = 1;\n```\n\n![chart](https://example.com/c.png) [rel](other.md) <span>raw</span>'),
      file('Vault/Groceries.md', '# Groceries\n\n1. milk\n2. eggs\n'),
      file('loose.txt', 'just text'),
    ];
    const report = await importMarkdown(r, { notebookNamed: 'Imported notes' }, files);
    expect(report.createdNotebooks.map((n) => n.name).sort()).toEqual(['Imported notes', 'Vault']);
    const docFor = async (path: string) => docOf(r, report.imported.find((n) => n.path === path)!.noteId);
    expect(await docFor('Vault/Daily/2024-05-01.md')).toEqual(
      b
        .doc(
          b.h(1, '2024-05-01'),
          b.p('Met ', b.text('Ada', b.strong()), '.', b.br(), 'Called Bob.'),
          b.tasks(b.task(true, b.p('done')), b.task(false, b.p('todo'))),
          b.ul(b.li(b.p('plain'))),
          b.h(3, 'Deep'),
          b.code('let a = 1;'),
          b.p(b.text('chart', b.link('https://example.com/c.png')), ' rel <span>raw</span>'),
        )
        .toJSON(),
    );
    // Its first line is its file name already: no heading added.
    expect(await docFor('Vault/Groceries.md')).toEqual(b.doc(b.h(1, 'Groceries'), b.ol(1, b.li(b.p('milk')), b.li(b.p('eggs')))).toJSON());
    expect(await docFor('loose.txt')).toEqual(b.doc(b.h(1, 'loose'), b.p('just text')).toJSON());
    const notebookOf = async (path: string) => (await r.query('SELECT b.name FROM notes n JOIN notebooks b ON b.id = n.notebook_id WHERE n.id = ?', [report.imported.find((n) => n.path === path)!.noteId]))[0]!.name;
    expect(await notebookOf('Vault/Groceries.md')).toBe('Vault');
    expect(await notebookOf('loose.txt')).toBe('Imported notes');
    await r.close();
  });
});

describe('Markdown archives', () => {
  it('lists the Markdown files, leaves out hidden ones and names the others', () => {
    const zip = writeZip(
      ['a.md', 'Folder/b.markdown', 'Folder/picture.png', '.obsidian/app.json', '__MACOSX/._a.md', 'Folder/.DS_Store'].map((path) => ({ ...file(path, 'x'), modified: 0 })),
    );
    const { files, skipped } = readMarkdownArchive(zip, 'notes.zip');
    expect(files.map((f) => f.path)).toEqual(['Folder/b.markdown', 'a.md']);
    expect(skipped).toEqual(['Folder/picture.png']);
  });

  it('refuses a damaged archive and one with a Markdown file over the limit', () => {
    const zip = writeZip([{ ...file('a.md', 'x'), modified: 0 }]);
    expect(() => readMarkdownArchive(zip.slice(0, zip.byteLength - 30), 'cut.zip')).toThrow(expect.objectContaining({ kind: 'not-a-zip', file: 'cut.zip' }));
    expect(() => readMarkdownArchive(new TextEncoder().encode('not a zip at all'), 'text.zip')).toThrow(MarkdownImportError);
    const big = writeZip([{ ...file('big.md', new Uint8Array(IMPORT_LIMITS.fileBytes + 1)), modified: 0 }]);
    expect(() => readMarkdownArchive(big, 'big.zip')).toThrow(expect.objectContaining({ kind: 'too-large', file: 'big.md' }));
  });
});

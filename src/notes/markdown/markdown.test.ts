import fc from 'fast-check';
import type { Node as PMNode } from 'prosemirror-model';
import { describe, expect, it } from 'vitest';
import { b, docArbitrary, everyNodeAndMarkDoc } from '../../ui/editor/test-support';
import { docToMarkdown, markdownNormalForm, markdownToDoc } from './markdown';

const runs = Number(process.env.MD_RUNS ?? 400);

/// Text with the characters Markdown and HTML give meaning to, spaces and tabs at the edges,
/// digits that could start a list, and more than ASCII.
const nastyText = fc.string({ unit: fc.constantFrom(...'ab1 *_`[]()<>&#;\\!-+=.)|~:/\t'.split(''), 'é', '😀', '\u00a0', '\u2003'), minLength: 1, maxLength: 10 });
const hrefs = ['https://example.com/a_(b)', 'http://example.org/?q=a*b&c', 'mailto:a@example.com', 'https://example.com/'];
const nastyMarks = fc
  .record({ strong: fc.boolean(), em: fc.boolean(), code: fc.boolean(), link: fc.option(fc.constantFrom(...hrefs), { freq: 3 }) })
  .map((m) => [...(m.link ? [b.link(m.link)] : []), ...(m.em ? [b.em()] : []), ...(m.strong ? [b.strong()] : []), ...(m.code ? [b.codeMark()] : [])]);
const nastyInline = fc.array(
  fc.oneof({ weight: 5, arbitrary: fc.tuple(nastyText, nastyMarks).map(([text, marks]) => b.text(text, ...marks)) }, { weight: 1, arbitrary: fc.constant(null).map(() => b.br()) }),
  { maxLength: 5 },
);
const nastyBlock: fc.Arbitrary<PMNode> = fc.oneof(
  nastyInline.map((c) => b.p(...c)),
  fc.tuple(fc.integer({ min: 1, max: 3 }), nastyInline).map(([level, c]) => b.h(level, ...c)),
  fc.string({ unit: fc.constantFrom(...'a `~\n\t<>'.split('')), maxLength: 20 }).map((text) => b.code(text)),
);
const nastyDoc = fc
  .array(
    fc.oneof(
      nastyBlock,
      fc.array(nastyBlock, { minLength: 1, maxLength: 3 }).map((c) => b.quote(...c)),
      fc.array(nastyInline, { minLength: 1, maxLength: 3 }).map((items) => b.ul(...items.map((c) => b.li(b.p(...c))))),
      fc.array(fc.tuple(fc.boolean(), nastyInline), { minLength: 1, maxLength: 3 }).map((items) => b.tasks(...items.map(([checked, c]) => b.task(checked, b.p(...c))))),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((blocks) => b.doc(...blocks));

function expectRoundTrip(doc: PMNode): void {
  const markdown = docToMarkdown(doc);
  const back = markdownToDoc(markdown);
  expect(back.toJSON(), markdown).toEqual(markdownNormalForm(doc).toJSON());
  expect(docToMarkdown(back), markdown).toBe(markdown);
}

describe('Markdown <-> note documents', () => {
  it('a document with every node and mark comes back the same, but for its trailing empty paragraph', () => {
    const doc = everyNodeAndMarkDoc();
    expect(markdownToDoc(docToMarkdown(doc)).toJSON()).toEqual(markdownNormalForm(doc).toJSON());
    expect(markdownNormalForm(doc).toJSON()).toEqual(b.doc(...Array.from({ length: doc.childCount - 1 }, (_, i) => doc.child(i))).toJSON());
  });

  it('any document comes back as its Markdown normal form, and writes the same Markdown again', () => {
    fc.assert(fc.property(docArbitrary, expectRoundTrip), { numRuns: runs });
  });

  it('text full of Markdown and HTML syntax comes back as it was written', () => {
    fc.assert(fc.property(nastyDoc, expectRoundTrip), { numRuns: runs });
  });
});

describe('reading Markdown from elsewhere', () => {
  const read = (markdown: string) => markdownToDoc(markdown).toJSON();

  it('checklists: a list of `[ ]`/`[x]` items, split where it mixes in plain items; escaped brackets stay text', () => {
    expect(read('- [ ] a\n- [X] b\n- c\n- [x] d')).toEqual(
      b.doc(b.tasks(b.task(false, b.p('a')), b.task(true, b.p('b'))), b.ul(b.li(b.p('c'))), b.tasks(b.task(true, b.p('d')))).toJSON(),
    );
    expect(read('- \\[ \\] not a task\n- [ ]')).toEqual(b.doc(b.ul(b.li(b.p('[ ] not a task'))), b.tasks(b.task(false, b.p()))).toJSON());
    expect(read('* [ ] nested\n  - [x] deeper')).toEqual(b.doc(b.tasks(b.task(false, b.p('nested'), b.tasks(b.task(true, b.p('deeper')))))).toJSON());
  });

  it('keeps what the editor has and maps or drops what it has not, losing no text', () => {
    expect(read('#### Four\n###### Six')).toEqual(b.doc(b.h(3, 'Four'), b.h(3, 'Six')).toJSON());
    expect(read('```python\nprint(1)\n```')).toEqual(b.doc(b.code('print(1)')).toJSON());
    expect(read('0. zero\n1. one')).toEqual(b.doc(b.ol(0, b.li(b.p('zero')), b.li(b.p('one')))).toJSON());
    expect(read('[rel](notes/other.md) [js](javascript:alert(1)) [ok](https://example.com/)')).toEqual(
      // markdown-it does not even read a javascript: link as a link: it stays as it was written.
      b.doc(b.p('rel [js](javascript:alert(1)) ', b.text('ok', b.link('https://example.com/')))).toJSON(),
    );
    expect(read('![a picture](https://example.com/p.png) ![local](p.png)')).toEqual(b.doc(b.p(b.text('a picture', b.link('https://example.com/p.png')), ' local')).toJSON());
    expect(read('one\ntwo<br>three <u>raw</u>')).toEqual(b.doc(b.p('one', b.br(), 'two', b.br(), 'three <u>raw</u>')).toJSON());
    expect(read('<div>\nblock\n</div>')).toEqual(b.doc(b.p('<div>', b.br(), 'block', b.br(), '</div>')).toJSON());
    expect(read('<b>bold</b> <i>it</i> <a href="https://example.com/">link</a>')).toEqual(
      b.doc(b.p(b.text('bold', b.strong()), ' ', b.text('it', b.em()), ' ', b.text('link', b.link('https://example.com/')))).toJSON(),
    );
    expect(read('a &amp; b ~~struck~~ | table |')).toEqual(b.doc(b.p('a & b ~~struck~~ | table |')).toJSON());
  });
});

describe('writing Markdown', () => {
  it('is plain Markdown where Markdown can say it, and HTML only where it cannot', () => {
    expect(docToMarkdown(b.doc(b.p(b.text('Note:', b.strong()), ' text')))).toBe('**Note:** text\n');
    // `**Note:**text` would not be bold: this paragraph is written with <strong>.
    expect(docToMarkdown(b.doc(b.p(b.text('Note:', b.strong()), 'text')))).toBe('<strong>Note:</strong>text\n');
    expect(docToMarkdown(b.doc(b.h(2, 'a', b.br(), 'b'), b.p('end', b.br())))).toBe('## a<br>b\n\nend<br>\n');
    expect(docToMarkdown(b.doc(b.p('1) not a list, # nor a heading, <b> nor HTML, &amp; nor an entity')))).toBe(
      '1\\) not a list, # nor a heading, \\<b> nor HTML, \\&amp; nor an entity\n',
    );
    expect(docToMarkdown(b.doc(b.ul(b.li(b.p('a'))), b.ul(b.li(b.p('b'))), b.ol(1, b.li(b.p('c'))), b.ol(1, b.li(b.p('d')))))).toBe('- a\n\n\n* b\n\n1. c\n\n\n1) d\n');
  });
});

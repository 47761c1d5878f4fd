// @vitest-environment jsdom
import fc from 'fast-check';
import { DOMParser, DOMSerializer, type Node as PMNode } from 'prosemirror-model';
import { describe, expect, it } from 'vitest';
import { EDITOR_SCHEMA_VERSION, notesSchema, safeHref } from '../../notes/document/schema';
import { b, docArbitrary, everyNodeAndMarkDoc } from './test-support';

const serializer = DOMSerializer.fromSchema(notesSchema);
const parser = DOMParser.fromSchema(notesSchema);

function roundTrip(doc: PMNode): PMNode {
  const container = document.createElement('div');
  container.appendChild(serializer.serializeFragment(doc.content));
  // Through HTML text, as the clipboard carries it.
  const reparsed = document.createElement('div');
  reparsed.innerHTML = container.innerHTML;
  return parser.parse(reparsed);
}

function typesIn(doc: PMNode): { nodes: Set<string>; marks: Set<string> } {
  const nodes = new Set<string>([doc.type.name]);
  const marks = new Set<string>();
  doc.descendants((node) => {
    nodes.add(node.type.name);
    for (const mark of node.marks) marks.add(mark.type.name);
  });
  return { nodes, marks };
}

describe('notesSchema', () => {
  it('is version 1 with exactly the nodes and marks of the design', () => {
    expect(EDITOR_SCHEMA_VERSION).toBe(1);
    expect(Object.keys(notesSchema.nodes).sort()).toEqual(
      ['blockquote', 'bullet_list', 'code_block', 'doc', 'hard_break', 'heading', 'horizontal_rule', 'list_item', 'ordered_list', 'paragraph', 'task_item', 'task_list', 'text'].sort(),
    );
    expect(Object.keys(notesSchema.marks).sort()).toEqual(['code', 'em', 'link', 'strong']);
  });

  it('round-trips a document holding every node and mark through toDOM and the DOM parser', () => {
    const doc = everyNodeAndMarkDoc();
    doc.check();
    const used = typesIn(doc);
    // The sample must cover the whole schema, so a new node or mark cannot go untested.
    expect([...used.nodes].sort()).toEqual(Object.keys(notesSchema.nodes).sort());
    expect([...used.marks].sort()).toEqual(Object.keys(notesSchema.marks).sort());
    const parsed = roundTrip(doc);
    expect(parsed.toJSON()).toEqual(doc.toJSON());
  });

  it.each([
    ['paragraph', b.doc(b.p('a'))],
    ['empty paragraph', b.doc(b.p())],
    ['heading 1', b.doc(b.h(1, 'a'))],
    ['heading 2', b.doc(b.h(2, 'a'))],
    ['heading 3', b.doc(b.h(3, 'a'))],
    ['blockquote', b.doc(b.quote(b.p('a'), b.p('b')))],
    ['code_block', b.doc(b.code('a  b\n\tc'))],
    ['empty code_block', b.doc(b.code(''))],
    ['horizontal_rule', b.doc(b.p('a'), b.hr(), b.p('b'))],
    ['bullet_list', b.doc(b.ul(b.li(b.p('a')), b.li(b.p('b'))))],
    ['ordered_list from 1', b.doc(b.ol(1, b.li(b.p('a'))))],
    ['ordered_list from 0', b.doc(b.ol(0, b.li(b.p('a'))))],
    ['ordered_list from 7', b.doc(b.ol(7, b.li(b.p('a'))))],
    ['task_list', b.doc(b.tasks(b.task(false, b.p('a')), b.task(true, b.p('b'))))],
    ['task_item with nested blocks', b.doc(b.tasks(b.task(true, b.p('a'), b.ul(b.li(b.p('b'))), b.code('c'))))],
    ['list_item with a checklist inside', b.doc(b.ul(b.li(b.p('a'), b.tasks(b.task(true, b.p('b'))))))],
    ['hard_break', b.doc(b.p('a', b.br(), 'b'))],
    ['strong', b.doc(b.p(b.text('a', b.strong())))],
    ['em', b.doc(b.p(b.text('a', b.em())))],
    ['code', b.doc(b.p(b.text('a', b.codeMark())))],
    ['link http', b.doc(b.p(b.text('a', b.link('http://example.com/x'))))],
    ['link mailto', b.doc(b.p(b.text('a', b.link('mailto:x@example.com'))))],
    ['all marks together', b.doc(b.p(b.text('a', b.link('https://e.com/'), b.strong(), b.em(), b.codeMark())))],
  ])('round-trips %s', (_name, doc) => {
    doc.check();
    expect(roundTrip(doc).toJSON()).toEqual(doc.toJSON());
  });

  it('round-trips arbitrary documents (property)', () => {
    fc.assert(
      fc.property(docArbitrary, (doc) => {
        doc.check();
        expect(roundTrip(doc).toJSON()).toEqual(doc.toJSON());
      }),
      { numRuns: 200 },
    );
  });

  it('refuses link targets that are not http(s) or mailto, and invalid attributes', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', '/relative', '#top', 'vbscript:x', '']) {
      expect(safeHref(bad)).toBeNull();
      expect(() => notesSchema.mark('link', { href: bad })).toThrow(RangeError);
    }
    expect(safeHref(' https://example.com/ ')).toBe('https://example.com/');
    expect(() => notesSchema.mark('link', { href: 'https://example.com/' })).not.toThrow();
    expect(() => notesSchema.node('heading', { level: 4 })).toThrow(RangeError);
    expect(() => notesSchema.node('task_item', { checked: 'yes' }, [b.p()])).toThrow(RangeError);
    expect(() => notesSchema.node('ordered_list', { order: -1 }, [b.li(b.p())])).toThrow(RangeError);
  });

  it('renders a link whose target is unsafe without the target', () => {
    // Marks made without validation (as y-prosemirror would from a hostile peer) still render safely.
    const mark = Object.create(notesSchema.mark('link', { href: 'https://ok.example/' })) as ReturnType<typeof notesSchema.mark>;
    Object.defineProperty(mark, 'attrs', { value: { href: 'javascript:alert(1)' } });
    const spec = notesSchema.marks.link!.spec.toDOM!(mark, true);
    const { dom } = DOMSerializer.renderSpec(document, spec);
    expect((dom as HTMLElement).hasAttribute('href')).toBe(false);
  });
});

// @vitest-environment jsdom
import type { Node as PMNode } from 'prosemirror-model';
import { EditorState, TextSelection } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalizeLinkInput, type LinkUrlRequest } from './commands';
import { buildInputRules } from './input-rules';
import { buildKeymaps } from './keymap';
import { notesSchema } from '../../notes/document/schema';
import { b, place, pressKey, typeText } from './test-support';

let views: EditorView[] = [];
afterEach(() => {
  for (const view of views) view.destroy();
  views = [];
  vi.restoreAllMocks();
});

/// An editor (without Yjs) holding `doc`, with the cursor at the end of its first textblock,
/// its last textblock (`cursor: 'last'`), or at position `cursor`.
function editor(doc: PMNode = b.doc(b.p()), options: { cursor?: number | 'last'; requestLinkUrl?: LinkUrlRequest } = {}): EditorView {
  let state = EditorState.create({
    doc,
    plugins: [buildInputRules(notesSchema), ...buildKeymaps(notesSchema, { requestLinkUrl: options.requestLinkUrl })],
  });
  const ends: number[] = [];
  doc.descendants((node, at) => {
    if (node.isTextblock) ends.push(at + 1 + node.content.size);
  });
  const pos = typeof options.cursor === 'number' ? options.cursor : options.cursor === 'last' ? ends[ends.length - 1] : ends[0];
  state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, pos ?? 1)));
  const view = new EditorView(place(), { state });
  views.push(view);
  return view;
}

const json = (node: PMNode) => node.toJSON() as unknown;

describe('block input rules', () => {
  it.each([
    ['# ', b.h(1, 'x')],
    ['## ', b.h(2, 'x')],
    ['### ', b.h(3, 'x')],
    ['- ', b.ul(b.li(b.p('x')))],
    ['* ', b.ul(b.li(b.p('x')))],
    ['1. ', b.ol(1, b.li(b.p('x')))],
    ['4. ', b.ol(4, b.li(b.p('x')))],
    ['[ ] ', b.tasks(b.task(false, b.p('x')))],
    ['[x] ', b.tasks(b.task(true, b.p('x')))],
    ['> ', b.quote(b.p('x'))],
    ['```', b.code('x')],
  ])('"%s" at the start of a paragraph', (prefix, expected) => {
    const view = editor();
    typeText(view, prefix);
    typeText(view, 'x');
    expect(json(view.state.doc)).toEqual(json(b.doc(expected)));
  });

  it('"####" is not a heading (only three levels)', () => {
    const view = editor();
    typeText(view, '#### x');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('#### x'))));
  });

  it('"- " in the middle of a line stays text', () => {
    const view = editor();
    typeText(view, 'a - b');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('a - b'))));
  });

  it('"[ ] " under a checklist joins it', () => {
    const view = editor(b.doc(b.tasks(b.task(true, b.p('first'))), b.p()), { cursor: 'last' });
    expect(view.state.selection.$from.depth).toBe(1);
    typeText(view, '[ ] second');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.tasks(b.task(true, b.p('first')), b.task(false, b.p('second'))))));
  });

  it('"2. " under an ordered list of one item continues it', () => {
    const view = editor(b.doc(b.ol(1, b.li(b.p('a'))), b.p()), { cursor: 'last' });
    typeText(view, '2. b');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.ol(1, b.li(b.p('a')), b.li(b.p('b'))))));
  });

  it('"---" makes a horizontal rule and moves on to a new paragraph', () => {
    const view = editor(b.doc(b.p('above'), b.p()), { cursor: 'last' });
    typeText(view, '---');
    typeText(view, 'below');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('above'), b.hr(), b.p('below'))));
  });

  it('"---" after other text in the paragraph stays text', () => {
    const view = editor();
    typeText(view, 'a---');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('a---'))));
  });

  it('rules do not fire inside a code block', () => {
    const view = editor(b.doc(b.code('')));
    typeText(view, '# **a** `b` - ');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.code('# **a** `b` - '))));
  });
});

describe('mark input rules', () => {
  it.each([
    ['**bold**', b.p('say ', b.text('bold', b.strong()), ' now')],
    ['*it*', b.p('say ', b.text('it', b.em()), ' now')],
    ['_it_', b.p('say ', b.text('it', b.em()), ' now')],
    ['`code`', b.p('say ', b.text('code', b.codeMark()), ' now')],
    ['**two words**', b.p('say ', b.text('two words', b.strong()), ' now')],
  ])('%s', (typed, expected) => {
    const view = editor();
    typeText(view, `say ${typed} now`);
    // The text typed after the closing delimiter is not styled.
    expect(json(view.state.doc)).toEqual(json(b.doc(expected)));
  });

  it('leaves snake_case_names and lone stars alone', () => {
    const view = editor();
    typeText(view, 'snake_case_name 2 * 3 * 4');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('snake_case_name 2 * 3 * 4'))));
  });

  it('does not style inside inline code', () => {
    // The cursor is inside "a  c", which is inline code: the stars stay text.
    const view = editor(b.doc(b.p(b.text('a  c', b.codeMark()))), { cursor: 3 });
    typeText(view, '**b**');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p(b.text('a **b** c', b.codeMark())))));
  });

  it('Backspace right after a rule undoes it', () => {
    const view = editor();
    typeText(view, '# ');
    expect(view.state.doc.firstChild?.type.name).toBe('heading');
    expect(pressKey(view, 'Backspace')).toBe(true);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('# '))));
  });
});

describe('keymap', () => {
  it('Mod-b, Mod-i and Mod-e toggle strong, em and code on the selection', () => {
    const view = editor(b.doc(b.p('abc')));
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 1, 4)));
    expect(pressKey(view, 'Mod-b')).toBe(true);
    expect(pressKey(view, 'Mod-i')).toBe(true);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p(b.text('abc', b.strong(), b.em())))));
    pressKey(view, 'Mod-b');
    pressKey(view, 'Mod-i');
    pressKey(view, 'Mod-e');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p(b.text('abc', b.codeMark())))));
  });

  it('Enter at the end of a checklist item starts an unticked one; Enter in an empty last item leaves the list', () => {
    const view = editor(b.doc(b.tasks(b.task(true, b.p('a')))));
    expect(pressKey(view, 'Enter')).toBe(true);
    typeText(view, 'b');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.tasks(b.task(true, b.p('a')), b.task(false, b.p('b'))))));
    pressKey(view, 'Enter');
    pressKey(view, 'Enter');
    typeText(view, 'c');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.tasks(b.task(true, b.p('a')), b.task(false, b.p('b'))), b.p('c'))));
  });

  it('Enter splits bullet items; Tab nests and Shift-Tab un-nests them', () => {
    const view = editor(b.doc(b.ul(b.li(b.p('a')))));
    pressKey(view, 'Enter');
    typeText(view, 'b');
    expect(pressKey(view, 'Tab')).toBe(true);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.ul(b.li(b.p('a'), b.ul(b.li(b.p('b'))))))));
    expect(pressKey(view, 'Shift-Tab')).toBe(true);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.ul(b.li(b.p('a')), b.li(b.p('b'))))));
  });

  it('Tab and Shift-Tab work on checklist items too', () => {
    const view = editor(b.doc(b.tasks(b.task(false, b.p('a')), b.task(true, b.p('b')))), { cursor: 'last' });
    expect(view.state.selection.$from.parent.textContent).toBe('b');
    expect(pressKey(view, 'Tab')).toBe(true);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.tasks(b.task(false, b.p('a'), b.tasks(b.task(true, b.p('b'))))))));
    expect(pressKey(view, 'Shift-Tab')).toBe(true);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.tasks(b.task(false, b.p('a')), b.task(true, b.p('b'))))));
  });

  it('Tab outside a list is left to the browser (focus moves on)', () => {
    const view = editor(b.doc(b.p('a')));
    expect(pressKey(view, 'Tab')).toBe(false);
  });

  it('Mod-Enter ticks and unticks the checklist item at the cursor', () => {
    const view = editor(b.doc(b.tasks(b.task(false, b.p('a')))));
    expect(pressKey(view, 'Mod-Enter')).toBe(true);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.tasks(b.task(true, b.p('a'))))));
    pressKey(view, 'Mod-Enter');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.tasks(b.task(false, b.p('a'))))));
  });

  it('Mod-Enter outside a checklist changes nothing', () => {
    const view = editor(b.doc(b.p('a')));
    const before = view.state.doc;
    pressKey(view, 'Mod-Enter');
    expect(view.state.doc.eq(before)).toBe(true);
  });

  it('Mod-k links the selection with the URL from the callback, and removes it again', () => {
    const request = vi.fn<LinkUrlRequest>(() => 'example.com/page');
    const view = editor(b.doc(b.p('see this')), { requestLinkUrl: request });
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 5, 9)));
    expect(pressKey(view, 'Mod-k')).toBe(true);
    expect(request).toHaveBeenCalledWith('this');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('see ', b.text('this', b.link('https://example.com/page'))))));
    // With the cursor inside the link, Mod-k removes the whole link without asking.
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 6)));
    pressKey(view, 'Mod-k');
    expect(request).toHaveBeenCalledTimes(1);
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('see this'))));
  });

  it('Mod-k ignores unsafe or cancelled answers', () => {
    for (const answer of ['javascript:alert(1)', 'data:text/html,x', null, '']) {
      const view = editor(b.doc(b.p('x')), { requestLinkUrl: () => answer });
      view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 1, 2)));
      pressKey(view, 'Mod-k');
      expect(json(view.state.doc)).toEqual(json(b.doc(b.p('x'))));
    }
  });

  it('Mod-k with an empty cursor inserts the linked address; an asynchronous answer applies when it arrives', async () => {
    let resolve: (value: string | null) => void = () => undefined;
    const view = editor(b.doc(b.p('mail ')), { requestLinkUrl: () => new Promise((r) => (resolve = r)) });
    pressKey(view, 'Mod-k');
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('mail '))));
    resolve('someone@example.com');
    await Promise.resolve();
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p('mail ', b.text('mailto:someone@example.com', b.link('mailto:someone@example.com'))))));
  });

  it('Mod-k falls back to window.prompt', () => {
    const prompt = vi.spyOn(window, 'prompt').mockReturnValue('https://example.org/');
    const view = editor(b.doc(b.p('x')));
    view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, 1, 2)));
    pressKey(view, 'Mod-k');
    expect(prompt).toHaveBeenCalledOnce();
    expect(json(view.state.doc)).toEqual(json(b.doc(b.p(b.text('x', b.link('https://example.org/'))))));
  });

  it('normalizes typed link targets', () => {
    expect(normalizeLinkInput('example.com')).toBe('https://example.com');
    expect(normalizeLinkInput(' https://a.example/b ')).toBe('https://a.example/b');
    expect(normalizeLinkInput('me@example.com')).toBe('mailto:me@example.com');
    expect(normalizeLinkInput('javascript:alert(1)')).toBeNull();
    expect(normalizeLinkInput('just words')).toBeNull();
  });
});

// Helpers for this folder's tests only: document builders, a document arbitrary, typing and
// key presses driven through ProseMirror's own handlers, and Yjs update exchange.
import fc from 'fast-check';
import type { Mark, Node as PMNode, NodeType } from 'prosemirror-model';
import type { EditorView } from 'prosemirror-view';
import { yUndoPluginKey } from 'y-prosemirror';
import * as Y from 'yjs';
import { TextOrigin } from '../../sync';
import { notesSchema } from '../../notes/document/schema';

const s = notesSchema;

function type(name: string): NodeType {
  const t = s.nodes[name];
  if (!t) throw new Error(`no node type ${name}`);
  return t;
}

type Content = PMNode | string;
const toNodes = (content: Content[]): PMNode[] => content.map((c) => (typeof c === 'string' ? s.text(c) : c));

/// Tiny builders: `p('a', strong('b'))`, `ul(li(p('x')))`.
export const b = {
  doc: (...c: Content[]) => type('doc').create(null, toNodes(c)),
  p: (...c: Content[]) => type('paragraph').create(null, toNodes(c)),
  h: (level: number, ...c: Content[]) => type('heading').create({ level }, toNodes(c)),
  quote: (...c: Content[]) => type('blockquote').create(null, toNodes(c)),
  code: (text: string) => type('code_block').create(null, text ? [s.text(text)] : []),
  hr: () => type('horizontal_rule').create(),
  br: () => type('hard_break').create(),
  ul: (...c: Content[]) => type('bullet_list').create(null, toNodes(c)),
  ol: (order: number, ...c: Content[]) => type('ordered_list').create({ order }, toNodes(c)),
  li: (...c: Content[]) => type('list_item').create(null, toNodes(c)),
  tasks: (...c: Content[]) => type('task_list').create(null, toNodes(c)),
  task: (checked: boolean, ...c: Content[]) => type('task_item').create({ checked }, toNodes(c)),
  text: (text: string, ...marks: Mark[]) => s.text(text, marks),
  strong: () => s.mark('strong'),
  em: () => s.mark('em'),
  codeMark: () => s.mark('code'),
  link: (href: string) => s.mark('link', { href }),
};

/// A document with every node type and every mark of the schema.
export function everyNodeAndMarkDoc(): PMNode {
  return b.doc(
    b.h(1, 'Title'),
    b.h(2, 'Sub'),
    b.h(3, 'Small'),
    b.p('plain ', b.text('bold', b.strong()), ' ', b.text('it', b.em()), ' ', b.text('x', b.codeMark()), ' ', b.text('site', b.link('https://example.com/a?b=c')), b.br(), 'after'),
    b.p(b.text('mail', b.link('mailto:someone@example.com'), b.strong(), b.em())),
    b.quote(b.p('quoted'), b.ul(b.li(b.p('in quote')))),
    b.code('const x = 1;\n  return x;'),
    b.hr(),
    b.ul(b.li(b.p('one')), b.li(b.p('two'), b.ol(1, b.li(b.p('nested'))))),
    b.ol(3, b.li(b.p('three'))),
    b.ol(1, b.li(b.p('first'))),
    b.tasks(b.task(false, b.p('todo')), b.task(true, b.p('done'), b.tasks(b.task(false, b.p('sub'))))),
    b.p(),
  );
}

const word = fc.stringMatching(/^[a-z]{1,6}$/);
const run = fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));
const hrefs = ['https://example.com/', 'http://example.org/a?b=1', 'mailto:a@example.com'] as const;
const marks = fc
  .record({ strong: fc.boolean(), em: fc.boolean(), code: fc.boolean(), link: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...hrefs) }) })
  .map((m) => [...(m.link ? [b.link(m.link)] : []), ...(m.strong ? [b.strong()] : []), ...(m.em ? [b.em()] : []), ...(m.code ? [b.codeMark()] : [])]);
const inline = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(run, marks).map(([text, m]) => s.text(text, m)) },
  { weight: 1, arbitrary: fc.constant(null).map(() => b.br()) },
);
const inlineContent = fc.array(inline, { maxLength: 4 });

const paragraph = inlineContent.map((c) => b.p(...c));
const leafBlock = fc.oneof(
  paragraph,
  fc.tuple(fc.integer({ min: 1, max: 3 }), inlineContent).map(([level, c]) => b.h(level, ...c)),
  fc.array(word, { maxLength: 4 }).map((words) => b.code(words.join(' '))),
  fc.constant(null).map(() => b.hr()),
);

/// Arbitrary documents of `notesSchema`: nested lists, checklists and quotes, all marks.
export const docArbitrary: fc.Arbitrary<PMNode> = (() => {
  const tree = fc.letrec<{ block: PMNode; itemContent: PMNode[] }>((tie) => ({
    block: fc.oneof(
      { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
      leafBlock,
      fc.array(tie('block'), { minLength: 1, maxLength: 3 }).map((c) => b.quote(...c)),
      fc.array(tie('itemContent'), { minLength: 1, maxLength: 3 }).map((items) => b.ul(...items.map((c) => b.li(...c)))),
      fc
        .tuple(fc.integer({ min: 0, max: 20 }), fc.array(tie('itemContent'), { minLength: 1, maxLength: 3 }))
        .map(([order, items]) => b.ol(order, ...items.map((c) => b.li(...c)))),
      fc
        .array(fc.tuple(fc.boolean(), tie('itemContent')), { minLength: 1, maxLength: 3 })
        .map((items) => b.tasks(...items.map(([checked, c]) => b.task(checked, ...c)))),
    ),
    itemContent: fc.tuple(paragraph, fc.array(tie('block'), { maxLength: 2 })).map(([first, rest]) => [first, ...rest]),
  }));
  return fc.array(tree.block, { minLength: 1, maxLength: 5 }).map((blocks) => b.doc(...blocks));
})();

/// Types `text` one character at a time the way a browser does: each character is offered to
/// `handleTextInput` (where input rules run) and inserted by default when nobody took it.
export function typeText(view: EditorView, text: string): void {
  for (const ch of text) {
    const { from, to } = view.state.selection;
    const insert = () => view.state.tr.insertText(ch, from, to);
    const handled = view.someProp('handleTextInput', (f) => f(view, from, to, ch, insert));
    if (!handled) view.dispatch(insert());
  }
}

/// Sends a keydown through ProseMirror's key handlers; `key` like 'Mod-b', 'Shift-Tab', 'Enter'.
/// Returns whether a handler took it. (jsdom is not a Mac: Mod is Ctrl.)
export function pressKey(view: EditorView, spec: string): boolean {
  const parts = spec.split('-');
  const key = parts.pop() ?? '';
  const event = new KeyboardEvent('keydown', {
    key,
    ctrlKey: parts.includes('Mod') || parts.includes('Ctrl'),
    shiftKey: parts.includes('Shift'),
    altKey: parts.includes('Alt'),
    bubbles: true,
    cancelable: true,
  });
  return view.someProp('handleKeyDown', (f) => f(view, event)) ?? false;
}

/// Presses Mod-z (or Mod-Shift-z) until this editor's UndoManager has nothing left to undo
/// (redo). The UndoManager groups edits by lib0's wall clock (500 ms), so how many presses a
/// typed word takes depends on the machine; tests about *whose* edits are undone use this.
export function undoAll(view: EditorView, redo = false): number {
  const stack = () => {
    const manager = yUndoPluginKey.getState(view.state)?.undoManager;
    return manager ? (redo ? manager.redoStack.length : manager.undoStack.length) : 0;
  };
  let presses = 0;
  while (stack() > 0 && presses < 1000) {
    pressKey(view, redo ? 'Mod-Shift-z' : 'Mod-z');
    presses++;
  }
  return presses;
}

/// Delivers to `to` whatever `from` has that `to` lacks, as the runtime delivers a peer's
/// live update.
export function deliver(from: Y.Doc, to: Y.Doc, origin: unknown = TextOrigin.remoteLive): void {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), origin);
}

/// The plain text of every text block of a fragment, one string per block.
export function fragmentBlocksText(fragment: Y.XmlFragment): string[] {
  const out: string[] = [];
  const walk = (node: Y.XmlElement | Y.XmlFragment) => {
    let text = '';
    let hasText = false;
    for (const child of node.toArray()) {
      if (child instanceof Y.XmlText) {
        hasText = true;
        for (const op of child.toDelta() as { insert: unknown }[]) if (typeof op.insert === 'string') text += op.insert;
      } else if (child instanceof Y.XmlElement) walk(child);
    }
    if (hasText) out.push(text);
  };
  walk(fragment);
  return out;
}

/// A place in the document for an EditorView.
export function place(): HTMLElement {
  const element = document.createElement('div');
  document.body.appendChild(element);
  return element;
}

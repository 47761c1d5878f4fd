// @vitest-environment jsdom
import { EditorState, TextSelection, Transaction, type Plugin } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { prosemirrorToYXmlFragment, ySyncPlugin, ySyncPluginKey, yUndoPluginKey } from 'y-prosemirror';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { TextOrigin } from '../../sync';
import { META_EDITOR_SCHEMA, NOTE_FRAGMENT, NOTE_META, readEditorSchemaVersion } from '../../notes/document/doc-version';
import { mountNoteEditor, type CursorSource, type MountedNoteView } from './editor-view';
import { notesSchema } from '../../notes/document/schema';
import { b, deliver, fragmentBlocksText, place, pressKey, typeText, undoAll } from './test-support';

let mounted: MountedNoteView[] = [];
afterEach(() => {
  for (const m of mounted) m.destroy();
  mounted = [];
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function open(doc: Y.Doc, options: Parameters<typeof mountNoteEditor>[2] = {}): EditorView {
  const m = mountNoteEditor(place(), doc, options);
  mounted.push(m);
  return m.view;
}

function newDoc(clientID: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  return doc;
}

/// Moves the cursor to the end of the document's last textblock.
function toEnd(view: EditorView): void {
  let end = 1;
  view.state.doc.descendants((node, pos) => {
    if (node.isTextblock) end = pos + 1 + node.content.size;
  });
  view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, end)));
}

const textOf = (doc: Y.Doc) => fragmentBlocksText(doc.getXmlFragment(NOTE_FRAGMENT));

describe('the Yjs binding', () => {
  it('text typed in editor A reaches doc B and editor B through exchanged updates', () => {
    const a = newDoc(1);
    const b2 = newDoc(2);
    const viewA = open(a);
    const viewB = open(b2);
    typeText(viewA, '# Shopping');
    pressKey(viewA, 'Enter');
    typeText(viewA, '[ ] milk');
    deliver(a, b2);
    expect(textOf(b2)).toEqual(['Shopping', 'milk']);
    expect(viewB.state.doc.toJSON()).toEqual(b.doc(b.h(1, 'Shopping'), b.tasks(b.task(false, b.p('milk')))).toJSON());
    expect(viewB.state.doc.eq(viewA.state.doc)).toBe(true);
  });

  it('undo in A after a remote edit from B undoes only A’s edit; B’s stays, and redo brings A’s back', () => {
    const a = newDoc(1);
    const bDoc = newDoc(2);
    const viewA = open(a);
    const viewB = open(bDoc);
    typeText(viewA, 'from A');
    deliver(a, bDoc);
    toEnd(viewB);
    pressKey(viewB, 'Enter');
    typeText(viewB, 'from B');
    // B's edit reaches A the way the runtime delivers a peer's update.
    deliver(bDoc, a, TextOrigin.remoteLive);
    expect(textOf(a)).toEqual(['from A', 'from B']);

    expect(undoAll(viewA)).toBeGreaterThan(0);
    expect(textOf(a)).toEqual(['from B']);
    deliver(a, bDoc);
    expect(textOf(bDoc)).toEqual(['from B']);
    expect(viewB.state.doc.textContent).toBe('from B');

    expect(undoAll(viewA, true)).toBeGreaterThan(0);
    expect(textOf(a)).toEqual(['from A', 'from B']);
  });

  it('undo in A keeps what B typed inside A’s own paragraph', () => {
    const a = newDoc(1);
    const bDoc = newDoc(2);
    const viewA = open(a);
    const viewB = open(bDoc);
    typeText(viewA, 'Hello');
    deliver(a, bDoc);
    toEnd(viewB);
    typeText(viewB, ' world');
    deliver(bDoc, a, TextOrigin.remoteLive);
    expect(textOf(a)).toEqual(['Hello world']);
    undoAll(viewA);
    expect(textOf(a)).toEqual([' world']);
    expect(viewA.state.doc.toJSON()).toEqual(b.doc(b.p(' world')).toJSON());
  });

  it('never undoes remote edits, whatever their origin (stored rows, loads, none)', () => {
    for (const origin of [TextOrigin.remoteRows, TextOrigin.load, TextOrigin.remoteLive, null, 'some-transport']) {
      const a = newDoc(1);
      const bDoc = newDoc(2);
      const viewB = open(bDoc);
      typeText(viewB, 'remote');
      const viewA = open(a);
      deliver(bDoc, a, origin);
      expect(textOf(a)).toEqual(['remote']);
      // Nothing of A's own to undo: the remote text stays.
      expect(pressKey(viewA, 'Mod-z')).toBe(true);
      expect(yUndoPluginKey.getState(viewA.state)!.undoManager.undoStack).toHaveLength(0);
      expect(textOf(a)).toEqual(['remote']);
      expect(viewA.state.doc.textContent).toBe('remote');
    }
  });

  it('undo and redo are per person: B’s undo does not touch A’s text', () => {
    const a = newDoc(1);
    const bDoc = newDoc(2);
    const viewA = open(a);
    const viewB = open(bDoc);
    typeText(viewA, 'A1');
    deliver(a, bDoc);
    toEnd(viewB);
    typeText(viewB, ' B1');
    deliver(bDoc, a);
    expect(textOf(a)).toEqual(['A1 B1']);
    expect(undoAll(viewB)).toBeGreaterThan(0);
    deliver(bDoc, a);
    expect(textOf(a)).toEqual(['A1']);
    expect(textOf(bDoc)).toEqual(['A1']);
  });

  it('ticking a checkbox is an edit: it syncs and undoes', () => {
    const a = newDoc(1);
    const bDoc = newDoc(2);
    const viewA = open(a);
    const viewB = open(bDoc);
    typeText(viewA, '[ ] call Sam');
    deliver(a, bDoc);
    // The UndoManager groups edits less than 500 ms apart (by lib0's own clock, which fake
    // timers cannot reach): end the group as a pause before the click would.
    yUndoPluginKey.getState(viewA.state)!.undoManager.stopCapturing();
    const box = viewA.dom.querySelector<HTMLInputElement>('input[type="checkbox"]');
    expect(box).not.toBeNull();
    expect(box!.getAttribute('aria-label')).toBe('call Sam');
    box!.click();
    expect(viewA.state.doc.firstChild?.firstChild?.attrs.checked).toBe(true);
    deliver(a, bDoc);
    expect(viewB.state.doc.firstChild?.firstChild?.attrs.checked).toBe(true);
    expect(viewB.dom.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked).toBe(true);
    pressKey(viewA, 'Mod-z');
    expect(viewA.state.doc.firstChild?.firstChild?.attrs.checked).toBe(false);
    expect(viewA.dom.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked).toBe(false);
  });

  it('a checklist item’s checkbox is named by its text, "Done" while empty, and follows edits', () => {
    const viewA = open(newDoc(1));
    typeText(viewA, '[ ] ');
    const box = () => viewA.dom.querySelector('input[type="checkbox"]')!;
    expect(box().getAttribute('aria-label')).toBe('Done');
    typeText(viewA, 'water plants');
    expect(box().getAttribute('aria-label')).toBe('water plants');
  });

  it('a checkbox in a view that may not be edited does not change the document', () => {
    const doc = newDoc(1);
    const viewA = open(doc);
    typeText(viewA, '[ ] a');
    viewA.setProps({ editable: () => false });
    const before = Y.encodeStateVector(doc);
    const box = viewA.dom.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    box.click();
    expect(box.checked).toBe(false);
    expect(viewA.state.doc.firstChild?.firstChild?.attrs.checked).toBe(false);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('opening a note writes nothing; the schema version is recorded on the first local edit', () => {
    const source = newDoc(9);
    prosemirrorToYXmlFragment(everyBlock(), source.getXmlFragment(NOTE_FRAGMENT));
    const doc = newDoc(1);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(source), TextOrigin.load);
    const before = Y.encodeStateVector(doc);
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const view = open(doc);
    expect(view.state.doc.toJSON()).toEqual(everyBlock().toJSON());
    expect(updates).toEqual([]);
    expect(Y.encodeStateVector(doc)).toEqual(before);
    expect(readEditorSchemaVersion(doc)).toEqual({ state: 'missing' });
    // Remote edits (here from a peer without an editor) do not make this editor record it.
    const extra = new Y.XmlElement('paragraph');
    extra.insert(0, [new Y.XmlText('from a peer')]);
    source.getXmlFragment(NOTE_FRAGMENT).push([extra]);
    deliver(source, doc);
    expect(view.state.doc.lastChild?.textContent).toBe('from a peer');
    expect(readEditorSchemaVersion(doc)).toEqual({ state: 'missing' });
    // A local edit does, once.
    toEnd(view);
    typeText(view, '?');
    expect(readEditorSchemaVersion(doc)).toEqual({ state: 'recorded', version: 1 });
    expect(doc.getMap(NOTE_META).get(META_EDITOR_SCHEMA)).toBe(1);
  });

  it('stops using a view that was destroyed when y-prosemirror’s deferred dispatch arrives', async () => {
    vi.useFakeTimers();
    const listeners = new Set<(...args: unknown[]) => void>();
    const states = new Map<number, Record<string, unknown>>();
    const source: CursorSource = {
      getStates: () => states,
      getLocalState: () => states.get(1) ?? null,
      setLocalStateField: (field, value) => states.set(1, { ...(states.get(1) ?? {}), [field]: value }),
      on: (_event, listener) => listeners.add(listener),
      off: (_event, listener) => listeners.delete(listener),
    };
    const doc = newDoc(1);
    const m = mountNoteEditor(place(), doc, { cursorSource: source });
    expect(listeners.size).toBe(1);
    // A presence change makes yCursorPlugin schedule a dispatch with setTimeout(0)...
    for (const listener of listeners) listener({ added: [2], updated: [], removed: [] }, 'remote');
    // ...and the view goes away before it runs.
    m.destroy();
    expect(listeners.size).toBe(0);
    expect(() => vi.runAllTimers()).not.toThrow();
  });

  it('draws other people’s cursors from the cursor source', async () => {
    vi.useFakeTimers();
    const docA = newDoc(1);
    const docB = newDoc(2);
    const viewB = open(docB);
    typeText(viewB, 'hello world');
    deliver(docB, docA);
    const listeners = new Set<(...args: unknown[]) => void>();
    const states = new Map<number, Record<string, unknown>>();
    const source: CursorSource = {
      getStates: () => states,
      getLocalState: () => states.get(docA.clientID) ?? null,
      setLocalStateField: (field, value) => states.set(docA.clientID, { ...(states.get(docA.clientID) ?? {}), [field]: value }),
      on: (_event, listener) => listeners.add(listener),
      off: (_event, listener) => listeners.delete(listener),
    };
    const viewA = open(docA, { cursorSource: source });
    const fragment = docA.getXmlFragment(NOTE_FRAGMENT);
    const paragraph = fragment.get(0) as Y.XmlElement;
    const text = paragraph.get(0) as Y.XmlText;
    const at = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, 5));
    states.set(docB.clientID, { user: { name: 'Bea', color: '#2255aa' }, cursor: { anchor: at, head: at } });
    for (const listener of listeners) listener();
    vi.runAllTimers();
    const cursor = viewA.dom.querySelector('.ProseMirror-yjs-cursor');
    expect(cursor?.textContent).toContain('Bea');
    // The cursor sits after "hello".
    expect(cursor?.previousSibling?.textContent).toBe('hello');
  });

  it('keeps the caret in view across a peer’s change at the next frame, not inside the change', () => {
    const docA = newDoc(1);
    const docB = newDoc(2);
    const viewA = open(docA);
    const viewB = open(docB);
    typeText(viewB, 'hello');
    deliver(docB, docA);
    // jsdom has no layout: say the editor has focus and its caret is on screen (what
    // y-prosemirror measures in a browser), the case in which y-prosemirror scrolls the caret
    // back into view after a peer's change.
    const binding = (ySyncPluginKey.getState(viewA.state) as { binding: { _domSelectionInView: boolean | null } }).binding;
    viewA.hasFocus = () => true;
    binding._domSelectionInView = true;
    const frames: FrameRequestCallback[] = [];
    vi.spyOn(window, 'requestAnimationFrame').mockImplementation((callback) => frames.push(callback));
    // Counted, not performed: scrolling measures the page, which jsdom cannot.
    const scrolls = vi.spyOn(Transaction.prototype, 'scrollIntoView').mockImplementation(function (this: Transaction) {
      return this;
    });

    typeText(viewB, ' there');
    deliver(docB, docA);
    typeText(viewB, '!');
    deliver(docB, docA);
    expect(textOf(docA)).toEqual(['hello there!']);
    expect(viewA.state.doc.textContent).toBe('hello there!');
    expect(scrolls).not.toHaveBeenCalled(); // no layout between applying a change and showing it
    expect(frames).toHaveLength(1); // two changes, one scroll
    frames[0]!(0);
    expect(scrolls).toHaveBeenCalledTimes(1);
    expect(viewA.state.doc.textContent).toBe('hello there!');
  });
});

function everyBlock() {
  return b.doc(
    b.h(2, 'Plan'),
    b.p('text ', b.text('bold', b.strong()), ' ', b.text('link', b.link('https://example.com/'))),
    b.tasks(b.task(true, b.p('done')), b.task(false, b.p('todo'))),
    b.ol(3, b.li(b.p('three'))),
    b.quote(b.p('q')),
    b.code('x = 1'),
    b.hr(),
    b.p(),
  );
}

describe('what the compatibility gate protects against', () => {
  it('y-prosemirror 1.3.7 on its own deletes an element the schema does not know, and the deletion syncs', () => {
    const newer = newDoc(2);
    const fragment = newer.getXmlFragment(NOTE_FRAGMENT);
    const diagram = new Y.XmlElement('mermaid_diagram');
    diagram.insert(0, [new Y.XmlText('graph TD; A-->B')]);
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('intro')]);
    fragment.insert(0, [paragraph, diagram]);

    const old = newDoc(1);
    deliver(newer, old);
    // A bare binding, without this module's gate.
    const view = new EditorView(place(), {
      state: EditorState.create({ schema: notesSchema, plugins: [ySyncPlugin(old.getXmlFragment(NOTE_FRAGMENT)) as Plugin] }),
    });
    try {
      deliver(old, newer);
      expect(newer.getXmlFragment(NOTE_FRAGMENT).toArray().map((n) => (n as Y.XmlElement).nodeName)).toEqual(['paragraph']);
    } finally {
      view.destroy();
    }
  });
});

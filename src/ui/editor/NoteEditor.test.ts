// @vitest-environment jsdom
import type { EditorView } from 'prosemirror-view';
import { act, createElement, StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { yUndoPluginKey } from 'y-prosemirror';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { META_EDITOR_SCHEMA, NOTE_FRAGMENT, NOTE_META } from '../../notes/document/doc-version';
import type { CursorSource } from './editor-view';
import { NoteEditor, type NoteEditorProps } from './NoteEditor';
import { deliver, fragmentBlocksText, pressKey, typeText, undoAll } from './test-support';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
  vi.restoreAllMocks();
});

function newDoc(clientID: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  return doc;
}

function render(props: NoteEditorProps, strict = false): { root: Root; container: HTMLElement; rerender: (next: NoteEditorProps) => void; unmount: () => void } {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  const element = (p: NoteEditorProps) => (strict ? createElement(StrictMode, null, createElement(NoteEditor, p)) : createElement(NoteEditor, p));
  act(() => root.render(element(props)));
  let unmounted = false;
  const unmount = () => {
    if (unmounted) return;
    unmounted = true;
    act(() => root.unmount());
    container.remove();
  };
  cleanups.push(unmount);
  return { root, container, rerender: (next) => act(() => root.render(element(next))), unmount };
}

/// Listener counts on everything the editor may subscribe to, to compare before and after.
function listenerCounts(doc: Y.Doc): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [event, set] of (doc as unknown as { _observers: Map<string, Set<unknown>> })._observers) counts[`doc:${event}`] = set.size;
  const fragment = doc.getXmlFragment(NOTE_FRAGMENT);
  counts['fragment:deep'] = fragment._dEH.l.length;
  counts['fragment:shallow'] = fragment._eH.l.length;
  return counts;
}

/// Records every add/removeEventListener on document and window, to find listeners left behind.
function trackGlobalListeners(): { leftovers: () => string[]; added: () => number } {
  const live = new Map<string, number>();
  const ids = new Map<unknown, number>();
  let added = 0;
  const key = (target: string, type: string, listener: unknown) => {
    if (!ids.has(listener)) ids.set(listener, ids.size);
    return `${target}:${type}:${ids.get(listener)}`;
  };
  for (const [name, target] of [
    ['document', document],
    ['window', window],
  ] as const) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    vi.spyOn(target, 'addEventListener').mockImplementation((type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions) => {
      const k = key(name, type, listener);
      added++;
      live.set(k, (live.get(k) ?? 0) + 1);
      if (listener) add(type, listener, options);
    });
    vi.spyOn(target, 'removeEventListener').mockImplementation((type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions) => {
      const k = key(name, type, listener);
      if (live.has(k)) live.set(k, Math.max(0, (live.get(k) ?? 0) - 1));
      if (listener) remove(type, listener, options);
    });
  }
  return { leftovers: () => [...live].filter(([, n]) => n > 0).map(([k]) => k), added: () => added };
}

function fakeCursorSource(): CursorSource & { listeners: Set<unknown> } {
  const listeners = new Set<unknown>();
  const states = new Map<number, Record<string, unknown>>();
  return {
    listeners,
    getStates: () => states,
    getLocalState: () => states.get(1) ?? null,
    setLocalStateField: (field, value) => states.set(1, { ...(states.get(1) ?? {}), [field]: value }),
    on: (_event, listener) => void listeners.add(listener),
    off: (_event, listener) => void listeners.delete(listener),
  };
}

const textbox = (container: HTMLElement) => container.querySelector<HTMLElement>('[role="textbox"]');

describe('NoteEditor', () => {
  it('exposes an accessible, editable textbox named "Note body"', () => {
    const onReady = vi.fn<(view: EditorView) => void>();
    const { container } = render({ doc: newDoc(1), readOnly: false, onReady, className: 'note-editor' });
    const box = textbox(container);
    expect(box).not.toBeNull();
    expect(box!.getAttribute('aria-label')).toBe('Note body');
    expect(box!.getAttribute('aria-multiline')).toBe('true');
    expect(box!.getAttribute('contenteditable')).toBe('true');
    expect(container.firstElementChild!.classList.contains('note-editor')).toBe(true);
    expect(onReady).toHaveBeenCalledOnce();
    expect(onReady.mock.calls[0]![0].dom).toBe(box);
  });

  it('mounts and unmounts twice in a row in StrictMode without errors or leaked listeners', () => {
    const errors = vi.spyOn(console, 'error');
    const warnings = vi.spyOn(console, 'warn');
    const doc = newDoc(1);
    const cursorSource = fakeCursorSource();
    const baseline = listenerCounts(doc);
    const globals = trackGlobalListeners();
    for (let round = 0; round < 2; round++) {
      const { container, unmount } = render({ doc, readOnly: false, cursorSource }, true);
      // StrictMode ran the effect, its cleanup and the effect again: one live editor remains.
      expect(container.querySelectorAll('[role="textbox"]')).toHaveLength(1);
      expect(cursorSource.listeners.size).toBe(1);
      // The counts do see the editor's subscriptions while it is mounted.
      expect(listenerCounts(doc)).not.toEqual(baseline);
      unmount();
      expect(container.querySelectorAll('[role="textbox"]')).toHaveLength(0);
      expect(cursorSource.listeners.size).toBe(0);
      expect(listenerCounts(doc)).toEqual(baseline);
    }
    // ProseMirror listens on the document (selectionchange); all of it was removed again.
    expect(globals.added()).toBeGreaterThan(0);
    expect(globals.leftovers()).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    expect(warnings).not.toHaveBeenCalled();
  });

  it('after StrictMode’s remount, typing syncs and undo still works', () => {
    const doc = newDoc(1);
    let view: EditorView | null = null;
    render({ doc, readOnly: false, onReady: (v) => (view = v) }, true);
    expect(view).not.toBeNull();
    typeText(view!, 'hello');
    expect(fragmentBlocksText(doc.getXmlFragment(NOTE_FRAGMENT))).toEqual(['hello']);
    expect(yUndoPluginKey.getState(view!.state)!.undoManager.undoStack.length).toBeGreaterThan(0);
    expect(undoAll(view!)).toBeGreaterThan(0);
    expect(fragmentBlocksText(doc.getXmlFragment(NOTE_FRAGMENT))).toEqual([]);
    expect(view!.state.doc.textContent).toBe('');
  });

  it('readOnly shows the note without letting it change, and writes nothing', () => {
    const doc = newDoc(1);
    const para = new Y.XmlElement('paragraph');
    para.insert(0, [new Y.XmlText('in the trash')]);
    doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [para]);
    const before = Y.encodeStateVector(doc);
    const { container } = render({ doc, readOnly: true });
    const box = textbox(container)!;
    expect(box.getAttribute('contenteditable')).toBe('false');
    expect(box.getAttribute('aria-readonly')).toBe('true');
    expect(box.textContent).toBe('in the trash');
    // A read-only note chosen by the app gets no compatibility notice.
    expect(container.querySelector('[role="status"]')).toBeNull();
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('switches between editable and read-only when the prop changes', () => {
    const doc = newDoc(1);
    const { container, rerender } = render({ doc, readOnly: false });
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('true');
    rerender({ doc, readOnly: true });
    expect(container.querySelectorAll('[role="textbox"]')).toHaveLength(1);
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('false');
    rerender({ doc, readOnly: false });
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('true');
  });

  it('a note from a newer app opens read-only with a notice saying why', () => {
    const doc = newDoc(1);
    doc.getMap(NOTE_META).set(META_EDITOR_SCHEMA, 2);
    const before = Y.encodeStateVector(doc);
    const { container } = render({ doc, readOnly: false });
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('false');
    expect(container.querySelector('[role="status"]')?.textContent).toMatch(/newer version/);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('switches to read-only with a notice when a peer’s edit brings content it does not know', () => {
    const doc = newDoc(1);
    const peer = newDoc(2);
    const { container } = render({ doc, readOnly: false });
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('true');
    const diagram = new Y.XmlElement('mermaid_diagram');
    diagram.insert(0, [new Y.XmlText('graph')]);
    peer.getXmlFragment(NOTE_FRAGMENT).push([diagram]);
    act(() => deliver(peer, doc));
    expect(container.querySelectorAll('[role="textbox"]')).toHaveLength(1);
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('false');
    expect(container.querySelector('[role="status"]')?.textContent).toMatch(/mermaid_diagram/);
    expect(container.querySelector('[data-node-name="mermaid_diagram"]')).not.toBeNull();
    expect((doc.getXmlFragment(NOTE_FRAGMENT).get(0) as Y.XmlElement).nodeName).toBe('mermaid_diagram');
  });

  it('a read-only note that receives content it does not know shows the notice too', () => {
    const doc = newDoc(1);
    const peer = newDoc(2);
    const { container } = render({ doc, readOnly: true });
    expect(container.querySelector('[role="status"]')).toBeNull();
    peer.getXmlFragment(NOTE_FRAGMENT).push([new Y.XmlElement('mermaid_diagram')]);
    act(() => deliver(peer, doc));
    expect(container.querySelector('[role="status"]')?.textContent).toMatch(/mermaid_diagram/);
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('false');
  });

  it('becomes editable again when the unknown content is removed elsewhere', () => {
    const doc = newDoc(1);
    const peer = newDoc(2);
    const diagram = new Y.XmlElement('mermaid_diagram');
    peer.getXmlFragment(NOTE_FRAGMENT).push([diagram]);
    deliver(peer, doc);
    const { container } = render({ doc, readOnly: false });
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('false');
    peer.getXmlFragment(NOTE_FRAGMENT).delete(0, 1);
    act(() => deliver(peer, doc));
    expect(textbox(container)!.getAttribute('contenteditable')).toBe('true');
    expect(container.querySelector('[role="status"]')).toBeNull();
  });

  it('uses the requestLinkUrl prop for Mod-k, the latest one passed', () => {
    const doc = newDoc(1);
    let view: EditorView | null = null;
    const first = vi.fn(() => 'https://first.example/');
    const second = vi.fn(() => 'https://second.example/');
    const { rerender } = render({ doc, readOnly: false, onReady: (v) => (view = v), requestLinkUrl: first });
    rerender({ doc, readOnly: false, onReady: (v) => (view = v), requestLinkUrl: second });
    typeText(view!, 'x');
    pressKey(view!, 'Mod-k');
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledOnce();
    expect(view!.state.doc.textContent).toBe('xhttps://second.example/');
  });
});

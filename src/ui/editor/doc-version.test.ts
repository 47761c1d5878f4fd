// @vitest-environment jsdom
import fc from 'fast-check';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { TextOrigin } from '../../sync';
import { checkDocCompatibility, META_EDITOR_SCHEMA, NOTE_FRAGMENT, NOTE_META, readEditorSchemaVersion, stampEditorSchemaVersion, transactionIncompatibility } from '../../notes/document/doc-version';
import { mountNoteEditor, type MountedNoteView } from './editor-view';
import { mountNote, type MountedNote } from './mount-note';
import { b, deliver, docArbitrary, place, typeText } from './test-support';

let mounted: MountedNoteView[] = [];
afterEach(() => {
  for (const m of mounted) m.destroy();
  mounted = [];
});

function newDoc(clientID: number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  return doc;
}

function paragraph(text: string): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [new Y.XmlText(text)]);
  return p;
}

/// A note as a newer app might write it: a paragraph, then a diagram this schema lacks.
function docWithDiagram(clientID = 7): Y.Doc {
  const doc = newDoc(clientID);
  const diagram = new Y.XmlElement('mermaid_diagram');
  diagram.setAttribute('theme', 'dark');
  diagram.insert(0, [new Y.XmlText('graph TD; A-->B')]);
  doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [paragraph('intro'), diagram, paragraph('outro')]);
  return doc;
}

/// Opens `doc` the way NoteEditor does: editable only when compatible.
function openChecked(doc: Y.Doc): MountedNote {
  const m = mountNote(place(), doc);
  mounted.push(m);
  return m;
}

async function settle(): Promise<void> {
  // y-prosemirror defers some work with setTimeout(0).
  await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('checkDocCompatibility', () => {
  it('accepts an empty doc, a doc without a version and a doc at our version', () => {
    expect(checkDocCompatibility(newDoc(1))).toEqual({ editable: true });
    const doc = newDoc(1);
    prosemirrorToYXmlFragment(b.doc(b.p('a')), doc.getXmlFragment(NOTE_FRAGMENT));
    expect(checkDocCompatibility(doc)).toEqual({ editable: true });
    doc.getMap(NOTE_META).set(META_EDITOR_SCHEMA, 1);
    expect(checkDocCompatibility(doc)).toEqual({ editable: true });
  });

  it('accepts every document the schema can hold, as y-prosemirror stores it (property)', () => {
    fc.assert(
      fc.property(docArbitrary, (pmDoc) => {
        const doc = newDoc(1);
        prosemirrorToYXmlFragment(pmDoc, doc.getXmlFragment(NOTE_FRAGMENT));
        expect(checkDocCompatibility(doc)).toEqual({ editable: true });
      }),
      { numRuns: 100 },
    );
  });

  it('accepts content that only breaks a content expression, as concurrent edits leave it', () => {
    const doc = newDoc(1);
    doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [new Y.XmlElement('bullet_list')]);
    expect(checkDocCompatibility(doc)).toEqual({ editable: true });
  });

  it.each([
    ['a newer schema version', (doc: Y.Doc) => doc.getMap(NOTE_META).set(META_EDITOR_SCHEMA, 2), /newer version/],
    ['an unreadable version', (doc: Y.Doc) => doc.getMap(NOTE_META).set(META_EDITOR_SCHEMA, 'two'), /cannot read/],
    ['an unknown element', (doc: Y.Doc) => doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [new Y.XmlElement('mermaid_diagram')]), /mermaid_diagram/],
    [
      'an unknown element deep in a list',
      (doc: Y.Doc) => {
        const list = new Y.XmlElement('bullet_list');
        const item = new Y.XmlElement('list_item');
        item.insert(0, [paragraph('a'), new Y.XmlElement('image')]);
        list.insert(0, [item]);
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [list]);
      },
      /image/,
    ],
    [
      'an element named like the top node',
      (doc: Y.Doc) => doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [new Y.XmlElement('doc')]),
      /doc/,
    ],
    [
      'an unknown attribute',
      (doc: Y.Doc) => {
        const p = paragraph('a');
        p.setAttribute('align', 'center');
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [p]);
      },
      /align/,
    ],
    [
      'an attribute value the schema refuses',
      (doc: Y.Doc) => {
        const h = new Y.XmlElement('heading');
        h.setAttribute('level', 5 as unknown as string);
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [h]);
      },
      /heading/,
    ],
    [
      'an unknown mark',
      (doc: Y.Doc) => {
        const p = paragraph('hello');
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [p]);
        (p.get(0) as Y.XmlText).format(0, 2, { highlight: { color: 'yellow' } });
      },
      /highlight/,
    ],
    [
      'a mark with an unknown attribute',
      (doc: Y.Doc) => {
        const p = paragraph('hello');
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [p]);
        (p.get(0) as Y.XmlText).format(0, 2, { link: { href: 'https://a.example/', title: 'A' } });
      },
      /title/,
    ],
    [
      'a link to javascript:',
      (doc: Y.Doc) => {
        const p = paragraph('hello');
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [p]);
        (p.get(0) as Y.XmlText).format(0, 2, { link: { href: 'javascript:alert(1)' } });
      },
      /link/,
    ],
    [
      'an embed in text',
      (doc: Y.Doc) => {
        const p = paragraph('hello');
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [p]);
        (p.get(0) as Y.XmlText).insertEmbed(1, { image: 'x.png' });
      },
      /embedded object/,
    ],
  ])('refuses a doc with %s', (_name, write, reason) => {
    const doc = newDoc(1);
    write(doc);
    const result = checkDocCompatibility(doc);
    expect(result.editable).toBe(false);
    if (!result.editable) expect(result.reason).toMatch(reason);
  });

  it('reads the version without typing the meta root, and the stamp writes it once', () => {
    const doc = newDoc(1);
    expect(readEditorSchemaVersion(doc)).toEqual({ state: 'missing' });
    expect(doc.share.has(NOTE_META)).toBe(false);
    expect(stampEditorSchemaVersion(doc)).toBe(true);
    expect(stampEditorSchemaVersion(doc)).toBe(false);
    const copy = newDoc(2);
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    // Not asked for by type in the copy yet: still readable.
    expect(readEditorSchemaVersion(copy)).toEqual({ state: 'recorded', version: 1 });
  });
});

describe('opening a note the editor must not write', () => {
  it('mountNoteEditor refuses such a doc outright', () => {
    const doc = docWithDiagram();
    const before = Y.encodeStateVector(doc);
    expect(() => mountNoteEditor(place(), doc)).toThrow(/mermaid_diagram/);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('a doc whose meta says version 2 opens read-only and its state vector does not change', async () => {
    const doc = newDoc(1);
    doc.getMap(NOTE_META).set(META_EDITOR_SCHEMA, 2);
    doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [paragraph('from the future')]);
    const before = Y.encodeStateVector(doc);
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));

    const { view, editable, compatibility } = openChecked(doc);
    expect(editable).toBe(false);
    expect(compatibility.editable).toBe(false);
    expect(view.editable).toBe(false);
    expect(view.dom.getAttribute('contenteditable')).toBe('false');
    expect(view.dom.getAttribute('aria-readonly')).toBe('true');
    expect(view.state.doc.textContent).toBe('from the future');
    // Typing is refused, and nothing is written even after deferred work has run.
    typeText(view, 'x');
    view.dispatch(view.state.tr.insertText('y', 1));
    await settle();
    expect(view.state.doc.textContent).toBe('from the future');
    expect(updates).toEqual([]);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('a doc with an unknown element opens read-only, shows a placeholder, and keeps the element intact', async () => {
    const doc = docWithDiagram();
    const before = Y.encodeStateVector(doc);
    const fragmentBefore = doc.getXmlFragment(NOTE_FRAGMENT).toJSON();
    const { view } = openChecked(doc);
    expect(view.editable).toBe(false);
    const placeholder = view.dom.querySelector('[data-node-name="mermaid_diagram"]');
    expect(placeholder?.textContent).toContain('graph TD; A-->B');
    expect(view.dom.textContent).toContain('intro');
    expect(view.dom.textContent).toContain('outro');
    await settle();
    expect(Y.encodeStateVector(doc)).toEqual(before);
    expect(doc.getXmlFragment(NOTE_FRAGMENT).toJSON()).toEqual(fragmentBefore);
    expect((doc.getXmlFragment(NOTE_FRAGMENT).get(1) as Y.XmlElement).getAttribute('theme')).toBe('dark');
  });

  it('the read-only view follows remote changes without writing', () => {
    const remote = docWithDiagram(7);
    const doc = newDoc(1);
    deliver(remote, doc, TextOrigin.load);
    const { view } = openChecked(doc);
    expect(view.editable).toBe(false);
    ((remote.getXmlFragment(NOTE_FRAGMENT).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(5, ' more');
    const sv = Y.encodeStateVector(remote);
    deliver(remote, doc);
    expect(view.dom.textContent).toContain('intro more');
    expect(Y.encodeStateVector(doc)).toEqual(sv);
  });
});

describe('a note that becomes incompatible while it is open', () => {
  it('an unknown element arriving from a peer is not deleted: the editor stops and reports why', async () => {
    const doc = newDoc(1);
    const peer = newDoc(2);
    const onIncompatible = vi.fn();
    const m = mountNoteEditor(place(), doc, { onIncompatible });
    mounted.push(m);
    typeText(m.view, 'mine');
    deliver(doc, peer);

    const diagram = new Y.XmlElement('mermaid_diagram');
    diagram.insert(0, [new Y.XmlText('graph')]);
    peer.getXmlFragment(NOTE_FRAGMENT).push([diagram]);
    const peerState = Y.encodeStateVector(peer);
    deliver(peer, doc, TextOrigin.remoteLive);

    expect(onIncompatible).toHaveBeenCalledOnce();
    expect(onIncompatible.mock.calls[0]?.[0]).toMatch(/mermaid_diagram/);
    expect(m.view.editable).toBe(false);
    // Typing into the stale view changes nothing, now or after deferred work.
    typeText(m.view, 'more');
    m.view.dispatch(m.view.state.tr.insertText('z', 1));
    await settle();
    const names = doc.getXmlFragment(NOTE_FRAGMENT).toArray().map((n) => (n as Y.XmlElement).nodeName);
    expect(names).toEqual(['paragraph', 'mermaid_diagram']);
    // The doc holds exactly what the two had: nothing more was written here.
    expect(Y.encodeStateVector(doc)).toEqual(peerState);
  });

  it('so is a newer version recorded by a peer', () => {
    const doc = newDoc(1);
    const peer = newDoc(2);
    const onIncompatible = vi.fn();
    const m = mountNoteEditor(place(), doc, { onIncompatible });
    mounted.push(m);
    peer.getMap(NOTE_META).set(META_EDITOR_SCHEMA, 2);
    deliver(peer, doc);
    expect(onIncompatible).toHaveBeenCalledOnce();
    expect(m.view.editable).toBe(false);
  });

  it('ordinary remote edits do not stop it', () => {
    const doc = newDoc(1);
    const peer = newDoc(2);
    const onIncompatible = vi.fn();
    const m = mountNoteEditor(place(), doc, { onIncompatible });
    mounted.push(m);
    const other = mountNoteEditor(place(), peer);
    mounted.push(other);
    typeText(other.view, '# Title');
    deliver(peer, doc);
    expect(m.view.state.doc.firstChild?.type.name).toBe('heading');
    expect(onIncompatible).not.toHaveBeenCalled();
    expect(m.view.editable).toBe(true);
  });

  it('the per-transaction check finds whatever the whole-doc check finds (property)', () => {
    const unknowns: ((doc: Y.Doc) => void)[] = [
      (doc) => doc.getXmlFragment(NOTE_FRAGMENT).push([new Y.XmlElement('callout')]),
      (doc) => {
        const first = doc.getXmlFragment(NOTE_FRAGMENT).get(0);
        if (first instanceof Y.XmlElement) first.setAttribute('align', 'left');
      },
      (doc) => {
        // Deep inside a new subtree.
        const quote = new Y.XmlElement('blockquote');
        const p = paragraph('x');
        quote.insert(0, [p]);
        doc.getXmlFragment(NOTE_FRAGMENT).insert(0, [quote]);
        (p.get(0) as Y.XmlText).format(0, 1, { underline: {} });
      },
      (doc) => {
        // Into existing text.
        let text: Y.XmlText | null = null;
        const find = (node: Y.XmlElement | Y.XmlFragment) => {
          for (const child of node.toArray()) {
            if (text) return;
            if (child instanceof Y.XmlText && child.length > 0) text = child;
            else if (child instanceof Y.XmlElement) find(child);
          }
        };
        find(doc.getXmlFragment(NOTE_FRAGMENT));
        if (text) (text as Y.XmlText).format(0, 1, { strike: {} });
        else doc.getXmlFragment(NOTE_FRAGMENT).push([new Y.XmlElement('strike_block')]);
      },
    ];
    fc.assert(
      fc.property(docArbitrary, fc.integer({ min: 0, max: unknowns.length - 1 }), (pmDoc, which) => {
        const base = newDoc(1);
        prosemirrorToYXmlFragment(pmDoc, base.getXmlFragment(NOTE_FRAGMENT));
        const peer = newDoc(2);
        deliver(base, peer);
        unknowns[which]!(peer);
        const target = newDoc(3);
        deliver(base, target);
        const fragment = target.getXmlFragment(NOTE_FRAGMENT);
        let found: string | null = null;
        const listener = (tr: Y.Transaction) => {
          found ??= transactionIncompatibility(tr, target, fragment);
        };
        target.on('beforeObserverCalls', listener);
        deliver(peer, target);
        target.off('beforeObserverCalls', listener);
        expect(checkDocCompatibility(target).editable).toBe(false);
        expect(found).not.toBeNull();
      }),
      { numRuns: 100 },
    );
  });
});

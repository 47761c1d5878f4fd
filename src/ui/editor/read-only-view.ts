import { Schema, type Attrs, type DOMOutputSpec, type Mark, type Node as PMNode, type NodeType } from 'prosemirror-model';
import { EditorState, Selection, TextSelection } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import * as Y from 'yjs';
import { checkDocCompatibility, NOTE_META, noteFragment } from '../../notes/document/doc-version';
import { EDITOR_ATTRIBUTES, freezePlugin, type MountedNoteView } from './editor-view';
import { notesSchema } from '../../notes/document/schema';
import { taskItemNodeView } from './task-item-view';

const UNSUPPORTED_ATTRS = { name: { default: '' }, text: { default: '' } } as const;

function unsupportedDOM(tag: 'div' | 'span', node: PMNode): DOMOutputSpec {
  const name = String(node.attrs.name);
  const text = String(node.attrs.text);
  return [
    tag,
    { class: 'note-unsupported', 'data-node-name': name },
    ['span', { class: 'note-unsupported__label' }, `Not shown by this version: ${name}`],
    ...(text.length > 0 ? [['span', { class: 'note-unsupported__text' }, text] as DOMOutputSpec] : []),
  ];
}

/// `notesSchema` plus placeholders for elements it does not know, so a note from a newer
/// app shows everything it can. Used only to display: nothing in this schema is ever written.
export const viewerSchema = new Schema({
  nodes: notesSchema.spec.nodes.append({
    unsupported_block: { group: 'block', atom: true, attrs: UNSUPPORTED_ATTRS, toDOM: (node) => unsupportedDOM('div', node) },
    unsupported_inline: { group: 'inline', inline: true, atom: true, attrs: UNSUPPORTED_ATTRS, toDOM: (node) => unsupportedDOM('span', node) },
  }),
  marks: notesSchema.spec.marks,
});

const HASHED_MARK_NAME = /^(.*)--[a-zA-Z0-9+/=]{8}$/;

/// Builds the ProseMirror document for a note's Y.XmlFragment without writing to it (unlike
/// y-prosemirror, which deletes what does not fit). Elements the schema does not know become
/// placeholders carrying their name and text; unknown marks and attributes are left out;
/// content that breaks a content expression is kept as it is, since it is only displayed.
export function fragmentToViewerDoc(fragment: Y.XmlFragment, schema: Schema = viewerSchema): PMNode {
  const top = schema.topNodeType;
  const content = convertChildren(fragment, top, schema);
  const paragraph = schema.nodes.paragraph;
  return top.create(null, content.length > 0 || !paragraph ? content : [paragraph.create()]);
}

function convertChildren(parent: Y.XmlFragment | Y.XmlElement, parentType: NodeType, schema: Schema): PMNode[] {
  const out: PMNode[] = [];
  let strayText: PMNode[] = [];
  const flushStrayText = () => {
    if (strayText.length > 0 && schema.nodes.paragraph) out.push(schema.nodes.paragraph.create(null, strayText));
    strayText = [];
  };
  for (const child of parent.toArray()) {
    if (child instanceof Y.XmlText) {
      const texts = convertText(child, schema);
      // Text where blocks belong is shown in a paragraph of its own.
      if (parentType.inlineContent) out.push(...texts);
      else strayText.push(...texts);
      continue;
    }
    flushStrayText();
    if (child instanceof Y.XmlElement) out.push(convertElement(child, parentType, schema));
    else out.push(placeholder('embedded data', '', parentType, schema));
  }
  flushStrayText();
  return out;
}

function convertElement(element: Y.XmlElement, parentType: NodeType, schema: Schema): PMNode {
  const type = schema.nodes[element.nodeName];
  const known = type !== undefined && !type.isText && type !== schema.topNodeType && !element.nodeName.startsWith('unsupported_');
  if (!known) return placeholder(element.nodeName, textOf(element), parentType, schema);
  const children = type.isLeaf ? [] : convertChildren(element, type, schema);
  return type.create(validAttrs(type, element.getAttributes()), children);
}

/// The attributes the type knows and accepts; the rest take their defaults.
function validAttrs(type: NodeType, given: Record<string, unknown>): Attrs {
  const attrs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!type.spec.attrs || !Object.hasOwn(type.spec.attrs, name)) continue;
    try {
      type.create({ ...attrs, [name]: value });
      attrs[name] = value;
    } catch {
      // an invalid value: the default is shown instead
    }
  }
  return attrs;
}

function convertText(text: Y.XmlText, schema: Schema): PMNode[] {
  const nodes: PMNode[] = [];
  for (const op of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
    if (typeof op.insert !== 'string' || op.insert.length === 0) continue;
    const marks: Mark[] = [];
    for (const [key, value] of Object.entries(op.attributes ?? {})) {
      const markType = schema.marks[HASHED_MARK_NAME.exec(key)?.[1] ?? key];
      if (!markType) continue;
      try {
        marks.push(markType.create(value as Attrs | null));
      } catch {
        // a mark whose attributes do not validate (an unsafe link) is not shown
      }
    }
    nodes.push(schema.text(op.insert, marks));
  }
  return nodes;
}

function textOf(type: Y.XmlElement | Y.XmlFragment): string {
  const parts: string[] = [];
  for (const child of type.toArray()) {
    if (child instanceof Y.XmlText) parts.push(child.toDelta().map((op: { insert: unknown }) => (typeof op.insert === 'string' ? op.insert : '')).join(''));
    else if (child instanceof Y.XmlElement) parts.push(textOf(child));
  }
  return parts.filter((p) => p.length > 0).join(' ');
}

function placeholder(name: string, text: string, parentType: NodeType, schema: Schema): PMNode {
  const type = parentType.inlineContent ? schema.nodes.unsupported_inline : schema.nodes.unsupported_block;
  if (!type) throw new Error('fragmentToViewerDoc: the schema has no placeholder nodes');
  return type.create({ name, text });
}

export interface ReadOnlyNoteViewOptions {
  /// Called once when a change to the note flips `checkDocCompatibility` (say, a peer removed
  /// the content this app did not know), so the owner can remount. Only watched when given.
  readonly onCompatibilityChange?: (editable: boolean) => void;
  /// What `checkDocCompatibility` said at open, when the caller already asked.
  readonly compatibleAtOpen?: boolean;
}

/// Shows the note `doc` read-only in `place`, following its changes. It never writes to the
/// doc: no y-prosemirror binding, no undo manager, no version stamp.
export function mountReadOnlyNote(place: HTMLElement, doc: Y.Doc, options: ReadOnlyNoteViewOptions = {}): MountedNoteView {
  const fragment = noteFragment(doc);
  const plugins = [freezePlugin(() => true)];
  const build = (): PMNode => (fragment ? fragmentToViewerDoc(fragment) : viewerSchema.topNodeType.createAndFill()!);
  const view = new EditorView(place, {
    state: EditorState.create({ doc: build(), plugins }),
    attributes: { ...EDITOR_ATTRIBUTES, 'aria-readonly': 'true' },
    editable: () => false,
    nodeViews: { task_item: taskItemNodeView },
    dispatchTransaction(this: EditorView, tr) {
      if (!this.isDestroyed) this.updateState(this.state.apply(tr));
    },
  });
  const watch = options.onCompatibilityChange;
  const editableAtOpen = watch ? (options.compatibleAtOpen ?? checkDocCompatibility(doc).editable) : false;
  let notified = false;
  const onTransaction = (transaction: Y.Transaction) => {
    const meta = doc.share.get(NOTE_META);
    const root = fragment as Y.AbstractType<Y.YEvent<Y.XmlFragment>> | null;
    const touched = (root !== null && transaction.changedParentTypes.has(root)) || (meta !== undefined && transaction.changed.has(meta));
    if (!touched || view.isDestroyed) return;
    const next = build();
    view.updateState(EditorState.create({ doc: next, plugins, selection: clampSelection(view.state.selection, next) }));
    if (watch && !notified) {
      const editable = checkDocCompatibility(doc).editable;
      if (editable !== editableAtOpen) {
        notified = true;
        watch(editable);
      }
    }
  };
  doc.on('afterTransaction', onTransaction);
  return {
    view,
    destroy() {
      doc.off('afterTransaction', onTransaction);
      view.destroy();
    },
  };
}

/// The old selection's positions, where they still fit, so reading along is not interrupted.
function clampSelection(selection: Selection, doc: PMNode): Selection {
  const size = doc.content.size;
  try {
    return TextSelection.between(doc.resolve(Math.min(selection.anchor, size)), doc.resolve(Math.min(selection.head, size)));
  } catch {
    return Selection.atStart(doc);
  }
}

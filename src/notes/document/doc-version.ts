import * as Y from 'yjs';
import type { Schema } from 'prosemirror-model';
import { EDITOR_SCHEMA_VERSION, notesSchema } from './schema';

/// The root Y.XmlFragment that holds a note's ProseMirror document.
export const NOTE_FRAGMENT = 'prosemirror';
/// The root Y.Map with facts about the note's document...
export const NOTE_META = 'meta';
/// ...among them the editor schema version that last edited it.
export const META_EDITOR_SCHEMA = 'editorSchema';

/// Transaction origins of the editor's own Yjs writes besides y-prosemirror's. Like any origin
/// that is not one of the runtime's `TextOrigin`s, the runtime stores and streams them as local.
export const EditorOrigin = {
  /// Recording `EDITOR_SCHEMA_VERSION` in the note's meta map.
  schemaStamp: Symbol('editor:schema-stamp'),
} as const;

export type DocCompatibility = { readonly editable: true } | { readonly editable: false; readonly reason: string };

/// What a doc says about the schema version that wrote it.
export type RecordedSchemaVersion =
  | { readonly state: 'missing' }
  | { readonly state: 'recorded'; readonly version: number }
  | { readonly state: 'unreadable'; readonly value: unknown };

/// Reads the recorded version without instantiating the meta root as a Y.Map: the root may
/// not have been asked for by type yet, and reading must not change how the doc is typed.
export function readEditorSchemaVersion(doc: Y.Doc): RecordedSchemaVersion {
  const value = rootMapValue(doc, NOTE_META, META_EDITOR_SCHEMA);
  if (value === undefined) return { state: 'missing' };
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return { state: 'recorded', version: value };
  return { state: 'unreadable', value };
}

/// Whether this editor may bind to `doc` and write to it. It may not when the doc was written
/// by a newer editor schema, or when its Y.XmlFragment holds anything y-prosemirror could not
/// map onto `notesSchema` one to one: y-prosemirror deletes an element whose node type or
/// attribute values the schema refuses, deletes a whole text whose mark it does not know, and
/// drops attributes it does not know on the next write. Those deletions would sync to every
/// peer, so such a doc is opened read-only instead.
///
/// Content that only breaks a content expression (an empty list after two people each
/// deleted one of its two items) is not an incompatibility: concurrent edits of compatible
/// editors produce it, and y-prosemirror repairs it as it would for them.
export function checkDocCompatibility(doc: Y.Doc, schema: Schema = notesSchema): DocCompatibility {
  const version = versionProblem(readEditorSchemaVersion(doc));
  if (version !== null) return { editable: false, reason: version };
  const fragment = noteFragment(doc);
  if (fragment === null) return { editable: false, reason: 'The note body is stored in a form this editor cannot read.' };
  const content = scanChildren(fragment, schema);
  return content === null ? { editable: true } : { editable: false, reason: content };
}

/// The note's Y.XmlFragment, or null when the root of that name already holds another type.
export function noteFragment(doc: Y.Doc): Y.XmlFragment | null {
  try {
    return doc.getXmlFragment(NOTE_FRAGMENT);
  } catch {
    return null;
  }
}

/// Records `EDITOR_SCHEMA_VERSION` in the doc when it has no version yet, in one Yjs
/// transaction with origin `EditorOrigin.schemaStamp`. The editor calls it after the first
/// local edit of a note, never on open: opening a note leaves its Y.Doc untouched. Returns
/// whether it wrote.
export function stampEditorSchemaVersion(doc: Y.Doc): boolean {
  if (readEditorSchemaVersion(doc).state !== 'missing') return false;
  let meta: Y.Map<unknown>;
  try {
    meta = doc.getMap<unknown>(NOTE_META);
  } catch {
    // The root was instantiated as another type by someone else; leave it alone.
    return false;
  }
  doc.transact(() => meta.set(META_EDITOR_SCHEMA, EDITOR_SCHEMA_VERSION), EditorOrigin.schemaStamp);
  return true;
}

/// What in one transaction would make the doc incompatible (see `checkDocCompatibility`), or
/// null. Looks only at what the transaction changed: the attributes and text it changed and
/// the subtrees it inserted, so it costs little enough to run on every remote update.
export function transactionIncompatibility(transaction: Y.Transaction, doc: Y.Doc, fragment: Y.XmlFragment, schema: Schema = notesSchema): string | null {
  const meta: unknown = doc.share.get(NOTE_META);
  const root: unknown = fragment;
  for (const [type, keys] of transaction.changed) {
    if (type._item?.deleted) continue;
    if (type === meta) {
      const problem = versionProblem(readEditorSchemaVersion(doc));
      if (problem !== null) return problem;
      continue;
    }
    if (type !== root && (type._item === null || !Y.isParentOf(fragment, type._item))) continue;
    let problem: string | null = null;
    if (type instanceof Y.XmlText) {
      problem = scanText(type, schema);
    } else if (type instanceof Y.XmlElement || type instanceof Y.XmlFragment) {
      if (type instanceof Y.XmlElement && [...keys].some((key) => key !== null)) problem = scanAttributes(type, schema);
      if (problem === null && keys.has(null)) problem = scanInsertedChildren(type, transaction, schema);
    }
    if (problem !== null) return problem;
  }
  return null;
}

function versionProblem(recorded: RecordedSchemaVersion): string | null {
  if (recorded.state === 'unreadable') return 'The note records an editor version this app cannot read.';
  if (recorded.state === 'recorded' && recorded.version > EDITOR_SCHEMA_VERSION) {
    return `The note was written by a newer version of the app (editor schema ${recorded.version}; this app has ${EDITOR_SCHEMA_VERSION}). Update the app to edit it.`;
  }
  return null;
}

function unknownContent(what: string): string {
  return `The note contains ${what}, which this version of the app does not know. Update the app to edit it.`;
}

function hasAttr(attrs: object | undefined, name: string): boolean {
  return attrs !== undefined && Object.hasOwn(attrs, name);
}

function rootMapValue(doc: Y.Doc, root: string, key: string): unknown {
  const item = doc.share.get(root)?._map.get(key);
  if (item === undefined || item.deleted) return undefined;
  const content = item.content.getContent();
  return content[content.length - 1];
}

function scanChildren(parent: Y.XmlFragment | Y.XmlElement, schema: Schema): string | null {
  for (let item = parent._start; item !== null; item = item.right) {
    if (item.deleted) continue;
    const problem = scanItem(item, schema);
    if (problem !== null) return problem;
  }
  return null;
}

function scanInsertedChildren(parent: Y.XmlFragment | Y.XmlElement, transaction: Y.Transaction, schema: Schema): string | null {
  for (let item = parent._start; item !== null; item = item.right) {
    if (item.deleted || item.id.clock < (transaction.beforeState.get(item.id.client) ?? 0)) continue;
    const problem = scanItem(item, schema);
    if (problem !== null) return problem;
  }
  return null;
}

function scanItem(item: Y.Item, schema: Schema): string | null {
  if (!(item.content instanceof Y.ContentType)) return unknownContent('data that is not an element or text');
  const type = item.content.type;
  // XmlHook extends XmlElement; y-prosemirror cannot render hooks at all.
  if (type instanceof Y.XmlHook) return unknownContent('an embedded hook');
  if (type instanceof Y.XmlElement) {
    const nodeType = schema.nodes[type.nodeName];
    if (nodeType === undefined || nodeType.isText || nodeType === schema.topNodeType) return unknownContent(`“${type.nodeName}”`);
    return scanAttributes(type, schema) ?? scanChildren(type, schema);
  }
  if (type instanceof Y.XmlText) return scanText(type, schema);
  return unknownContent('data that is not an element or text');
}

function scanAttributes(element: Y.XmlElement, schema: Schema): string | null {
  const nodeType = schema.nodes[element.nodeName];
  if (nodeType === undefined) return unknownContent(`“${element.nodeName}”`);
  const attrs: Record<string, unknown> = element.getAttributes();
  for (const name of Object.keys(attrs)) {
    if (!hasAttr(nodeType.spec.attrs, name)) return unknownContent(`the setting “${name}” on “${element.nodeName}”`);
  }
  try {
    nodeType.create(attrs);
  } catch {
    return unknownContent(`a “${element.nodeName}” with settings it cannot show`);
  }
  return null;
}

// y-prosemirror names an overlapping mark's attribute `name--<8 chars of hash>`.
const HASHED_MARK_NAME = /^(.*)--[a-zA-Z0-9+/=]{8}$/;

function scanText(text: Y.XmlText, schema: Schema): string | null {
  for (const op of text.toDelta() as { insert: unknown; attributes?: Record<string, unknown> }[]) {
    if (typeof op.insert !== 'string') return unknownContent('an embedded object in text');
    for (const [key, value] of Object.entries(op.attributes ?? {})) {
      const name = HASHED_MARK_NAME.exec(key)?.[1] ?? key;
      const markType = schema.marks[name];
      if (markType === undefined) return unknownContent(`the text style “${name}”`);
      if (value !== null && typeof value === 'object') {
        for (const attr of Object.keys(value)) {
          if (!hasAttr(markType.spec.attrs, attr)) return unknownContent(`the setting “${attr}” on the text style “${name}”`);
        }
      }
      try {
        markType.create(value as Record<string, unknown> | null);
      } catch {
        return unknownContent(`a “${name}” text style with settings it cannot show`);
      }
    }
  }
  return null;
}

import * as Y from 'yjs';

/// The plain text of a REALTIME_TEXT document, for the user's table and for search: each
/// root Y.Text as it is, each root Y.XmlFragment (a ProseMirror document) as one line per
/// text block. Root maps and arrays (an editor's metadata, say) hold no readable text.
export function readableText(doc: Y.Doc): string {
  const parts: string[] = [];
  for (const [name, type] of doc.share) {
    const kind = rootKind(type);
    if (kind === 'xml') parts.push(fragmentText(doc.getXmlFragment(name)));
    else if (kind === 'text') parts.push(doc.getText(name).toString());
  }
  return parts.filter((p) => p.length > 0).join('\n');
}

/// A root that no one has asked for by type yet is a bare AbstractType: keyed entries make
/// it a map, and its first item tells text from XML nodes from an array.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs's own type for roots
function rootKind(type: Y.AbstractType<any>): 'xml' | 'text' | 'other' {
  if (type instanceof Y.XmlFragment) return 'xml';
  if (type instanceof Y.Text) return 'text';
  if (type instanceof Y.Map || type instanceof Y.Array || type._map.size > 0) return 'other';
  for (let item = type._start; item !== null; item = item.right) {
    if (item.content instanceof Y.ContentType) return 'xml';
    if (item.content instanceof Y.ContentString || item.content instanceof Y.ContentFormat) return 'text';
    if (!item.deleted) return 'other';
  }
  return 'other';
}

function fragmentText(fragment: Y.XmlFragment | Y.XmlElement): string {
  const blocks: string[] = [];
  let inline = '';
  for (const child of fragment.toArray()) {
    if (child instanceof Y.XmlText) {
      for (const op of child.toDelta() as { insert: unknown }[]) {
        if (typeof op.insert === 'string') inline += op.insert;
      }
    } else if (child instanceof Y.XmlElement) {
      const text = fragmentText(child);
      if (text.length > 0) blocks.push(text);
    }
  }
  if (inline.length > 0) blocks.unshift(inline);
  return blocks.join('\n');
}

import * as Y from 'yjs';

/// The plain text of a REALTIME_TEXT document, for the user's table and for search: each
/// root Y.Text as it is, each root Y.XmlFragment (a ProseMirror document) as one line per
/// text block.
export function readableText(doc: Y.Doc): string {
  const parts: string[] = [];
  for (const [name, type] of doc.share) {
    if (isXml(type)) parts.push(fragmentText(doc.getXmlFragment(name)));
    else parts.push(doc.getText(name).toString());
  }
  return parts.filter((p) => p.length > 0).join('\n');
}

/// A root that no one has asked for by type yet is a bare AbstractType; its first item
/// tells whether it holds text or XML nodes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Yjs's own type for roots
function isXml(type: Y.AbstractType<any>): boolean {
  if (type instanceof Y.XmlFragment) return true;
  if (type instanceof Y.Text) return false;
  for (let item = type._start; item !== null; item = item.right) {
    if (item.content instanceof Y.ContentType) return true;
    if (item.content instanceof Y.ContentString || item.content instanceof Y.ContentFormat) return false;
  }
  return false;
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

import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { readableText } from './readable-text';

describe('readableText', () => {
  it('reads text and XML roots and leaves maps and arrays alone, typed or not', () => {
    const source = new Y.Doc();
    source.getMap('meta').set('editorSchema', 1);
    source.getArray('list').push([1, 2]);
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText('Hello')]);
    source.getXmlFragment('prosemirror').insert(0, [p]);
    expect(readableText(source)).toBe('Hello');

    // A document loaded from bytes, whose roots nobody has typed yet.
    const loaded = new Y.Doc();
    Y.applyUpdateV2(loaded, Y.encodeStateAsUpdateV2(source));
    expect(readableText(loaded)).toBe('Hello');
    expect(loaded.getMap('meta').get('editorSchema')).toBe(1); // still usable as a map

    const text = new Y.Doc();
    text.getText('t').insert(0, 'plain');
    const loadedText = new Y.Doc();
    Y.applyUpdateV2(loadedText, Y.encodeStateAsUpdateV2(text));
    expect(readableText(loadedText)).toBe('plain');
  });
});

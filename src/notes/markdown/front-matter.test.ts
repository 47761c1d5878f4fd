import { describe, expect, it } from 'vitest';
import { splitFrontMatter, writeFrontMatter } from './front-matter';

describe('front matter', () => {
  it('reads back what it writes, whatever the title holds', () => {
    const fields = { id: 'a1', notebook: 'Work: 2024', pinned: true, created: Date.UTC(2024, 0, 2), updated: Date.UTC(2024, 5, 6, 7, 8, 9), title: '# "quoted" — and: more\\' };
    const text = `${writeFrontMatter(fields)}\n# Body\n`;
    expect(text.startsWith('---\nid: a1\nnotebook: "Work: 2024"\npinned: true\ncreated: 2024-01-02T00:00:00.000Z\nupdated: 2024-06-06T07:08:09.000Z\n')).toBe(true);
    expect(splitFrontMatter(text)).toEqual({ frontMatter: fields, body: '\n# Body\n' });
  });

  it('leaves text without a YAML mapping on top as it is, and ignores fields it does not know', () => {
    expect(splitFrontMatter('# No front matter')).toEqual({ frontMatter: null, body: '# No front matter' });
    // A rule, then a setext heading: not front matter.
    expect(splitFrontMatter('---\nJust text\n---\nmore').frontMatter).toBeNull();
    expect(splitFrontMatter('---\n[unclosed\n---\nbody')).toEqual({ frontMatter: null, body: '---\n[unclosed\n---\nbody' });
    expect(splitFrontMatter('---\nno end')).toEqual({ frontMatter: null, body: '---\nno end' });
    expect(splitFrontMatter('---\ntags: [a, b]\npinned: "yes"\ncreated: not a date\n...\nbody')).toEqual({ frontMatter: {}, body: 'body' });
    expect(splitFrontMatter('---\n---\nbody')).toEqual({ frontMatter: {}, body: 'body' });
  });
});

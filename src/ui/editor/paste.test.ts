// @vitest-environment jsdom
import { DOMParser } from 'prosemirror-model';
import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { afterEach, describe, expect, it } from 'vitest';
import { notesSchema } from '../../notes/document/schema';
import { b, place } from './test-support';

// jsdom has no ClipboardEvent; ProseMirror only passes the event on to handlePaste props.
const pasteEvent = () => new Event('paste') as ClipboardEvent;

const SNIPPET = `<meta charset="utf-8"><h2>Plan</h2>
<ul><li>one</li><li><p>two</p></li></ul>
<ol start="3"><li>three</li></ol>
<blockquote><p>quoted</p></blockquote>
<pre><code>let x = 1;
  y()</code></pre>
<p><strong>bold</strong> <em>it</em> <code>c</code> <a href="https://example.com/">web</a> <a href="javascript:alert(1)">evil</a></p>`;

const EXPECTED = b.doc(
  b.h(2, 'Plan'),
  b.ul(b.li(b.p('one')), b.li(b.p('two'))),
  b.ol(3, b.li(b.p('three'))),
  b.quote(b.p('quoted')),
  b.code('let x = 1;\n  y()'),
  b.p(b.text('bold', b.strong()), ' ', b.text('it', b.em()), ' ', b.text('c', b.codeMark()), ' ', b.text('web', b.link('https://example.com/')), ' evil'),
);

let views: EditorView[] = [];
afterEach(() => {
  for (const view of views) view.destroy();
  views = [];
});

function emptyEditor(): EditorView {
  const view = new EditorView(place(), { state: EditorState.create({ schema: notesSchema }) });
  views.push(view);
  return view;
}

describe('HTML paste', () => {
  it('parses headings, lists, quotes, code and marks, and drops a javascript: link but keeps its text', () => {
    const view = emptyEditor();
    view.pasteHTML(SNIPPET, pasteEvent());
    expect(view.state.doc.toJSON()).toEqual(EXPECTED.toJSON());
  });

  it('gives the same document through the schema parser directly', () => {
    const container = document.createElement('div');
    container.innerHTML = SNIPPET;
    expect(DOMParser.fromSchema(notesSchema).parse(container).toJSON()).toEqual(EXPECTED.toJSON());
  });

  it.each(['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java&#9;script:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'vbscript:x', '/relative/path', '#anchor', 'file:///etc/passwd'])(
    'drops the link mark of <a href="%s">',
    (href) => {
      const view = emptyEditor();
      view.pasteHTML(`<p>before <a href="${href}">link</a> after</p>`, pasteEvent());
      expect(view.state.doc.toJSON()).toEqual(b.doc(b.p('before link after')).toJSON());
    },
  );

  it('reads GitHub-style task lists as checklists', () => {
    const view = emptyEditor();
    view.pasteHTML(
      '<ul class="contains-task-list"><li class="task-list-item"><input type="checkbox" checked disabled> done</li><li class="task-list-item"><input type="checkbox" disabled> todo</li></ul>',
      pasteEvent(),
    );
    expect(view.state.doc.toJSON()).toEqual(b.doc(b.tasks(b.task(true, b.p('done')), b.task(false, b.p('todo')))).toJSON());
  });

  it('keeps a checklist copied from the editor itself', () => {
    const view = emptyEditor();
    view.pasteHTML(
      '<ul data-type="task_list"><li data-type="task_item" data-checked="true"><input type="checkbox" disabled checked><div><p>a</p></div></li></ul>',
      pasteEvent(),
    );
    expect(view.state.doc.toJSON()).toEqual(b.doc(b.tasks(b.task(true, b.p('a')))).toJSON());
  });

  it('maps h4-h6 to the smallest heading and bold spans to strong', () => {
    const view = emptyEditor();
    view.pasteHTML('<h5>five</h5><p><span style="font-weight: 700">heavy</span> <b style="font-weight: normal">plain</b></p>', pasteEvent());
    expect(view.state.doc.toJSON()).toEqual(b.doc(b.h(3, 'five'), b.p(b.text('heavy', b.strong()), ' plain')).toJSON());
  });

  it('turns pasted plain text into one paragraph per line', () => {
    const view = emptyEditor();
    view.pasteText('line one\nline two\n\nline three', pasteEvent());
    expect(view.state.doc.toJSON()).toEqual(b.doc(b.p('line one'), b.p('line two'), b.p('line three')).toJSON());
  });
});

import { Schema, type DOMOutputSpec, type MarkSpec, type NodeSpec } from 'prosemirror-model';

/// The version of `notesSchema`. A note's Y.Doc records the version that wrote it
/// (doc-version.ts); an editor opens a note written by a newer version read-only, so content
/// it does not know is never rewritten. Bump it whenever a node, mark or attribute is added,
/// removed or changes meaning.
export const EDITOR_SCHEMA_VERSION = 1;

/// Link targets the editor keeps: web pages and e-mail addresses. Anything else (javascript:,
/// data:, file:, relative paths) is dropped when pasted and refused by the schema.
const SAFE_LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/// `href` trimmed, when it is an absolute http(s) or mailto URL; otherwise null.
export function safeHref(href: string): string | null {
  const trimmed = href.trim();
  if (trimmed.length === 0 || trimmed.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  return SAFE_LINK_PROTOCOLS.has(url.protocol) ? trimmed : null;
}

function validateHref(value: unknown): void {
  if (typeof value !== 'string' || safeHref(value) !== value) throw new RangeError(`unsafe or invalid link target: ${String(value)}`);
}

function validateHeadingLevel(value: unknown): void {
  if (value !== 1 && value !== 2 && value !== 3) throw new RangeError(`heading level must be 1, 2 or 3, not ${String(value)}`);
}

function validateListOrder(value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`list order must be a non-negative integer, not ${String(value)}`);
  }
}

/// A `<ul>` is a checklist when it says so (our own HTML) or when it comes from GitHub-style
/// Markdown HTML (`contains-task-list`).
function isTaskListElement(dom: HTMLElement): boolean {
  return dom.getAttribute('data-type') === 'task_list' || dom.classList.contains('contains-task-list');
}

function taskCheckbox(dom: HTMLElement): HTMLInputElement | null {
  const first = dom.querySelector(':scope > input[type="checkbox"], :scope > p > input[type="checkbox"]:first-child');
  return first instanceof HTMLInputElement ? first : null;
}

function isTaskItemElement(dom: HTMLElement): boolean {
  return dom.getAttribute('data-type') === 'task_item' || dom.classList.contains('task-list-item');
}

function headingRule(tag: string, level: 1 | 2 | 3) {
  return { tag, attrs: { level } };
}

const nodes: Record<string, NodeSpec> = {
  doc: { content: 'block+' },

  paragraph: {
    content: 'inline*',
    group: 'block',
    parseDOM: [{ tag: 'p' }],
    toDOM: (): DOMOutputSpec => ['p', 0],
  },

  heading: {
    attrs: { level: { default: 1, validate: validateHeadingLevel } },
    content: 'inline*',
    group: 'block',
    defining: true,
    // h4-h6 are kept as the smallest heading we have rather than lost.
    parseDOM: [
      headingRule('h1', 1),
      headingRule('h2', 2),
      headingRule('h3', 3),
      headingRule('h4', 3),
      headingRule('h5', 3),
      headingRule('h6', 3),
    ],
    toDOM: (node): DOMOutputSpec => [`h${node.attrs.level as 1 | 2 | 3}`, 0],
  },

  blockquote: {
    content: 'block+',
    group: 'block',
    defining: true,
    parseDOM: [{ tag: 'blockquote' }],
    toDOM: (): DOMOutputSpec => ['blockquote', 0],
  },

  code_block: {
    content: 'text*',
    marks: '',
    group: 'block',
    code: true,
    defining: true,
    parseDOM: [{ tag: 'pre', preserveWhitespace: 'full' }],
    toDOM: (): DOMOutputSpec => ['pre', ['code', 0]],
  },

  horizontal_rule: {
    group: 'block',
    parseDOM: [{ tag: 'hr' }],
    toDOM: (): DOMOutputSpec => ['hr'],
  },

  bullet_list: {
    content: 'list_item+',
    group: 'block',
    parseDOM: [{ tag: 'ul' }],
    toDOM: (): DOMOutputSpec => ['ul', 0],
  },

  ordered_list: {
    attrs: { order: { default: 1, validate: validateListOrder } },
    content: 'list_item+',
    group: 'block',
    parseDOM: [
      {
        tag: 'ol',
        getAttrs: (dom) => {
          const start = Number.parseInt(dom.getAttribute('start') ?? '1', 10);
          return { order: Number.isSafeInteger(start) && start >= 0 ? start : 1 };
        },
      },
    ],
    toDOM: (node): DOMOutputSpec => (node.attrs.order === 1 ? ['ol', 0] : ['ol', { start: String(node.attrs.order) }, 0]),
  },

  list_item: {
    content: 'paragraph block*',
    defining: true,
    parseDOM: [{ tag: 'li' }],
    toDOM: (): DOMOutputSpec => ['li', 0],
  },

  task_list: {
    content: 'task_item+',
    group: 'block',
    // Tried before the plain `ul` rule.
    parseDOM: [{ tag: 'ul', priority: 60, getAttrs: (dom) => (isTaskListElement(dom) ? null : false) }],
    toDOM: (): DOMOutputSpec => ['ul', { 'data-type': 'task_list' }, 0],
  },

  task_item: {
    attrs: { checked: { default: false, validate: 'boolean' } },
    content: 'paragraph block*',
    defining: true,
    parseDOM: [
      {
        tag: 'li',
        priority: 60,
        getAttrs: (dom) => {
          if (!isTaskItemElement(dom)) return false;
          const box = taskCheckbox(dom);
          return { checked: dom.getAttribute('data-checked') === 'true' || (box !== null && box.hasAttribute('checked')) };
        },
      },
    ],
    // Copied HTML carries a (disabled) checkbox so other apps show the state; the editor
    // itself draws the item with task-item-view.ts. The checkbox has no parse rule, so it is
    // ignored when this HTML is pasted back.
    toDOM: (node): DOMOutputSpec => [
      'li',
      { 'data-type': 'task_item', 'data-checked': node.attrs.checked ? 'true' : 'false' },
      ['input', node.attrs.checked ? { type: 'checkbox', disabled: '', checked: '' } : { type: 'checkbox', disabled: '' }],
      ['div', 0],
    ],
  },

  text: { group: 'inline' },

  hard_break: {
    inline: true,
    group: 'inline',
    selectable: false,
    parseDOM: [{ tag: 'br' }],
    toDOM: (): DOMOutputSpec => ['br'],
  },
};

// Order matters: a link wraps the other marks when rendered.
const marks: Record<string, MarkSpec> = {
  link: {
    attrs: { href: { validate: validateHref } },
    inclusive: false,
    parseDOM: [
      {
        tag: 'a[href]',
        getAttrs: (dom) => {
          const href = safeHref(dom.getAttribute('href') ?? '');
          return href === null ? false : { href };
        },
      },
    ],
    // The schema refuses unsafe targets, but a link also renders without one rather than
    // trusting whatever reached the document.
    toDOM: (mark): DOMOutputSpec => {
      const href = typeof mark.attrs.href === 'string' ? safeHref(mark.attrs.href) : null;
      return href === null ? ['a', 0] : ['a', { href, rel: 'noopener noreferrer nofollow' }, 0];
    },
  },

  em: {
    parseDOM: [{ tag: 'i' }, { tag: 'em' }, { style: 'font-style=italic' }, { style: 'font-style=normal', clearMark: (m) => m.type.name === 'em' }],
    toDOM: (): DOMOutputSpec => ['em', 0],
  },

  strong: {
    parseDOM: [
      { tag: 'strong' },
      // Google Docs wraps everything in <b style="font-weight: normal">.
      { tag: 'b', getAttrs: (dom) => dom.style.fontWeight !== 'normal' && null },
      { style: 'font-weight=400', clearMark: (m) => m.type.name === 'strong' },
      { style: 'font-weight', getAttrs: (value) => /^(bold(er)?|[5-9]\d{2,})$/.test(value) && null },
    ],
    toDOM: (): DOMOutputSpec => ['strong', 0],
  },

  code: {
    code: true,
    parseDOM: [{ tag: 'code' }],
    toDOM: (): DOMOutputSpec => ['code', 0],
  },
};

/// The ProseMirror schema of a note body, version `EDITOR_SCHEMA_VERSION`. Its node and mark
/// names are the element and attribute names y-prosemirror stores in the Y.XmlFragment, so
/// renaming one is a breaking change.
export const notesSchema = new Schema({ nodes, marks });

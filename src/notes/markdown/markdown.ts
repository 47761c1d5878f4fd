import markdownIt, { type StateCore, type Token } from 'markdown-it';
import { MarkdownParser, MarkdownSerializer, type MarkdownSerializerState } from 'prosemirror-markdown';
import { Fragment, type MarkType, type Node as PMNode } from 'prosemirror-model';
import { notesSchema, safeHref } from '../document/schema';

/// Conversion between a note's ProseMirror document (`notesSchema`) and CommonMark with
/// checklists (`- [ ]` / `- [x]`, as GitHub, Obsidian and Bear write them), built on
/// prosemirror-markdown and markdown-it.
///
/// What survives a round trip exactly: headings 1-3, paragraphs, bold, italic, inline code,
/// links, hard breaks (also at the end of a paragraph and inside headings, written `<br>`),
/// block quotes, code blocks, rules, bullet, numbered (with their start) and check lists,
/// nested to any depth. What Markdown cannot say is normalised, as `markdownNormalForm`
/// spells out: empty paragraphs and whitespace at the edges of a paragraph or heading.
///
/// Reading foreign Markdown: headings 4-6 become level 3; a code block's language is dropped
/// (the editor has none); a single line break inside a paragraph is a line break (as Obsidian
/// and Bear show it); images become links to the image; links other than http(s) and mailto
/// (relative links, `javascript:`) become plain text; of raw HTML, `<br>`, `<b>`, `<strong>`,
/// `<i>`, `<em>` and `<a href>` are read, anything else is kept as literal text, so nothing a
/// file says is lost.

const BR = /^<br\s*\/?>$/i;
const BR_ONLY_BLOCK = /^(?:\s*<br\s*\/?>)+\s*$/i;
const TASK_MARK = /^\[([ xX])\](?:[ \t]|$)/;

/// markdown-it as prosemirror-markdown types it (its typings come from @types/markdown-it,
/// while markdown-it 15 ships its own).
type Tokenizer = ConstructorParameters<typeof MarkdownParser>[1];

function tokenizer(): Tokenizer {
  // `commonmark`: no tables, strikethrough or linkify, so such text stays as written; raw HTML
  // is tokenized only so that `<br>` and emphasis tags can be read (the rest becomes text).
  const md = markdownIt('commonmark', { html: true });
  md.core.ruler.push('notes_inline_html', rewriteInline);
  md.core.ruler.push('notes_html_blocks', rewriteHtmlBlocks);
  md.core.ruler.push('notes_task_lists', rewriteTaskLists);
  return md as unknown as Tokenizer;
}

/// Inline HTML is read as `inlineHtml` says; a single newline is a line break (as Obsidian
/// and Bear show it); links this editor does not keep lose their link but keep their text;
/// images become a link to the image.
function rewriteInline(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue;
    const out: Token[] = [];
    let droppedLink = false;
    for (const original of block.children) {
      const token = original.type === 'html_inline' ? inlineHtml(state, original) : original;
      if (token.type === 'softbreak') {
        out.push(retype(token, 'hardbreak'));
      } else if (token.type === 'link_open') {
        const href = safeHref(attr(token, 'href') ?? '');
        droppedLink = href === null;
        if (href !== null) out.push(withAttr(token, 'href', href));
      } else if (token.type === 'link_close') {
        if (!droppedLink) out.push(token);
        droppedLink = false;
      } else if (token.type === 'image') {
        const src = safeHref(attr(token, 'src') ?? '');
        const label = token.content || attr(token, 'src') || '';
        if (src === null || droppedLink) out.push(text(state, label));
        else out.push(withAttr(new state.Token('link_open', 'a', 1), 'href', src), text(state, label), new state.Token('link_close', 'a', -1));
      } else {
        out.push(token);
      }
    }
    block.children = out;
  }
}

const HTML_MARKS: Record<string, string> = { em: 'em', i: 'em', strong: 'strong', b: 'strong', a: 'link' };
const HTML_TAG = /^<(\/?)([a-z]+)(?:\s+href\s*=\s*"([^"]*)")?\s*>$/i;

/// `<br>` is a hard break; `<em>`, `<i>`, `<strong>`, `<b>` and `<a href="…">` (and their
/// closing tags) are the marks they name (written where Markdown's own syntax cannot be: see
/// `needsHtmlMarks`); any other inline HTML is literal text.
function inlineHtml(state: StateCore, token: Token): Token {
  const html = token.content.trim();
  if (BR.test(html)) return retype(token, 'hardbreak');
  const tag = HTML_TAG.exec(html);
  const mark = tag ? HTML_MARKS[tag[2]!.toLowerCase()] : undefined;
  const closing = tag?.[1] === '/';
  const href = tag?.[3];
  // Only an opening `<a>` has (and needs) an href.
  const wellFormed = mark !== undefined && (href === undefined) === (closing || mark !== 'link');
  if (!tag || !wellFormed) {
    return text(state, token.content);
  }
  const markToken = new state.Token(`${mark}_${closing ? 'close' : 'open'}`, mark, closing ? -1 : 1);
  return href === undefined ? markToken : withAttr(markToken, 'href', decodeHtmlAttribute(href));
}

function decodeHtmlAttribute(value: string): string {
  return value.replace(/&(quot|amp|lt|gt);/g, (_, name: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>' })[name]!);
}

function encodeHtmlAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/// An HTML block of nothing but `<br>`s is a paragraph of line breaks (how a paragraph that
/// holds only breaks is written); any other HTML block is kept as literal text.
function rewriteHtmlBlocks(state: StateCore): void {
  const out: Token[] = [];
  for (const token of state.tokens) {
    if (token.type !== 'html_block') {
      out.push(token);
      continue;
    }
    const content = token.content.replace(/\n$/, '');
    const inline = new state.Token('inline', '', 0);
    inline.children = [];
    if (BR_ONLY_BLOCK.test(content)) {
      const count = content.match(/<br/gi)?.length ?? 0;
      for (let i = 0; i < count; i++) inline.children.push(new state.Token('hardbreak', 'br', 0));
    } else {
      content.split('\n').forEach((line, i) => {
        if (i > 0) inline.children!.push(new state.Token('hardbreak', 'br', 0));
        inline.children!.push(text(state, line));
      });
    }
    out.push(new state.Token('paragraph_open', 'p', 1), inline, new state.Token('paragraph_close', 'p', -1));
  }
  state.tokens = out;
}

/// Bullet list items that start with `[ ]` or `[x]` (as written, not escaped) are checklist
/// items. A list that mixes both is split into runs of each kind.
function rewriteTaskLists(state: StateCore): void {
  const tokens = state.tokens;
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type !== 'bullet_list_open') {
      out.push(token);
      continue;
    }
    const close = matchingClose(tokens, i);
    const items = listItems(tokens, i + 1, close);
    const kinds = items.map(([start]) => taskState(tokens, start));
    if (kinds.every((k) => k === null)) {
      out.push(token);
      continue;
    }
    // Each run of items of one kind becomes a list of its own; the items' inner tokens are
    // pushed back for this loop to visit, so nested lists are rewritten too.
    const rebuilt: Token[] = [];
    items.forEach(([start, end], n) => {
      const checked = kinds[n]!;
      const previous = n > 0 ? kinds[n - 1]! : undefined;
      const isTask = checked !== null;
      if (n === 0 || (previous !== null) !== isTask) {
        if (n > 0) rebuilt.push(new state.Token((previous !== null) ? 'task_list_close' : 'bullet_list_close', 'ul', -1));
        rebuilt.push(new state.Token(isTask ? 'task_list_open' : 'bullet_list_open', 'ul', 1));
      }
      const inner = tokens.slice(start + 1, end);
      if (isTask) {
        const open = new state.Token('task_item_open', 'li', 1);
        open.attrSet('checked', checked ? 'true' : 'false');
        stripTaskMark(inner);
        rebuilt.push(open, ...inner, new state.Token('task_item_close', 'li', -1));
      } else {
        rebuilt.push(tokens[start]!, ...inner, tokens[end]!);
      }
    });
    rebuilt.push(new state.Token(kinds[kinds.length - 1] !== null ? 'task_list_close' : 'bullet_list_close', 'ul', -1));
    tokens.splice(i, close - i + 1, ...rebuilt);
    // Visit the rebuilt range again: its first token is now a list open we must keep as is.
    out.push(tokens[i]!);
  }
  state.tokens = out;
}

function matchingClose(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    depth += tokens[i]!.nesting;
    if (depth === 0) return i;
  }
  return tokens.length - 1;
}

/// [open, close] index pairs of the list items directly between `from` and `to`.
function listItems(tokens: readonly Token[], from: number, to: number): [number, number][] {
  const items: [number, number][] = [];
  for (let i = from; i < to; i++) {
    if (tokens[i]!.type !== 'list_item_open') continue;
    const end = matchingClose(tokens, i);
    items.push([i, end]);
    i = end;
  }
  return items;
}

/// Whether the item at `open` is a checklist item (its checked state) or not (null).
function taskState(tokens: readonly Token[], open: number): boolean | null {
  const paragraph = tokens[open + 1];
  const inline = tokens[open + 2];
  if (paragraph?.type !== 'paragraph_open' || inline?.type !== 'inline') return null;
  const mark = TASK_MARK.exec(inline.content);
  const first = inline.children?.[0];
  if (!mark || first?.type !== 'text' || !TASK_MARK.test(first.content)) return null;
  return mark[1] !== ' ';
}

function stripTaskMark(inner: Token[]): void {
  const first = inner[1]!.children![0]!;
  first.content = first.content.replace(TASK_MARK, '');
}

function attr(token: Token, name: string): string | null {
  const value = token.attrGet(name);
  return value === null ? null : String(value);
}

function withAttr(token: Token, name: string, value: string): Token {
  token.attrSet(name, value);
  return token;
}

function retype(token: Token, type: string): Token {
  token.type = type;
  return token;
}

function text(state: StateCore, content: string): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  return token;
}

function orderOf(token: Token): number {
  const start = attr(token, 'start');
  const order = start === null ? 1 : Number(start);
  return Number.isSafeInteger(order) && order >= 0 ? order : 1;
}

/// Reads Markdown into a document of `notesSchema`.
export const notesMarkdownParser = new MarkdownParser(notesSchema, tokenizer(), {
  blockquote: { block: 'blockquote' },
  paragraph: { block: 'paragraph' },
  list_item: { block: 'list_item' },
  bullet_list: { block: 'bullet_list' },
  ordered_list: { block: 'ordered_list', getAttrs: (token) => ({ order: orderOf(token) }) },
  task_list: { block: 'task_list' },
  task_item: { block: 'task_item', getAttrs: (token) => ({ checked: token.attrGet('checked') === 'true' }) },
  heading: { block: 'heading', getAttrs: (token) => ({ level: Math.min(3, Number(token.tag.slice(1))) }) },
  code_block: { block: 'code_block', noCloseToken: true },
  fence: { block: 'code_block', noCloseToken: true },
  hr: { node: 'horizontal_rule' },
  hardbreak: { node: 'hard_break' },
  em: { mark: 'em' },
  strong: { mark: 'strong' },
  link: { mark: 'link', getAttrs: (token) => ({ href: token.attrGet('href') }) },
  code_inline: { mark: 'code', noCloseToken: true },
});

// ---------------------------------------------------------------------------------------
// Writing

/// The bullet each list was written with, per serialization.
const bulletsUsed = new WeakMap<MarkdownSerializerState, Map<PMNode, '-' | '*'>>();

/// Whether child `index` of `parent` is written on the line of the item's bullet: the item's
/// first paragraph is empty and so not written (see `list_item`).
function onBulletLine(parent: PMNode, index: number): boolean {
  return parent.type.name === 'list_item' && index === 1 && parent.firstChild!.content.size === 0;
}

/// The last list marker character on the line being written, if it ends with one.
function markerBefore(state: MarkdownSerializerState): string | null {
  const out = internals(state).out;
  return /([-*+])\s+$/.exec(out.slice(out.lastIndexOf('\n') + 1))?.[1] ?? null;
}

/// Adjacent lists would run together in Markdown: each takes the other bullet (`-`, `*`) or
/// number delimiter (`.`, `)`) than the list before it. A list written on its parent item's
/// bullet line takes the other bullet than that item (`- - -` is a rule).
function bulletFor(state: MarkdownSerializerState, list: PMNode, parent: PMNode, index: number): '-' | '*' {
  let used = bulletsUsed.get(state);
  if (!used) bulletsUsed.set(state, (used = new Map()));
  const before = onBulletLine(parent, index) ? markerBefore(state) : null;
  const previous = index > 0 ? used.get(parent.child(index - 1)) : undefined;
  const bullet = before === '-' || previous === '-' ? '*' : '-';
  used.set(list, bullet);
  return bullet;
}

function delimiterFor(parent: PMNode, index: number): '.' | ')' {
  let delimiter: '.' | ')' = '.';
  let start = index;
  while (start > 0 && parent.child(start - 1).type.name === 'ordered_list') start--;
  for (let i = start; i < index; i++) delimiter = delimiter === '.' ? ')' : '.';
  return delimiter;
}

/// A list starts right under a paragraph, without a blank line, only in a tight list; there
/// it must be able to interrupt the paragraph (CommonMark), else it would be read as more of
/// its text: not a numbered list starting at another number than 1, not an empty first item.
function interruptsParagraph(list: PMNode): boolean {
  if (list.type.name === 'ordered_list' && list.attrs.order !== 1) return false;
  const first = list.firstChild!;
  return first.type.name === 'task_item' || first.childCount > 1 || first.firstChild!.content.size > 0;
}

const NESTABLE_LISTS = new Set(['bullet_list', 'task_list', 'ordered_list']);

/// Whether `list` can be written tight (no blank line between items, nested lists right
/// under the text above them), which reads the same as loose in Markdown and is what people
/// write. Quotes inside the items are written in the same mode, so they are looked into;
/// nested lists decide for themselves.
function canBeTight(list: PMNode): boolean {
  let tight = true;
  const visit = (container: PMNode) => {
    container.forEach((child, _, i) => {
      if (child.type.name === 'blockquote') return visit(child);
      if (i === 0 || !NESTABLE_LISTS.has(child.type.name)) return;
      const previous = container.child(i - 1);
      // A paragraph of only line breaks is an HTML block, which runs to the next blank line.
      if (previous.type.name === 'paragraph' && !onBulletLine(container, i) && (!interruptsParagraph(child) || isBreaksOnly(previous))) tight = false;
    });
  };
  list.forEach(visit);
  return tight;
}

/// Parts of the serializer state that prosemirror-markdown marks internal: its output so far,
/// list bookkeeping, the mark specs in use and whether a line has just begun.
interface StateInternals {
  out: string;
  closed: PMNode | null;
  inTightList: boolean;
  atBlockStart: boolean;
  inAutolink: boolean | undefined;
  marks: MarkSpecs;
  flushClose(size?: number): void;
}

const internals = (state: MarkdownSerializerState) => state as unknown as StateInternals;

/// prosemirror-markdown's `renderList`, but each item's continuation lines are indented by
/// the width of its own marker (`9. ` 3, `10. ` 4): anything else moves the item's content
/// column (and, inside a code block, its text).
function renderList(state: MarkdownSerializerState, list: PMNode, marker: (i: number) => string): void {
  const internal = internals(state);
  if (internal.closed && internal.closed.type === list.type) internal.flushClose(3);
  else if (internal.inTightList) internal.flushClose(1);
  const tight = canBeTight(list);
  const outer = internal.inTightList;
  internal.inTightList = tight;
  list.forEach((item, _, i) => {
    if (i > 0 && tight) internal.flushClose(1);
    const first = marker(i);
    const width = /^[-*+] \[[ x]\] $/.test(first) ? 2 : first.length;
    state.wrapBlock(' '.repeat(width), first, list, () => state.render(item, list, i));
  });
  internal.inTightList = outer;
}

/// Escapes text for Markdown. Everywhere: what opens code, emphasis and links, a backslash,
/// `~`, `<` that would start HTML and `&` that would start an entity (`_` inside a word is
/// left alone). At the start of a line also what starts a block there: `#`, `-`, `+`, `*`,
/// `>`, `=` (a setext underline) and the `.` or `)` of `1.` / `1)`. This replaces
/// prosemirror-markdown's `esc`, which turns `1.` + tab into `1\. ` + space.
export function escapeMarkdown(text: string, startOfLine: boolean): string {
  return text
    .split('\n')
    .map((line, i) => {
      let escaped = line
        .replace(/[`*\\~[\]_]/g, (m, at: number) => (m === '_' && /\w/.test(line[at - 1] ?? '') && /\w/.test(line[at + 1] ?? '') ? m : `\\${m}`))
        .replace(/<(?=[A-Za-z/!?])|&(?=#?[A-Za-z0-9]+;)/g, '\\$&');
      if (startOfLine || i > 0) escaped = escaped.replace(/^[#\-+>=]/, '\\$&').replace(/^(\d{1,9})([.)])/, '$1\\$2');
      return escaped;
    })
    .join('\n');
}

function isHardBreak(node: PMNode | null | undefined): boolean {
  return node?.type.name === 'hard_break';
}

function onlyBreaksAfter(parent: PMNode, index: number): boolean {
  for (let i = index + 1; i < parent.childCount; i++) if (!isHardBreak(parent.child(i))) return false;
  return true;
}

type MarkSpecs = ConstructorParameters<typeof MarkdownSerializer>[1];

/// Bold and italic as Markdown writes them. Whitespace at the edge of either moves outside it
/// (`**a **` is not bold): `markdownNormalForm` does the same.
const MARKDOWN_EMPHASIS: MarkSpecs = {
  em: { open: '*', close: '*', mixable: true, expelEnclosingWhitespace: true },
  strong: { open: '**', close: '**', mixable: true, expelEnclosingWhitespace: true },
};

/// Bold, italic and links where Markdown's own syntax cannot say it (see `needsHtmlMarks`):
/// exactly as they are.
const HTML_MARK_SPECS: MarkSpecs = {
  em: { open: '<em>', close: '</em>', mixable: true },
  strong: { open: '<strong>', close: '</strong>', mixable: true },
  link: { open: (_state, mark) => `<a href="${encodeHtmlAttribute(mark.attrs.href as string)}">`, close: '</a>', mixable: false },
};

/// Writes a document of `notesSchema` as Markdown.
export const notesMarkdownSerializer = new MarkdownSerializer(
  {
    blockquote(state, node) {
      state.wrapBlock('> ', null, node, () => state.renderContent(node));
    },
    code_block(state, node) {
      const backticks = node.textContent.match(/`{3,}/gm);
      const fence = backticks ? `${backticks.sort().slice(-1)[0]!}\`` : '```';
      state.write(`${fence}\n`);
      state.text(node.textContent, false);
      state.write('\n');
      state.write(fence);
      state.closeBlock(node);
    },
    heading(state, node) {
      state.write(`${'#'.repeat(node.attrs.level as number)} `);
      renderTextblock(state, node, false);
      // A run of `#` at the end would be taken for the closing sequence.
      const internal = internals(state);
      internal.out = internal.out.replace(/(\s)(#+)$/, (_: string, space: string, hashes: string) => `${space}${hashes.replaceAll('#', '\\#')}`);
      state.closeBlock(node);
    },
    horizontal_rule(state, node, parent, index) {
      // Right after a bullet (an item that starts with a rule), a rule of the bullet's own
      // character would be read as a rule instead of the item.
      state.write(onBulletLine(parent, index) && markerBefore(state) === '-' ? '***' : '---');
      state.closeBlock(node);
    },
    bullet_list(state, node, parent, index) {
      const bullet = bulletFor(state, node, parent, index);
      renderList(state, node, () => `${bullet} `);
    },
    task_list(state, node, parent, index) {
      const bullet = bulletFor(state, node, parent, index);
      renderList(state, node, (i) => `${bullet} [${node.child(i).attrs.checked ? 'x' : ' '}] `);
    },
    ordered_list(state, node, parent, index) {
      const start = node.attrs.order as number;
      const delimiter = delimiterFor(parent, index);
      renderList(state, node, (i) => `${start + i}${delimiter} `);
    },
    list_item(state, node) {
      // An empty first paragraph cannot be written; what follows it starts on the bullet's
      // line instead, and reading it back puts the empty paragraph in front again.
      if (node.childCount > 1 && node.firstChild!.content.size === 0) {
        node.forEach((child, _, i) => i > 0 && state.render(child, node, i));
      } else {
        state.renderContent(node);
      }
    },
    task_item(state, node) {
      state.renderContent(node);
    },
    paragraph(state, node) {
      if (isBreaksOnly(node)) {
        // A paragraph of nothing but line breaks: an HTML block of `<br>`s.
        state.write('<br>'.repeat(node.childCount));
      } else {
        renderTextblock(state, node, true);
      }
      state.closeBlock(node);
    },
    hard_break(state, node, parent, index) {
      // `\` + newline cannot end a paragraph, nor break a heading's single line.
      if (parent.type.name === 'heading' || onlyBreaksAfter(parent, index)) state.write('<br>');
      else state.write('\\\n');
    },
    text(state, node, parent, index) {
      const internal = internals(state);
      if (internal.inAutolink) return state.text(node.text!, false);
      const startOfLine = internal.atBlockStart || isHardBreak(index > 0 ? parent.child(index - 1) : null);
      state.text(escapeMarkdown(node.text!, startOfLine), false);
    },
  },
  {
    ...MARKDOWN_EMPHASIS,
    link: {
      open(state, mark, parent, index) {
        internals(state).inAutolink = isPlainUrl(mark.attrs.href as string, parent, index);
        return internals(state).inAutolink ? '<' : '[';
      },
      close(state, mark) {
        const inAutolink = internals(state).inAutolink;
        internals(state).inAutolink = undefined;
        return inAutolink ? '>' : `](${linkDestination(mark.attrs.href as string)})`;
      },
      // Not mixable: prosemirror-markdown 1.13 reorders a mixable link, bold and italic in a way
      // that can drop the bold of inline code right after the link.
      mixable: false,
    },
    code: {
      open: (_state, _mark, parent, index) => backticksFor(parent.child(index), -1),
      close: (_state, _mark, parent, index) => backticksFor(parent.child(index - 1), 1),
      escape: false,
    },
  },
  { strict: true },
);

interface SerializerOptions {
  /// Set while a textblock is written on its own to check it (see `needsHtmlMarks`).
  checking?: boolean;
}

function renderTextblock(state: MarkdownSerializerState, node: PMNode, fromBlockStart: boolean): void {
  if (!needsHtmlMarks(node, state.options as SerializerOptions)) return state.renderInline(node, fromBlockStart);
  // The state's mark specs are internal to prosemirror-markdown: swapped for this block only.
  const internal = internals(state);
  const saved = internal.marks;
  internal.marks = { ...saved, ...HTML_MARK_SPECS };
  try {
    state.renderInline(node, fromBlockStart);
  } finally {
    internal.marks = saved;
  }
}

/// `*` and `**` open and close only where CommonMark's flanking rules let them (`**Note:**text`
/// is not bold), and a paragraph that starts `[`…`]:` is a link definition. Each paragraph and
/// heading is written and read back on its own; if that does not give it back, its bold,
/// italic and links are written as `<strong>`, `<em>` and `<a href>` instead.
function needsHtmlMarks(node: PMNode, options: SerializerOptions): boolean {
  if (options.checking || !hasEmphasis(node)) return false;
  const alone = notesSchema.topNodeType.create(null, node);
  const markdown = notesMarkdownSerializer.serialize(alone, { checking: true } as { tightLists?: boolean });
  const back = notesMarkdownParser.parse(markdown);
  return !back.eq(markdownNormalForm(alone));
}

function hasEmphasis(node: PMNode): boolean {
  let found = false;
  node.forEach((child) => {
    if (child.marks.some((m) => m.type.name !== 'code')) found = true;
  });
  return found;
}

function isBreaksOnly(paragraph: PMNode): boolean {
  let breaks = 0;
  paragraph.forEach((child) => {
    if (isHardBreak(child)) breaks++;
  });
  return breaks > 0 && breaks === paragraph.childCount;
}

/// A link whose text is its own target is written `<https://…>`.
function isPlainUrl(href: string, parent: PMNode, index: number): boolean {
  const content = parent.child(index);
  if (!content.isText || content.text !== href || !/^[a-z][a-z0-9+.-]*:[^\s<>]*$/i.test(href)) return false;
  const link = content.marks.find((m) => m.type.name === 'link')!;
  if (content.marks[content.marks.length - 1] !== link) return false;
  return index === parent.childCount - 1 || !link.isInSet(parent.child(index + 1).marks);
}

function linkDestination(href: string): string {
  // `<…>` keeps spaces and parentheses in a destination; `<`, `>` and `\` are escaped in it.
  return /[\s()<>\\]/.test(href) ? `<${href.replace(/[<>\\]/g, '\\$&')}>` : href;
}

/// A code span's fence: longer than any run of backticks in it, with a space inside when the
/// text starts or ends with a backtick, or starts and ends with a space (CommonMark strips
/// one space from each end of such a span).
function backticksFor(node: PMNode, side: number): string {
  const text = node.isText ? node.text! : '';
  let len = 0;
  for (const m of text.matchAll(/`+/g)) len = Math.max(len, m[0].length);
  const fence = '`'.repeat(len + 1);
  const pad = /^`|`$/.test(text) || (/^ [^]* $/.test(text) && /[^ ]/.test(text)) ? ' ' : '';
  return side < 0 ? fence + pad : pad + fence;
}

/// The document as Markdown, ending with one newline. What it writes is the document's
/// `markdownNormalForm`, so two documents that read back the same write the same bytes.
export function docToMarkdown(doc: PMNode): string {
  const out = notesMarkdownSerializer.serialize(markdownNormalForm(doc)).replace(/\s+$/, '');
  return `${out}\n`;
}

/// Markdown (without front matter) as a document of `notesSchema`.
export function markdownToDoc(markdown: string): PMNode {
  const doc = notesMarkdownParser.parse(markdown);
  doc.check();
  return doc;
}

/// What a document becomes after going to Markdown and back: what Markdown cannot hold is
/// dropped. Empty paragraphs go (but not a checklist item's first, and where the schema needs
/// a paragraph, first in a list item or alone in a quote, an empty one is put back); whitespace at the start and end of a paragraph or heading, and around its
/// line breaks, goes; text nodes that end up side by side with the same marks merge.
export function markdownNormalForm(doc: PMNode): PMNode {
  return normalize(doc);
}

function normalize(node: PMNode): PMNode {
  if (node.isTextblock) return node.type.spec.code ? node : trimTextblock(node);
  if (node.isLeaf) return node;
  const children: PMNode[] = [];
  node.forEach((child, _, i) => {
    const normalized = normalize(child);
    // A checklist item's first line is written `[ ]` even when it has no text.
    const kept = normalized.type.name !== 'paragraph' || normalized.content.size > 0 || (i === 0 && node.type.name === 'task_item');
    if (kept) children.push(normalized);
  });
  return node.type.createAndFill(node.attrs, Fragment.fromArray(children), node.marks)!;
}

function trimTextblock(block: PMNode): PMNode {
  const trimmed = trimEdges(block);
  for (const name of ['em', 'strong']) expelWhitespace(trimmed, notesSchema.marks[name]!);
  return block.type.create(block.attrs, Fragment.fromArray(trimmed), block.marks);
}

/// Whitespace at the start and end of a run of `type` leaves the run (repeatedly: a run may
/// start with nodes that are only whitespace).
function expelWhitespace(nodes: PMNode[], type: MarkType): void {
  const has = (i: number) => i >= 0 && i < nodes.length && type.isInSet(nodes[i]!.marks) !== undefined;
  const strip = (i: number, edge: 'start' | 'end'): boolean => {
    const node = nodes[i]!;
    const [whitespace] = (edge === 'start' ? /^\s+/ : /\s+$/).exec(node.isText ? node.text! : '') ?? [''];
    if (whitespace.length === 0) return false;
    const bare = notesSchema.text(whitespace, type.removeFromSet(node.marks));
    const restText = edge === 'start' ? node.text!.slice(whitespace.length) : node.text!.slice(0, node.text!.length - whitespace.length);
    const rest = restText.length > 0 ? [notesSchema.text(restText, node.marks)] : [];
    nodes.splice(i, 1, ...(edge === 'start' ? [bare, ...rest] : [...rest, bare]));
    return true;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < nodes.length && !changed; i++) {
      if (has(i)) changed = (!has(i - 1) && strip(i, 'start')) || (!has(i + 1) && strip(i, 'end'));
    }
  }
}

function trimEdges(block: PMNode): PMNode[] {
  const parts: PMNode[] = [];
  // Each line (the text between hard breaks) loses the whitespace at both its ends.
  let line: PMNode[] = [];
  const endLine = () => {
    while (line.length > 0 && /^\s/.test(line[0]!.text!)) {
      const text = line[0]!.text!.replace(/^\s+/, '');
      if (text) line[0] = notesSchema.text(text, line[0]!.marks);
      else line.shift();
    }
    while (line.length > 0 && /\s$/.test(line[line.length - 1]!.text!)) {
      const last = line[line.length - 1]!;
      const text = last.text!.replace(/\s+$/, '');
      if (text) line[line.length - 1] = notesSchema.text(text, last.marks);
      else line.pop();
    }
    parts.push(...line);
    line = [];
  };
  block.forEach((child) => {
    if (child.isText) return void line.push(child);
    endLine();
    parts.push(child);
  });
  endLine();
  return parts;
}

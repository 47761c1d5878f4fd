import { InputRule, inputRules, textblockTypeInputRule, wrappingInputRule } from 'prosemirror-inputrules';
import type { MarkType, NodeType, Schema } from 'prosemirror-model';
import { TextSelection, type Plugin } from 'prosemirror-state';

/// Typing `[ ] ` or `[x] ` at the start of a paragraph makes it a checklist item (ticked for
/// `[x]`), joined to a checklist right above it.
export function taskListRule(taskList: NodeType, taskItem: NodeType): InputRule {
  return new InputRule(/^\s*\[([ xX])\]\s$/, (state, match, start, end) => {
    const tr = state.tr.delete(start, end);
    const range = tr.doc.resolve(start).blockRange();
    if (!range || range.endIndex - range.startIndex !== 1) return null;
    const block = range.parent.child(range.startIndex);
    if (!range.parent.canReplaceWith(range.startIndex, range.endIndex, taskList) || !taskItem.contentMatch.matchType(block.type)?.validEnd) {
      return null;
    }
    tr.wrap(range, [{ type: taskList }, { type: taskItem, attrs: { checked: match[1] !== ' ' } }]);
    const before = tr.doc.resolve(start - 1).nodeBefore;
    // Two checklists side by side always join: their content is the same.
    if (before && before.type === taskList) tr.join(start - 1);
    return tr;
  });
}

/// Typing `---` in an empty paragraph replaces it with a horizontal rule and a new paragraph.
export function horizontalRuleRule(rule: NodeType, paragraph: NodeType): InputRule {
  return new InputRule(/^---$/, (state, _match, start, end) => {
    const $start = state.doc.resolve(start);
    const block = $start.parent;
    // The paragraph holds "--" (the third dash is being typed) and nothing else.
    if (block.type !== paragraph || $start.parentOffset !== 0 || end !== $start.end()) return null;
    const blockStart = $start.before();
    const blockEnd = $start.after();
    if (!$start.node(-1).canReplaceWith($start.index(-1), $start.index(-1) + 1, rule)) return null;
    const tr = state.tr.replaceWith(blockStart, blockEnd, [rule.create(), paragraph.create()]);
    return tr.setSelection(TextSelection.create(tr.doc, blockStart + 2));
  });
}

/// Typing the closing delimiter of `**strong**`, `*em*`, `` `code` `` and the like styles the
/// text between the delimiters and removes them. `pattern` must end with `$`, capture the
/// whole delimited text as group 1 and the text inside as group 2.
export function markRule(pattern: RegExp, markType: MarkType): InputRule {
  return new InputRule(
    pattern,
    (state, match, start, end) => {
      const whole = match[1];
      const inner = match[2];
      if (whole === undefined || inner === undefined) return null;
      const wholeStart = start + match[0].length - whole.length;
      // Opening and closing delimiters have the same length.
      const open = (whole.length - inner.length) / 2;
      const innerStart = wholeStart + open;
      const innerEnd = innerStart + inner.length;
      const $start = state.doc.resolve(wholeStart);
      if (!$start.parent.type.allowsMarkType(markType)) return null;
      const tr = state.tr;
      // The last character of the closing delimiter is being typed: it is not in the doc.
      if (end > innerEnd) tr.delete(innerEnd, end);
      if (open > 0) tr.delete(wholeStart, innerStart);
      tr.addMark(wholeStart, wholeStart + inner.length, markType.create());
      return tr.removeStoredMark(markType);
    },
    { inCodeMark: false },
  );
}

/// The Markdown-like shortcuts of the notes editor, for `notesSchema`.
export function buildInputRules(schema: Schema): Plugin {
  const { nodes, marks } = schema;
  const rules: InputRule[] = [];
  const need = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`buildInputRules: the schema has no ${name}`);
    return value;
  };
  const heading = need(nodes.heading, 'heading');
  const paragraph = need(nodes.paragraph, 'paragraph');

  rules.push(textblockTypeInputRule(/^(#{1,3})\s$/, heading, (match) => ({ level: (match[1] ?? '#').length })));
  // Before the bullet rule, so `[ ] ` is not read as anything else.
  rules.push(taskListRule(need(nodes.task_list, 'task_list'), need(nodes.task_item, 'task_item')));
  rules.push(wrappingInputRule(/^\s*([-*])\s$/, need(nodes.bullet_list, 'bullet_list')));
  rules.push(
    wrappingInputRule(
      /^(\d+)\.\s$/,
      need(nodes.ordered_list, 'ordered_list'),
      (match) => ({ order: Number(match[1]) }),
      (match, node) => node.childCount + (node.attrs.order as number) === Number(match[1]),
    ),
  );
  rules.push(wrappingInputRule(/^\s*>\s$/, need(nodes.blockquote, 'blockquote')));
  rules.push(textblockTypeInputRule(/^```$/, need(nodes.code_block, 'code_block')));
  rules.push(horizontalRuleRule(need(nodes.horizontal_rule, 'horizontal_rule'), paragraph));

  const strong = need(marks.strong, 'strong');
  const em = need(marks.em, 'em');
  const code = need(marks.code, 'code');
  // The character before an opening delimiter may not be the delimiter itself, so `**x*`
  // is not read as `*x*` preceded by a star; `_` also needs a non-word character before it,
  // so snake_case_names stay as they are.
  rules.push(markRule(/(?:^|[^*])(\*\*([^*\s](?:[^*]*[^*\s])?)\*\*)$/, strong));
  rules.push(markRule(/(?:^|[^*])(\*([^*\s](?:[^*]*[^*\s])?)\*)$/, em));
  rules.push(markRule(/(?:^|[^\w_])(_([^_\s](?:[^_]*[^_\s])?)_)$/, em));
  rules.push(markRule(/(?:^|[^`])(`([^`]+)`)$/, code));
  return inputRules({ rules });
}

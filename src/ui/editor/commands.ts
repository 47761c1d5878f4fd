import type { Mark, MarkType, NodeType, ResolvedPos } from 'prosemirror-model';
import { TextSelection, type Command, type EditorState, type Transaction } from 'prosemirror-state';
import type { EditorView } from 'prosemirror-view';
import { safeHref } from '../../notes/document/schema';

/// Asks the person for a link target. `current` is the selected text, a hint for the answer.
/// Return null (or resolve to null) to cancel.
export type LinkUrlRequest = (current: string) => string | null | Promise<string | null>;

/// The link target typed by a person, made absolute: `example.com` becomes
/// `https://example.com`, `someone@example.com` becomes a mailto link. Null when it is empty
/// or not an http(s) or mailto URL.
export function normalizeLinkInput(input: string): string | null {
  const text = input.trim();
  if (text.length === 0) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return safeHref(text);
  if (/^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/.test(text)) return safeHref(`mailto:${text}`);
  if (/^[^\s/]+\.[^\s/]+/.test(text)) return safeHref(`https://${text}`);
  return null;
}

/// Asks with `window.prompt`, offering the selected text when it looks like an address.
export function promptForLinkUrl(current: string): string | null {
  if (typeof window === 'undefined' || typeof window.prompt !== 'function') return null;
  return window.prompt('Link address', /^\S+\.\S+$/.test(current) ? current : 'https://');
}

/// Toggles a link on the selection. Inside a link (or with a selection touching one) it
/// removes the link; otherwise it asks `requestUrl` (by default `window.prompt`) for a
/// target and links the selection, or inserts the linked address at an empty cursor. An
/// answer that is not an http(s) or mailto address is ignored.
export function toggleLink(requestUrl: LinkUrlRequest = promptForLinkUrl): Command {
  return (state, dispatch, view) => {
    const link = state.schema.marks.link;
    if (!link) return false;
    const { from, to, empty, $from } = state.selection;
    if (!$from.parent.type.allowsMarkType(link)) return false;
    const existing = linkRange(state, link);
    if (existing) {
      if (dispatch) dispatch(state.tr.removeMark(existing.from, existing.to, link).scrollIntoView());
      return true;
    }
    if (!dispatch) return true;
    const selected = state.doc.textBetween(from, to, ' ');
    const apply = (answer: string | null) => {
      const href = answer === null ? null : normalizeLinkInput(answer);
      if (href === null) return;
      // Asking may take a while (a dialog): apply to the same text, if it is still there.
      const live = view && !view.isDestroyed ? view : null;
      const now = live ? live.state : state;
      const send = (tr: Transaction) => (live ? live.dispatch(tr) : dispatch(tr));
      if (to > now.doc.content.size || now.doc.textBetween(from, to, ' ') !== selected) return;
      const mark = link.create({ href });
      if (empty) {
        const tr = now.tr.insert(from, now.schema.text(href, [mark]));
        send(tr.setSelection(TextSelection.create(tr.doc, from + href.length)).removeStoredMark(link).scrollIntoView());
      } else {
        send(now.tr.addMark(from, to, mark).scrollIntoView());
      }
    };
    const answer = requestUrl(selected);
    if (answer instanceof Promise) answer.then(apply, () => undefined);
    else apply(answer);
    return true;
  };
}

/// The extent of the link at an empty cursor, or the selection when a link touches it.
function linkRange(state: EditorState, link: MarkType): { from: number; to: number } | null {
  const { from, to, empty, $from } = state.selection;
  if (!empty) return state.doc.rangeHasMark(from, to, link) ? { from, to } : null;
  const mark = link.isInSet($from.marks()) ?? link.isInSet($from.nodeBefore?.marks ?? []);
  return mark ? markExtent($from, mark) : null;
}

function markExtent($pos: ResolvedPos, mark: Mark): { from: number; to: number } {
  const parent = $pos.parent;
  const start = $pos.start();
  let index = $pos.index();
  // At the end of the link the cursor's index points past it.
  if (index > 0 && (index >= parent.childCount || !mark.isInSet(parent.child(index).marks))) index--;
  let first = index;
  let last = index;
  while (first > 0 && mark.isInSet(parent.child(first - 1).marks)) first--;
  while (last + 1 < parent.childCount && mark.isInSet(parent.child(last + 1).marks)) last++;
  let from = start;
  for (let i = 0; i < first; i++) from += parent.child(i).nodeSize;
  let to = from;
  for (let i = first; i <= last; i++) to += parent.child(i).nodeSize;
  return { from, to };
}

/// The innermost node of `type` around the selection's start, with its position.
function ancestorOfType(state: EditorState, type: NodeType): { pos: number; checked: boolean } | null {
  const { $from } = state.selection;
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth);
    if (node.type === type) return { pos: $from.before(depth), checked: node.attrs.checked === true };
  }
  return null;
}

/// Ticks or unticks the checklist item around the cursor.
export const toggleTaskItem: Command = (state, dispatch) => {
  const taskItem = state.schema.nodes.task_item;
  if (!taskItem) return false;
  const item = ancestorOfType(state, taskItem);
  if (!item) return false;
  if (dispatch) dispatch(state.tr.setNodeAttribute(item.pos, 'checked', !item.checked));
  return true;
};

/// Sets the `checked` attribute of the checklist item at `pos`, if the view may be edited.
export function setTaskItemChecked(view: EditorView, pos: number, checked: boolean): boolean {
  if (!view.editable || view.isDestroyed) return false;
  const node = view.state.doc.nodeAt(pos);
  if (!node || node.type !== view.state.schema.nodes.task_item || node.attrs.checked === checked) return false;
  view.dispatch(view.state.tr.setNodeAttribute(pos, 'checked', checked));
  return true;
}

import type { Node as PMNode } from 'prosemirror-model';
import type { EditorView, NodeView, NodeViewConstructor, ViewMutationRecord } from 'prosemirror-view';
import { setTaskItemChecked } from './commands';

/// The accessible name of a checklist item's checkbox: the item's own text (its first
/// paragraph, not nested items), or "Done" while it is empty.
export function taskCheckboxLabel(node: PMNode): string {
  const text = (node.firstChild?.textContent ?? '').replace(/\s+/g, ' ').trim();
  return text.length > 0 ? text : 'Done';
}

/// Draws a checklist item as `<li>` with a real checkbox and the item's content beside it.
/// Ticking the checkbox sets `checked` through a transaction, so it syncs and undoes like any
/// other edit; in a view that is not editable the checkbox is disabled and cannot change.
export class TaskItemView implements NodeView {
  readonly dom: HTMLLIElement;
  readonly contentDOM: HTMLDivElement;
  private readonly checkbox: HTMLInputElement;
  private node: PMNode;

  constructor(
    node: PMNode,
    private readonly view: EditorView,
    private readonly getPos: () => number | undefined,
  ) {
    this.node = node;
    const doc = view.dom.ownerDocument;
    this.dom = doc.createElement('li');
    this.dom.className = 'task-item';
    this.dom.setAttribute('data-type', 'task_item');

    // The checkbox sits outside the editable content, so the caret never lands on it.
    const control = doc.createElement('span');
    control.className = 'task-item__control';
    control.contentEditable = 'false';
    this.checkbox = doc.createElement('input');
    this.checkbox.type = 'checkbox';
    this.checkbox.className = 'task-item__checkbox';
    this.checkbox.addEventListener('change', this.onChange);
    control.appendChild(this.checkbox);

    this.contentDOM = doc.createElement('div');
    this.contentDOM.className = 'task-item__content';
    this.dom.append(control, this.contentDOM);
    this.render();
  }

  update(node: PMNode): boolean {
    if (node.type !== this.node.type) return false;
    this.node = node;
    this.render();
    return true;
  }

  /// Events on the checkbox are its own: ProseMirror must not turn a click on it into a
  /// selection change.
  stopEvent(event: Event): boolean {
    return event.target === this.checkbox;
  }

  /// Only the content is ProseMirror's: changes this view makes to the checkbox and the
  /// item's attributes are not edits to read back.
  ignoreMutation(mutation: ViewMutationRecord): boolean {
    if (mutation.type === 'selection') return false;
    return !this.contentDOM.contains(mutation.target);
  }

  destroy(): void {
    this.checkbox.removeEventListener('change', this.onChange);
  }

  private render(): void {
    const checked = this.node.attrs.checked === true;
    this.dom.setAttribute('data-checked', checked ? 'true' : 'false');
    this.checkbox.checked = checked;
    this.checkbox.disabled = !this.view.editable;
    const label = taskCheckboxLabel(this.node);
    if (this.checkbox.getAttribute('aria-label') !== label) this.checkbox.setAttribute('aria-label', label);
  }

  private readonly onChange = (): void => {
    const pos = this.getPos();
    const wanted = this.checkbox.checked;
    // Whatever happens, the checkbox shows the document: the transaction re-renders it when
    // it applies, and a refused change (read-only view, node gone) puts it back.
    if (pos === undefined || !setTaskItemChecked(this.view, pos, wanted)) this.checkbox.checked = this.node.attrs.checked === true;
  };
}

export const taskItemNodeView: NodeViewConstructor = (node, view, getPos) => new TaskItemView(node, view, getPos);

import { baseKeymap, chainCommands, exitCode, toggleMark } from 'prosemirror-commands';
import { undoInputRule } from 'prosemirror-inputrules';
import { keymap } from 'prosemirror-keymap';
import type { NodeType, Schema } from 'prosemirror-model';
import { liftListItem, sinkListItem, splitListItem } from 'prosemirror-schema-list';
import { Plugin, type Command } from 'prosemirror-state';
import { redo, undo } from 'y-prosemirror';
import { toggleLink, toggleTaskItem, type LinkUrlRequest } from './commands';

export interface KeymapOptions {
  /// Where Mod-k gets a link target; `window.prompt` when not given.
  readonly requestLinkUrl?: LinkUrlRequest;
}

/// Undo and redo go to y-prosemirror's UndoManager, which tracks only this editor's own
/// edits. They always claim the key, so the browser's native undo never changes the DOM
/// behind ProseMirror's back.
const undoOwnEdit: Command = (state, dispatch) => {
  if (dispatch) undo(state);
  return true;
};
const redoOwnEdit: Command = (state, dispatch) => {
  if (dispatch) redo(state);
  return true;
};

/// Enter in an empty last list item leaves the list (or the outer list, when nested).
function liftEmptyListItem(itemTypes: readonly NodeType[]): Command {
  const lift = liftListItem(itemTypes);
  return (state, dispatch) => {
    const { $from, empty } = state.selection;
    if (!empty || $from.parent.content.size !== 0 || $from.depth < 2) return false;
    if (!itemTypes.includes($from.node(-1).type)) return false;
    return lift(state, dispatch);
  };
}

/// The editor's key bindings, most specific first, ending with ProseMirror's base keymap.
export function buildKeymaps(schema: Schema, options: KeymapOptions = {}): Plugin[] {
  const { nodes, marks } = schema;
  const need = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`buildKeymaps: the schema has no ${name}`);
    return value;
  };
  const listItem = need(nodes.list_item, 'list_item');
  const taskItem = need(nodes.task_item, 'task_item');
  const items = [listItem, taskItem];
  const hardBreak = need(nodes.hard_break, 'hard_break');
  const insertHardBreak: Command = (state, dispatch) => {
    if (dispatch) dispatch(state.tr.replaceSelectionWith(hardBreak.create()).scrollIntoView());
    return true;
  };

  const bindings: Record<string, Command> = {
    'Mod-z': undoOwnEdit,
    'Mod-Shift-z': redoOwnEdit,
    'Mod-y': redoOwnEdit,
    Backspace: undoInputRule,
    'Mod-b': toggleMark(need(marks.strong, 'strong')),
    'Mod-i': toggleMark(need(marks.em, 'em')),
    'Mod-e': toggleMark(need(marks.code, 'code')),
    'Mod-k': toggleLink(options.requestLinkUrl),
    // A new checklist item starts unticked; a new plain item is a plain item.
    Enter: chainCommands(splitListItem(taskItem, { checked: false }), splitListItem(listItem), liftEmptyListItem(items)),
    Tab: sinkListItem(items),
    'Shift-Tab': liftListItem(items),
    // In a code block Mod-Enter leaves it (ProseMirror's default); elsewhere it ticks.
    'Mod-Enter': chainCommands(exitCode, toggleTaskItem),
    'Shift-Enter': chainCommands(exitCode, insertHardBreak),
  };
  return [keymap(bindings), keymap(baseKeymap), historyInputPlugin()];
}

/// Undo and redo chosen from the browser's menu (Edit > Undo) arrive as `beforeinput` events,
/// not keys: route them to the same UndoManager.
function historyInputPlugin(): Plugin {
  return new Plugin({
    props: {
      handleDOMEvents: {
        beforeinput(view, event) {
          if (event.inputType !== 'historyUndo' && event.inputType !== 'historyRedo') return false;
          event.preventDefault();
          if (view.editable) (event.inputType === 'historyUndo' ? undo : redo)(view.state);
          return true;
        },
      },
    },
  });
}

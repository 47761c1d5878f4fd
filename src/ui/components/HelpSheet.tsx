import { memo } from 'react';
import { Dialog } from './Dialog';

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const mod = isMac ? '⌘' : 'Ctrl';

/// Every keyboard shortcut of the app, in one place.
export const SHORTCUTS: readonly [keys: string, what: string][] = [
  ['Alt+N', 'New note'],
  [`${mod}+Shift+F or /`, 'Search notes'],
  ['Alt+P', 'Pin or unpin the open note'],
  ['Escape', 'From the editor back to the list'],
  ['↑ ↓', 'Move between notes in the list'],
  ['Enter', 'Open the note and edit it'],
  [`${mod}+B / ${mod}+I / ${mod}+E`, 'Bold / italic / inline code'],
  [`${mod}+K`, 'Link'],
  [`${mod}+Z / ${mod}+Shift+Z`, 'Undo / redo your own edits'],
  [`${mod}+Enter`, 'Tick or untick a checklist item'],
  ['# , - , 1. , [ ] , > , ```', 'Heading, list, numbered list, checklist, quote, code block'],
  [`? or ${mod}+/`, 'This help'],
];

export const HelpSheet = memo(function HelpSheet({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" open={open} onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={what}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
});

import { useEffect, useRef, type ReactNode } from 'react';

/// A modal dialog on the native <dialog> element: focus trapping, Escape and the backdrop
/// come from the browser.
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-label={title} onClose={onClose} className="dialog">
      <header className="dialog__header">
        <h2>{title}</h2>
        <button type="button" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </header>
      {open ? children : null}
    </dialog>
  );
}

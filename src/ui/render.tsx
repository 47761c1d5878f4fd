import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadNoteBody } from './components/NotePane';
import type { openApp } from './runtime/open';

/// Renders the app, which shows the notes once `opening` (started by main.tsx) has opened them.
export function render(opening: ReturnType<typeof openApp>): void {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App opening={opening} />
    </StrictMode>,
  );
  // The editor's code loads while the storage worker opens the notes: the page has little
  // else to do then, and a note clicked in the first list opens without waiting for it.
  void loadNoteBody();
}

// The browser's composition root. Opening the notes database (its worker, its wasm, the
// OPFS files) starts first, from this small entry, while the browser still loads the
// runtime's and the interface's code, which are chunks of their own: the two overlap
// instead of following each other. See runtime/boot.ts for how the parts are wired.
import { openNotesStorage } from './runtime/storage';
import './app.css';

const storage = openNotesStorage();
const opening = import('./runtime/open').then(({ openApp }) => openApp(storage));
// The app reports a failure to open (with Retry); until it renders, nobody listens.
opening.catch(() => undefined);
import('./render').then(
  ({ render }) => render(opening),
  (error: unknown) => {
    // Never a blank page: without its code the app cannot say more than this.
    const root = document.getElementById('root')!;
    root.textContent = `Notes could not start: ${error instanceof Error ? error.message : String(error)}. Reload the page to try again.`;
    root.setAttribute('role', 'alert');
  },
);

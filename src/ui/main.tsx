// The browser's composition root. Opening the notes database (its worker, its wasm, the
// OPFS files) starts first, from this small entry, while the browser still loads the
// runtime's and the interface's code, which are chunks of their own: the two overlap
// instead of following each other. See runtime/boot.ts for how the parts are wired.
import { openNotesStorage } from './runtime/storage';
import './app.css';

const storage = openNotesStorage();
const opening = import('./runtime/open').then(({ openApp }) => openApp(storage));
void import('./render').then(({ render }) => render(opening));

import { openBrowserDatabase, type BrowserDatabase } from '../../storage/browser';
import { NOTES_DATABASE } from './database-name';

export { NOTES_DATABASE } from './database-name';

/// Starts opening the notes database (a worker, its wasm, the OPFS files). Small on purpose:
/// the page's entry calls it before the runtime's and the interface's code have loaded.
export function openNotesStorage(): Promise<BrowserDatabase> {
  // Marks (notes:*) show where start-up time goes; the app bench prints them.
  performance.mark('notes:storage-start');
  return openBrowserDatabase({ name: NOTES_DATABASE });
}

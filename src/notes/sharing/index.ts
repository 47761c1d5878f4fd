/// Sharing notebooks: what a session with a notebook's peers may exchange, the notebook
/// secrets kept on this device, and peer links.
export { installNoteHomes, noteHomesStatements, NotebookScope } from './scope';
export { installNotebookKeys, notebookKeysStatements, joinNotebook, newNotebookSecret, shareNotebook, notebookKey, notebookKeys, NOTEBOOK_SECRET_BYTES, saveNotebookKey, setKeepOnCloud, type NotebookKey } from './keys';
export { decodePeerLink, encodePeerLink, PeerLinkError, type PeerLink } from './peer-link';

/// The notes database of this browser: names its OPFS directory, its lock and its channel.
/// A module of its own so that the build (vite.config.ts) can name it without the runtime.
export const NOTES_DATABASE = 'notes';

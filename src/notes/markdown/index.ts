/// Markdown in and out of the notes: a note's ProseMirror document as Markdown, a zip of
/// Markdown files with front matter for export, and import of Markdown files or zips.
export { docToMarkdown, markdownNormalForm, markdownToDoc } from './markdown';
export { exportMarkdownZip, type MarkdownExportOptions } from './export';
export { importMarkdown, type MarkdownImportReport, type MarkdownImportTarget } from './import';
export { MarkdownImportError, type MarkdownImportErrorKind } from './errors';
export { IMPORT_LIMITS, isMarkdownPath, looksLikeZip, readMarkdownArchive, type MarkdownFile } from './zip';
export { ImportOrigin, readNoteContent } from './note-doc';

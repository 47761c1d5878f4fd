export type MarkdownImportErrorKind =
  /// The file is not a Markdown (or plain text) file by its name.
  | 'not-markdown'
  /// The file's bytes are not UTF-8 text (a binary file with a .md name).
  | 'not-text'
  /// The file, or the archive unpacked, is over the size limit.
  | 'too-large'
  /// More files than one import takes.
  | 'too-many-files'
  /// The archive is not a zip file, or is damaged.
  | 'not-a-zip'
  /// Nothing in what was given is Markdown.
  | 'nothing-to-import'
  /// The notebook to import into does not exist (or was deleted).
  | 'unknown-notebook';

/// Why an import of Markdown was refused. An import that fails with this error has changed
/// nothing: every file is checked before anything is written. `file` names the file at fault.
export class MarkdownImportError extends Error {
  constructor(
    readonly kind: MarkdownImportErrorKind,
    readonly file: string | null,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'MarkdownImportError';
  }
}

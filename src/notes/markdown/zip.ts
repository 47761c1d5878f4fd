import { unzipSync, zipSync, type Zippable } from 'fflate';
import { MarkdownImportError } from './errors';

/// One file of an export or an import: a path with `/` between folders, and its bytes.
export interface MarkdownFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/// Limits on what one import reads, so that a zip bomb or a mistaken pick of a whole disk
/// image fails with a clear message instead of exhausting memory.
export const IMPORT_LIMITS = {
  /// Bytes of one Markdown file.
  fileBytes: 4 * 1024 * 1024,
  /// Markdown files in one import.
  files: 20_000,
  /// Bytes of all Markdown files of an archive, unpacked.
  archiveBytes: 256 * 1024 * 1024,
} as const;

/// A zip of `files` whose bytes depend only on them: entries sorted by path, each dated by
/// `modified` (ms since the epoch), written as its UTC date and time (zip dates have no time
/// zone; taking local time would make the bytes depend on where the export ran).
export function writeZip(files: readonly (MarkdownFile & { readonly modified: number })[]): Uint8Array {
  const sorted = [...files].sort((a, b) => compareStrings(a.path, b.path));
  const entries: Zippable = {};
  for (const file of sorted) {
    const utc = new Date(Math.max(file.modified, Date.UTC(1980, 0, 1)));
    // fflate reads the fields in local time: give it a local date with the UTC fields.
    const mtime = new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds());
    entries[file.path] = [file.bytes, { mtime, level: 6 }];
  }
  return zipSync(entries);
}

/// Names that an import reads as Markdown: `.md`, `.markdown`, `.mdown`, `.mkd` and `.txt`.
export function isMarkdownPath(path: string): boolean {
  return /\.(md|markdown|mdown|mkd|txt)$/i.test(path);
}

/// The Markdown files of a zip archive, and the paths of its other files (left packed: an
/// Obsidian vault's pictures, say). Folders, and what operating systems and apps add beside
/// the notes (`__MACOSX/`, `.DS_Store`, `.obsidian/`, any hidden file), are left out. Refuses
/// a damaged archive, and one whose Markdown would unpack to more than the limits (checked
/// before unpacking), with a MarkdownImportError naming `name`.
export function readMarkdownArchive(bytes: Uint8Array, name = 'the archive'): { files: MarkdownFile[]; skipped: string[] } {
  let total = 0;
  let count = 0;
  const skipped: string[] = [];
  let unpacked: Record<string, Uint8Array>;
  try {
    unpacked = unzipSync(bytes, {
      filter: (entry) => {
        if (entry.name.endsWith('/') || isHidden(entry.name)) return false;
        if (!isMarkdownPath(entry.name)) {
          skipped.push(entry.name);
          return false;
        }
        count++;
        total += entry.originalSize;
        if (count > IMPORT_LIMITS.files) throw new MarkdownImportError('too-many-files', name, `${name} holds more than ${IMPORT_LIMITS.files} Markdown files.`);
        if (entry.originalSize > IMPORT_LIMITS.fileBytes) throw tooLarge(entry.name);
        if (total > IMPORT_LIMITS.archiveBytes) {
          throw new MarkdownImportError('too-large', name, `${name} unpacks to more than ${IMPORT_LIMITS.archiveBytes / 1024 / 1024} MB of Markdown.`);
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof MarkdownImportError) throw error;
    throw new MarkdownImportError('not-a-zip', name, `${name} is not a zip archive, or it is damaged.`, error);
  }
  const files = Object.entries(unpacked).map(([path, data]) => ({ path, bytes: data }));
  return { files: files.sort((a, b) => compareStrings(a.path, b.path)), skipped: skipped.sort(compareStrings) };
}

export function tooLarge(file: string): MarkdownImportError {
  return new MarkdownImportError('too-large', file, `${file} is larger than ${IMPORT_LIMITS.fileBytes / 1024 / 1024} MB: too large for a note.`);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isHidden(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('.') || part === '__MACOSX');
}

/// Whether `bytes` start like a zip archive (a local file header, or an empty archive's end
/// record).
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05) && (bytes[3] === 0x04 || bytes[3] === 0x06);
}

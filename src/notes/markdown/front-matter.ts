import { parse, stringify } from 'yaml';

/// What an exported note's YAML front matter says. Every field is optional when reading:
/// files from other apps may have none, or other fields (which are ignored).
export interface NoteFrontMatter {
  readonly id?: string;
  /// The notebook's name.
  readonly notebook?: string;
  readonly pinned?: boolean;
  /// Milliseconds since the epoch; written as ISO 8601 dates.
  readonly created?: number;
  readonly updated?: number;
  readonly title?: string;
}

/// A front matter block, keys in a fixed order: the same note gives the same bytes.
export function writeFrontMatter(fields: Required<NoteFrontMatter>): string {
  const ordered = {
    id: fields.id,
    notebook: fields.notebook,
    pinned: fields.pinned,
    created: new Date(fields.created).toISOString(),
    updated: new Date(fields.updated).toISOString(),
    title: fields.title,
  };
  return `---\n${stringify(ordered, { lineWidth: 0 })}---\n`;
}

const OPENING = /^---[ \t]*\n/;
const CLOSING = /\n(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/// Splits off a leading YAML front matter block. Text that starts with `---` but whose block
/// is not a YAML mapping (a rule, say) is all body.
export function splitFrontMatter(text: string): { readonly frontMatter: NoteFrontMatter | null; readonly body: string } {
  const opening = OPENING.exec(text);
  if (!opening) return { frontMatter: null, body: text };
  const rest = text.slice(opening[0].length);
  // Searched with a newline in front, so that an empty block (`---` right after `---`) is
  // found too: index i there is index i - 1 in `rest`.
  const closing = CLOSING.exec(`\n${rest}`);
  if (!closing) return { frontMatter: null, body: text };
  const yaml = rest.slice(0, Math.max(0, closing.index - 1));
  let data: unknown;
  try {
    data = yaml.trim() === '' ? {} : parse(yaml);
  } catch {
    return { frontMatter: null, body: text };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { frontMatter: null, body: text };
  const body = rest.slice(closing.index - 1 + closing[0].length);
  return { frontMatter: readFields(data as Record<string, unknown>), body };
}

function readFields(data: Record<string, unknown>): NoteFrontMatter {
  const fields: { -readonly [K in keyof NoteFrontMatter]: NoteFrontMatter[K] } = {};
  if (typeof data.id === 'string' && data.id.length > 0) fields.id = data.id;
  if (typeof data.notebook === 'string' && data.notebook.trim().length > 0) fields.notebook = data.notebook.trim();
  if (typeof data.pinned === 'boolean') fields.pinned = data.pinned;
  const created = readDate(data.created);
  if (created !== undefined) fields.created = created;
  const updated = readDate(data.updated);
  if (updated !== undefined) fields.updated = updated;
  if (typeof data.title === 'string') fields.title = data.title;
  return fields;
}

function readDate(value: unknown): number | undefined {
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(time) && time >= 0 ? time : undefined;
}

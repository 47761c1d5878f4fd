/// File and folder names for exported notes and notebooks: readable, valid on Windows, macOS
/// and Linux, and unique without depending on the order notes are listed in.

const MAX_NAME_CHARS = 80;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
const FORBIDDEN = new Set(['/', '\\', ':', '*', '?', '"', '<', '>', '|']);

/// `title` made safe as a file or folder name (without extension): no path separators, no
/// characters Windows refuses, no control characters, no leading dot, at most 80 characters.
export function safeFileName(title: string): string {
  let name = Array.from(title, (ch) => (ch.charCodeAt(0) < 0x20 || ch === '\u007f' || FORBIDDEN.has(ch) ? ' ' : ch))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  name = Array.from(name).slice(0, MAX_NAME_CHARS).join('').replace(/[\s.]+$/, '');
  if (name === '') return 'Untitled';
  return RESERVED.test(name) ? `${name}_` : name;
}

/// Unique names for `entries`, compared without case (as macOS and Windows do): a name that
/// several entries would share gets the first 8 characters of each one's key appended, or
/// the whole key if even that collides. The result depends only on the set of entries.
export function uniqueNames(entries: readonly { readonly key: string; readonly name: string }[]): Map<string, string> {
  const byName = new Map<string, { key: string; name: string }[]>();
  for (const entry of entries) {
    const lower = entry.name.toLowerCase();
    byName.set(lower, [...(byName.get(lower) ?? []), entry]);
  }
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const [lower, group] of byName) if (group.length === 1) taken.add(lower);
  for (const group of byName.values()) {
    if (group.length === 1) {
      names.set(group[0]!.key, group[0]!.name);
      continue;
    }
    for (const { key, name } of group) {
      let unique = `${name} (${key.slice(0, 8)})`;
      if (taken.has(unique.toLowerCase()) || group.some((other) => other.key !== key && other.key.slice(0, 8) === key.slice(0, 8))) unique = `${name} (${key})`;
      taken.add(unique.toLowerCase());
      names.set(key, unique);
    }
  }
  return names;
}

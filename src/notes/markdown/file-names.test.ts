import { describe, expect, it } from 'vitest';
import { safeFileName, uniqueNames } from './file-names';

describe('file names', () => {
  it('are safe on every system', () => {
    expect(safeFileName('Plans: 2024/25 <draft>?')).toBe('Plans 2024 25 draft');
    expect(safeFileName('..hidden.  ')).toBe('hidden');
    expect(safeFileName('  \u0000\t ')).toBe('Untitled');
    expect(safeFileName('con')).toBe('con_');
    expect(Array.from(safeFileName('😀'.repeat(100)))).toHaveLength(80);
  });

  it('are unique without case, by a piece of the key, whatever the order', () => {
    const entries = [
      { key: 'aaaaaaaa-1', name: 'Notes' },
      { key: 'bbbbbbbb-2', name: 'notes' },
      { key: 'cccccccc-3', name: 'Other' },
      { key: 'dddddddd-4', name: 'Same' },
      { key: 'dddddddd-5', name: 'Same' },
    ];
    const names = uniqueNames(entries);
    expect(Object.fromEntries(names)).toEqual({
      'aaaaaaaa-1': 'Notes (aaaaaaaa)',
      'bbbbbbbb-2': 'notes (bbbbbbbb)',
      'cccccccc-3': 'Other',
      'dddddddd-4': 'Same (dddddddd-4)',
      'dddddddd-5': 'Same (dddddddd-5)',
    });
    expect(uniqueNames([...entries].reverse())).toEqual(names);
  });
});

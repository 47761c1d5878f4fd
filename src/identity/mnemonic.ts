import { entropyToMnemonic, validateMnemonic as hasValidChecksum } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { drawRandomBytes, secureRandomBytes, type RandomBytes } from './random';

/// Number of words in the recovery phrases this app creates and accepts (128-bit entropy).
export const MNEMONIC_WORD_COUNT = 12;

const ENTROPY_BYTES = 16;
const MAX_SUGGESTIONS = 5;
const MAX_SUGGESTION_DISTANCE = 2;
// BIP39 English words are unique in their first four letters.
const DISTINGUISHING_PREFIX_LENGTH = 4;

const englishWords: ReadonlySet<string> = new Set(wordlist);

/// Why a recovery phrase was rejected. `index` is 1-based, as shown to the person.
export type MnemonicError =
  | { readonly kind: 'word-count'; readonly count: number }
  | { readonly kind: 'unknown-word'; readonly index: number; readonly word: string; readonly suggestions: string[] }
  | { readonly kind: 'checksum' };

/// Result of `validateMnemonic`: the normalised words, or the first problem found.
export type MnemonicValidation =
  | { readonly ok: true; readonly words: string[] }
  | { readonly ok: false; readonly error: MnemonicError };

/// As-you-type status of one word: whether it is a complete BIP39 word, and list words starting with it.
export interface WordCheck {
  readonly isWord: boolean;
  readonly completions: string[];
}

/// Creates a new 12-word English BIP39 recovery phrase from 128 bits of entropy.
/// `random` defaults to WebCrypto; tests inject fixed entropy.
export function createMnemonic(random: RandomBytes = secureRandomBytes): string {
  return entropyToMnemonic(drawRandomBytes(random, ENTROPY_BYTES), wordlist);
}

/// Splits a typed or pasted phrase into BIP39 words: NFKD, lower case, any run of whitespace separates words.
export function normaliseMnemonicWords(text: string): string[] {
  const normalised = text.normalize('NFKD').toLowerCase().trim();
  return normalised === '' ? [] : normalised.split(/\s+/u);
}

/// Checks a recovery phrase: word count, then each word against the English list, then the BIP39 checksum.
export function validateMnemonic(text: string): MnemonicValidation {
  const words = normaliseMnemonicWords(text);
  if (words.length !== MNEMONIC_WORD_COUNT) {
    return { ok: false, error: { kind: 'word-count', count: words.length } };
  }
  for (const [position, word] of words.entries()) {
    if (!englishWords.has(word)) {
      return { ok: false, error: { kind: 'unknown-word', index: position + 1, word, suggestions: suggestWords(word) } };
    }
  }
  if (!hasValidChecksum(words.join(' '), wordlist)) {
    return { ok: false, error: { kind: 'checksum' } };
  }
  return { ok: true, words };
}

/// For as-you-type checking: is `input` a full word, and up to `limit` list words that start with it
/// (in list order, including `input` itself when it is a word). Empty input has no completions.
export function checkWord(input: string, limit = MAX_SUGGESTIONS): WordCheck {
  const prefix = input.normalize('NFKD').toLowerCase().trim();
  if (prefix === '') return { isWord: false, completions: [] };
  const completions: string[] = [];
  for (const word of wordlist) {
    if (completions.length >= limit) break;
    if (word.startsWith(prefix)) completions.push(word);
  }
  return { isWord: englishWords.has(prefix), completions };
}

/// Likely intended words for a word not in the list: those sharing its distinguishing prefix first,
/// then those within a small edit distance (catches typos and swapped letters).
function suggestWords(word: string): string[] {
  const prefix = word.slice(0, DISTINGUISHING_PREFIX_LENGTH);
  return wordlist
    .map((candidate) => ({
      candidate,
      distance: candidate.startsWith(prefix) ? 0 : boundedEditDistance(word, candidate),
    }))
    .filter(({ distance }) => distance <= MAX_SUGGESTION_DISTANCE)
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ candidate }) => candidate);
}

/// Edit distance, or `Infinity` when the lengths alone rule out a suggestion (keeps long pasted junk cheap).
function boundedEditDistance(a: string, b: string): number {
  return Math.abs(a.length - b.length) > MAX_SUGGESTION_DISTANCE ? Infinity : editDistance(a, b);
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions.
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table = new Uint16Array(rows * cols);
  const at = (i: number, j: number): number => table[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) table[i * cols] = i;
  for (let j = 0; j < cols; j++) table[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      table[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

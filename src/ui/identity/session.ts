/// The recovery words of an identity created in this tab, kept in memory only so that the
/// person can see them again (after confirming) until the tab closes. Never written down.
let words: readonly string[] | null = null;

export const recoveryWordsThisSession = {
  get: (): readonly string[] | null => words,
  set: (value: readonly string[]): void => {
    words = Object.freeze([...value]);
  },
  clear: (): void => {
    words = null;
  },
};

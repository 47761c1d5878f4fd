import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { mnemonicToSeed } from './derive';
import { checkWord, createMnemonic, validateMnemonic } from './mnemonic';

// Trezor python-mnemonic vectors.json, English, 128-bit entries: [entropy, mnemonic, seed with passphrase "TREZOR"].
const TREZOR_VECTORS: ReadonlyArray<readonly [string, string, string]> = [
  [
    '00000000000000000000000000000000',
    'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about',
    'c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04',
  ],
  [
    '7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f',
    'legal winner thank year wave sausage worth useful legal winner thank yellow',
    '2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607',
  ],
  [
    '80808080808080808080808080808080',
    'letter advice cage absurd amount doctor acoustic avoid letter advice cage above',
    'd71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8',
  ],
  [
    'ffffffffffffffffffffffffffffffff',
    'zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong',
    'ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069',
  ],
  [
    '9e885d952ad362caeb4efe34a8e91bd2',
    'ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic',
    '274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38606aa6a8595ad213d4c9c9f9aca3fb217069a41028',
  ],
  [
    'c0ba5a8e914111210f2bd131f3d5e08d',
    'scheme spot photo card baby mountain device kick cradle pact join borrow',
    'ea725895aaae8d4c1cf682c1bfd2d358d52ed9f0f0591131b559e2724bb234fca05aa9c02c57407e04ee9dc3b454aa63fbff483a8b11de949624b9f1831a9612',
  ],
  [
    '23db8160a31d3e0dca3688ed941adbf3',
    'cat swing flag economy stadium alone churn speed unique patch report train',
    'deb5f45449e615feff5640f2e49f933ff51895de3b4381832b3139941c57b59205a42480c52175b6efcffaa58a2503887c1e8b363a707256bdd2b587b46541f5',
  ],
  [
    'f30f8c1da665478f49b001d94c5fc452',
    'vessel ladder alter error federal sibling chat ability sun glass valve picture',
    '2aaa9242daafcee6aa9d7269f17d4efe271e1b9a529178d7dc139cd18747090bf9d60295d0ce74309a78852a9caadf0af48aae1c6253839624076224374bc63f',
  ],
];

const ABOUT = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('BIP39 published vectors (Trezor, passphrase "TREZOR")', () => {
  it.each(TREZOR_VECTORS)('entropy %s → mnemonic and seed', (entropy, mnemonic, seed) => {
    expect(createMnemonic(() => hexToBytes(entropy))).toBe(mnemonic);
    expect(validateMnemonic(mnemonic)).toEqual({ ok: true, words: mnemonic.split(' ') });
    expect(bytesToHex(mnemonicToSeed(mnemonic, 'TREZOR'))).toBe(seed);
  });
});

describe('createMnemonic', () => {
  it('makes 12 valid words from fresh randomness each time', () => {
    const first = createMnemonic();
    const second = createMnemonic();
    expect(first.split(' ')).toHaveLength(12);
    expect(validateMnemonic(first).ok).toBe(true);
    expect(second).not.toBe(first);
  });

  it('asks the random source for exactly 16 bytes and refuses a short read', () => {
    const requested: number[] = [];
    createMnemonic((n) => {
      requested.push(n);
      return new Uint8Array(n);
    });
    expect(requested).toEqual([16]);
    expect(() => createMnemonic(() => new Uint8Array(15))).toThrow(RangeError);
  });
});

describe('validateMnemonic', () => {
  it('normalises case, whitespace and compatibility forms (NFKD)', () => {
    const messy = `  ABANDON\tabandon\n abandon  Abandon abandon abandon abandon abandon abandon abandon ａｂａｎｄｏｎ about \n`;
    expect(validateMnemonic(messy)).toEqual({ ok: true, words: ABOUT.split(' ') });
  });

  it('reports the word count when it is not 12', () => {
    expect(validateMnemonic('')).toEqual({ ok: false, error: { kind: 'word-count', count: 0 } });
    expect(validateMnemonic(ABOUT.split(' ').slice(0, 11).join(' '))).toEqual({
      ok: false,
      error: { kind: 'word-count', count: 11 },
    });
    expect(validateMnemonic(`${ABOUT} abandon`)).toEqual({ ok: false, error: { kind: 'word-count', count: 13 } });
  });

  it('reports the first unknown word with its 1-based position and suggestions', () => {
    const words = ABOUT.split(' ');
    words[4] = 'abandn';
    words[8] = 'qqqqqq';
    const result = validateMnemonic(words.join(' '));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'unknown-word', index: 5, word: 'abandn' });
    expect(result.error.kind === 'unknown-word' && result.error.suggestions[0]).toBe('abandon');
  });

  it('suggests by edit distance when the first letters are wrong, and nothing for junk', () => {
    const typo = validateMnemonic(ABOUT.replace('about', 'xbout'));
    expect(typo.ok === false && typo.error.kind === 'unknown-word' && typo.error.suggestions).toContain('about');
    expect(typo.ok === false && typo.error).toMatchObject({ index: 12 });
    const junk = validateMnemonic(ABOUT.replace('about', 'q'.repeat(5000)));
    expect(junk.ok === false && junk.error.kind === 'unknown-word' && junk.error.suggestions).toEqual([]);
  });

  it('rejects a bad checksum', () => {
    expect(validateMnemonic(Array(12).fill('abandon').join(' '))).toEqual({ ok: false, error: { kind: 'checksum' } });
    expect(validateMnemonic(ABOUT.replace('about', 'above'))).toEqual({ ok: false, error: { kind: 'checksum' } });
  });
});

describe('checkWord', () => {
  it('completes a unique prefix', () => {
    expect(checkWord('aban')).toEqual({ isWord: false, completions: ['abandon'] });
  });

  it('knows a full word that is also a prefix of others', () => {
    const result = checkWord(' ACT');
    expect(result.isWord).toBe(true);
    expect(result.completions).toEqual(['act', 'action', 'actor', 'actress', 'actual']);
  });

  it('respects the limit and has nothing for empty or impossible input', () => {
    expect(checkWord('a', 3).completions).toEqual(['abandon', 'ability', 'able']);
    expect(checkWord('')).toEqual({ isWord: false, completions: [] });
    expect(checkWord('qx')).toEqual({ isWord: false, completions: [] });
  });
});

/// A token of the SQL subset the schema compiler reads. `start`/`end` index the source,
/// so that expressions (DEFAULT, CHECK) can be carried through verbatim.
export interface Token {
  readonly kind: 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'blob';
  /// For words: upper-cased; for quoted identifiers: unquoted; otherwise the raw text.
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

const WORD_START = /[A-Za-z_\u0080-\uFFFF]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const CLOSING_QUOTE: Record<string, string> = { '"': '"', '`': '`', '[': ']' };

/// Splits SQL into tokens, dropping whitespace and comments.
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) throw new SqlSyntaxError('unterminated comment', i);
      i = close + 2;
    } else if ((c === 'x' || c === 'X') && sql[i + 1] === "'") {
      const end = readQuoted(sql, i + 1, "'");
      tokens.push({ kind: 'blob', value: sql.slice(i, end), start: i, end });
      i = end;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', value: sql.slice(i, j).toUpperCase(), start: i, end: j });
      i = j;
    } else if (c in CLOSING_QUOTE) {
      const close = CLOSING_QUOTE[c]!;
      const end = readQuoted(sql, i, close);
      const inner = sql.slice(i + 1, end - 1).split(close + close).join(close);
      tokens.push({ kind: 'quoted', value: inner, start: i, end });
      i = end;
    } else if (c === "'") {
      const end = readQuoted(sql, i, "'");
      tokens.push({ kind: 'string', value: sql.slice(i, end), start: i, end });
      i = end;
    } else if (/[0-9.]/.test(c) && /[0-9]/.test(c === '.' ? (sql[i + 1] ?? '') : c)) {
      const m = /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(sql.slice(i));
      const text = m![0];
      tokens.push({ kind: 'number', value: text, start: i, end: i + text.length });
      i += text.length;
    } else {
      const two = sql.slice(i, i + 2);
      const len = ['<=', '>=', '<>', '!=', '==', '||', '<<', '>>'].includes(two) ? 2 : 1;
      tokens.push({ kind: 'punct', value: sql.slice(i, i + len), start: i, end: i + len });
      i += len;
    }
  }
  return tokens;
}

function readQuoted(sql: string, open: number, close: string): number {
  let j = open + 1;
  for (;;) {
    const k = sql.indexOf(close, j);
    if (k < 0) throw new SqlSyntaxError('unterminated quoted text', open);
    if (sql[k + 1] === close && close !== ']') {
      j = k + 2;
      continue;
    }
    return k + 1;
  }
}

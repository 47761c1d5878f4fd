import { SqlSyntaxError, tokenize, type Token } from './tokens';

/// A column as written, before sync semantics are applied.
export interface ParsedColumn {
  readonly name: string;
  /// The declared type as written (words joined by one space, size arguments dropped), or '' when absent.
  readonly declaredType: string;
  readonly primaryKey: boolean;
  readonly autoincrement: boolean;
  readonly notNull: boolean;
  readonly unique: boolean;
  readonly references: boolean;
  readonly generated: boolean;
  /// SQL source of the DEFAULT value, verbatim.
  readonly defaultSql: string | null;
  readonly collate: string | null;
  readonly checks: readonly string[];
}

export interface ParsedTable {
  readonly name: string;
  readonly columns: readonly ParsedColumn[];
  /// Columns of a table-level PRIMARY KEY (...) clause, if any.
  readonly tablePrimaryKey: readonly string[] | null;
  readonly tableUnique: boolean;
  readonly tableForeignKey: boolean;
  readonly tableChecks: readonly string[];
  readonly strict: boolean;
  readonly withoutRowid: boolean;
  readonly temporary: boolean;
}

/// Reads every CREATE TABLE statement in `sql`. Anything else is a syntax error: the
/// schema is a declaration of tables, not a migration script.
export function parseCreateTables(sql: string): ParsedTable[] {
  return new Parser(sql).statements();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  statements(): ParsedTable[] {
    const tables: ParsedTable[] = [];
    while (this.pos < this.tokens.length) {
      if (this.acceptPunct(';')) continue;
      tables.push(this.createTable());
    }
    return tables;
  }

  private createTable(): ParsedTable {
    this.expectWord('CREATE');
    const temporary = this.acceptWord('TEMP') || this.acceptWord('TEMPORARY');
    this.expectWord('TABLE');
    if (this.acceptWord('IF')) {
      this.expectWord('NOT');
      this.expectWord('EXISTS');
    }
    let name = this.identifier('table name');
    if (this.acceptPunct('.')) name = this.identifier('table name');
    if (this.peekWord('AS')) this.fail('CREATE TABLE ... AS SELECT cannot declare sync types');
    this.expectPunct('(');

    const columns: ParsedColumn[] = [];
    let tablePrimaryKey: string[] | null = null;
    let tableUnique = false;
    let tableForeignKey = false;
    const tableChecks: string[] = [];
    do {
      if (this.acceptWord('CONSTRAINT')) this.identifier('constraint name');
      if (this.acceptWord('PRIMARY')) {
        this.expectWord('KEY');
        tablePrimaryKey = this.columnList();
        this.conflictClause();
      } else if (this.acceptWord('UNIQUE')) {
        this.columnList();
        this.conflictClause();
        tableUnique = true;
      } else if (this.acceptWord('CHECK')) {
        tableChecks.push(this.parenthesised());
      } else if (this.acceptWord('FOREIGN')) {
        this.expectWord('KEY');
        this.columnList();
        this.foreignKeyClause();
        tableForeignKey = true;
      } else {
        columns.push(this.column());
      }
    } while (this.acceptPunct(','));
    this.expectPunct(')');

    let strict = false;
    let withoutRowid = false;
    do {
      if (this.acceptWord('STRICT')) strict = true;
      else if (this.acceptWord('WITHOUT')) {
        this.expectWord('ROWID');
        withoutRowid = true;
      }
    } while (this.acceptPunct(','));
    if (this.pos < this.tokens.length && !this.acceptPunct(';')) this.fail('expected ; after CREATE TABLE');

    return {
      name,
      columns,
      tablePrimaryKey,
      tableUnique,
      tableForeignKey,
      tableChecks,
      strict,
      withoutRowid,
      temporary,
    };
  }

  private column(): ParsedColumn {
    const name = this.identifier('column name');
    const typeWords: string[] = [];
    while (this.peek()?.kind === 'word' && !CONSTRAINT_START.has(this.peek()!.value)) {
      typeWords.push(this.next().value);
    }
    if (typeWords.length > 0 && this.peekPunct('(')) this.parenthesised(); // VARCHAR(20)

    let primaryKey = false;
    let autoincrement = false;
    let notNull = false;
    let unique = false;
    let references = false;
    let generated = false;
    let defaultSql: string | null = null;
    let collate: string | null = null;
    const checks: string[] = [];
    for (;;) {
      if (this.acceptWord('CONSTRAINT')) this.identifier('constraint name');
      if (this.acceptWord('PRIMARY')) {
        this.expectWord('KEY');
        if (!this.acceptWord('ASC')) this.acceptWord('DESC');
        this.conflictClause();
        primaryKey = true;
        if (this.acceptWord('AUTOINCREMENT')) autoincrement = true;
      } else if (this.acceptWord('NOT')) {
        this.expectWord('NULL');
        this.conflictClause();
        notNull = true;
      } else if (this.acceptWord('NULL')) {
        // explicit nullability: nothing to record
      } else if (this.acceptWord('UNIQUE')) {
        this.conflictClause();
        unique = true;
      } else if (this.acceptWord('CHECK')) {
        checks.push(this.parenthesised());
      } else if (this.acceptWord('DEFAULT')) {
        defaultSql = this.defaultValue();
      } else if (this.acceptWord('COLLATE')) {
        collate = this.identifier('collation name');
      } else if (this.peekWord('REFERENCES')) {
        this.foreignKeyClause();
        references = true;
      } else if (this.acceptWord('GENERATED')) {
        this.expectWord('ALWAYS');
        this.expectWord('AS');
        this.parenthesised();
        if (!this.acceptWord('STORED')) this.acceptWord('VIRTUAL');
        generated = true;
      } else if (this.acceptWord('AS')) {
        this.parenthesised();
        if (!this.acceptWord('STORED')) this.acceptWord('VIRTUAL');
        generated = true;
      } else {
        break;
      }
    }
    return {
      name,
      declaredType: typeWords.join(' '),
      primaryKey,
      autoincrement,
      notNull,
      unique,
      references,
      generated,
      defaultSql,
      collate,
      checks,
    };
  }

  private defaultValue(): string {
    if (this.peekPunct('(')) return this.parenthesised();
    const first = this.next();
    if (first.kind === 'punct' && (first.value === '-' || first.value === '+')) {
      const num = this.next();
      if (num.kind !== 'number') this.fail('expected a number after the sign in DEFAULT', num);
      return this.source.slice(first.start, num.end);
    }
    if (first.kind === 'punct') this.fail('expected a value after DEFAULT', first);
    return this.source.slice(first.start, first.end);
  }

  private foreignKeyClause(): void {
    this.expectWord('REFERENCES');
    this.identifier('referenced table');
    if (this.peekPunct('(')) this.columnList();
    // ON DELETE ..., MATCH ..., DEFERRABLE ...: skipped up to the next , or )
    while (this.peek() && !this.peekPunct(',') && !this.peekPunct(')')) {
      if (this.peekPunct('(')) this.parenthesised();
      else this.next();
    }
  }

  private conflictClause(): void {
    if (this.acceptWord('ON')) {
      this.expectWord('CONFLICT');
      this.next();
    }
  }

  private columnList(): string[] {
    this.expectPunct('(');
    const names: string[] = [];
    do {
      names.push(this.identifier('column name'));
      if (this.acceptWord('COLLATE')) this.identifier('collation name');
      if (!this.acceptWord('ASC')) this.acceptWord('DESC');
    } while (this.acceptPunct(','));
    this.expectPunct(')');
    return names;
  }

  /// Returns the source text of a balanced parenthesised group, parentheses included.
  private parenthesised(): string {
    const open = this.expectPunct('(');
    let depth = 1;
    for (;;) {
      const t = this.next();
      if (t.kind === 'punct' && t.value === '(') depth++;
      if (t.kind === 'punct' && t.value === ')' && --depth === 0) return this.source.slice(open.start, t.end);
    }
  }

  private identifier(what: string): string {
    const t = this.peek();
    if (t && (t.kind === 'quoted' || (t.kind === 'word' && !RESERVED.has(t.value)))) {
      this.pos++;
      return t.kind === 'quoted' ? t.value : this.source.slice(t.start, t.end);
    }
    if (t && t.kind === 'string') {
      // SQLite accepts 'name' as an identifier in a few places; so do we.
      this.pos++;
      return t.value.slice(1, -1).split("''").join("'");
    }
    return this.fail(`expected ${what}`, t);
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const t = this.tokens[this.pos];
    if (!t) return this.fail('unexpected end of SQL');
    this.pos++;
    return t;
  }
  private peekWord(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'word' && t.value === word;
  }
  private peekPunct(p: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.value === p;
  }
  private acceptWord(word: string): boolean {
    if (!this.peekWord(word)) return false;
    this.pos++;
    return true;
  }
  private acceptPunct(p: string): boolean {
    if (!this.peekPunct(p)) return false;
    this.pos++;
    return true;
  }
  private expectWord(word: string): Token {
    if (!this.peekWord(word)) this.fail(`expected ${word}`);
    return this.next();
  }
  private expectPunct(p: string): Token {
    if (!this.peekPunct(p)) this.fail(`expected '${p}'`);
    return this.next();
  }
  private fail(message: string, at: Token | undefined = this.peek()): never {
    const offset = at?.start ?? this.source.length;
    const near = at ? ` near '${this.source.slice(at.start, at.end)}'` : ' at end of input';
    throw new SqlSyntaxError(`${message}${near}`, offset);
  }
}

const CONSTRAINT_START = new Set([
  'CONSTRAINT', 'PRIMARY', 'NOT', 'NULL', 'UNIQUE', 'CHECK', 'DEFAULT', 'COLLATE',
  'REFERENCES', 'GENERATED', 'AS',
]);

const RESERVED = new Set([
  'CREATE', 'TABLE', 'PRIMARY', 'KEY', 'NOT', 'NULL', 'UNIQUE', 'CHECK', 'DEFAULT',
  'REFERENCES', 'CONSTRAINT', 'FOREIGN', 'COLLATE',
]);

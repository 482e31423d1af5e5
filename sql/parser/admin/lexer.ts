/**
 * The tokens of the admin grammar: words (keywords and identifiers, unquoted ones lower-cased as
 * PostgreSQL folds them), "quoted identifiers", integers and single punctuation characters.
 * Value expressions (the rows of SPLIT AT VALUES, a cluster setting's value) are not tokenized
 * here: the grammar hands their text to PostgreSQL's parser.
 */
import { SqlSyntaxError } from '../errors.js';

export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean; readonly start: number }
  | { readonly kind: 'integer'; readonly text: string; readonly start: number }
  | { readonly kind: 'punct'; readonly text: string; readonly start: number }
  | { readonly kind: 'end'; readonly text: ''; readonly start: number };

/** A cursor over the tokens of `sql[start, end)`; offsets are character offsets into `sql`. */
export class Lexer {
  private position: number;

  constructor(
    private readonly sql: string,
    start: number,
    private readonly end: number,
  ) {
    this.position = start;
  }

  /** The character offset where the next token starts (after whitespace and comments). */
  offset(): number {
    this.skipSpace();
    return this.position;
  }

  peek(): Token {
    const saved = this.position;
    const token = this.next();
    this.position = saved;
    return token;
  }

  next(): Token {
    this.skipSpace();
    const start = this.position;
    if (start >= this.end) return { kind: 'end', text: '', start };
    const rest = this.sql.slice(start, this.end);
    const word = /^[A-Za-z_\u0080-\uffff][A-Za-z_0-9$\u0080-\uffff]*/.exec(rest);
    if (word !== null) {
      this.position += word[0].length;
      return { kind: 'word', text: word[0].toLowerCase(), quoted: false, start };
    }
    const integer = /^\d+/.exec(rest);
    if (integer !== null) {
      this.position += integer[0].length;
      return { kind: 'integer', text: integer[0], start };
    }
    if (rest[0] === '"') return this.quotedIdentifier(start);
    this.position++;
    return { kind: 'punct', text: rest[0]!, start };
  }

  private quotedIdentifier(start: number): Token {
    let i = start + 1;
    let text = '';
    while (i < this.end) {
      const c = this.sql[i]!;
      if (c === '"' && this.sql[i + 1] === '"') {
        text += '"';
        i += 2;
      } else if (c === '"') {
        this.position = i + 1;
        return { kind: 'word', text, quoted: true, start };
      } else {
        text += c;
        i++;
      }
    }
    throw new SqlSyntaxError(`unterminated quoted identifier at or near "${this.sql.slice(start, this.end)}"`, start + 1);
  }

  private skipSpace(): void {
    while (this.position < this.end) {
      const c = this.sql[this.position]!;
      if (/\s/.test(c)) this.position++;
      else if (this.sql.startsWith('--', this.position)) {
        const newline = this.sql.indexOf('\n', this.position);
        this.position = newline === -1 || newline > this.end ? this.end : newline + 1;
      } else if (this.sql.startsWith('/*', this.position)) {
        const close = this.sql.indexOf('*/', this.position + 2);
        this.position = close === -1 || close > this.end ? this.end : close + 2;
      } else return;
    }
  }
}

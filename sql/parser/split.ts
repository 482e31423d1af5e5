/**
 * Splits a query string into statements at top-level semicolons, skipping over string
 * constants ('…', E'…', $tag$…$tag$), quoted identifiers and comments (line and nested block comments).
 * Only strings that may hold an admin statement take this path; everything else goes to
 * PostgreSQL's parser whole, which splits by itself.
 */
export interface Piece {
  /** Character offsets into the string: `[start, end)`, the `;` excluded. */
  readonly start: number;
  readonly end: number;
}

export function splitStatements(sql: string): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === ';') {
      pieces.push({ start, end: i });
      start = ++i;
    } else {
      i = skipToken(sql, i);
    }
  }
  pieces.push({ start, end: sql.length });
  return pieces.filter((piece) => !isBlank(sql.slice(piece.start, piece.end)));
}

/** Returns the index just past the token (or character) at `i`: a comment, string constant or quoted identifier whole. */
export function skipToken(sql: string, i: number): number {
  const c = sql[i]!;
  const next = sql[i + 1];
  if (c === '-' && next === '-') return lineEnd(sql, i);
  if (c === '/' && next === '*') return blockCommentEnd(sql, i);
  if (c === "'") return quotedEnd(sql, i, "'", isEscapeString(sql, i));
  if (c === '"') return quotedEnd(sql, i, '"', false);
  if (c === '$') return dollarQuotedEnd(sql, i);
  return i + 1;
}

/** The index just past the line comment that opens at `i` (its newline included), or the end of `sql`. */
export function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end === -1 ? sql.length : end + 1;
}

/** The index just past the (nested) block comment that opens at `i`, or the end of `sql`. */
export function blockCommentEnd(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** `E'…'`: the quote follows an `E` that is not part of a longer identifier. */
function isEscapeString(sql: string, quote: number): boolean {
  const before = sql[quote - 1];
  if (before !== 'e' && before !== 'E') return false;
  const beforeThat = sql[quote - 2];
  return beforeThat === undefined || !/[\w$]/.test(beforeThat);
}

function quotedEnd(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

function dollarQuotedEnd(sql: string, i: number): number {
  const match = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i, i + 64));
  if (match === null || (i > 0 && /[\w$]/.test(sql[i - 1]!))) return i + 1; // $1, or part of an identifier
  const tag = match[0];
  const end = sql.indexOf(tag, i + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}

/** True when the text holds only whitespace and comments. */
export function isBlank(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (text.startsWith('--', i)) i = lineEnd(text, i);
    else if (text.startsWith('/*', i)) i = blockCommentEnd(text, i);
    else return false;
  }
  return true;
}

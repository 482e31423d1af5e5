/**
 * CockroachDB's `AS OF SYSTEM TIME <expr>` clause, taken out of the text before PostgreSQL's
 * grammar (libpg-query), which has no such clause, sees it.
 *
 * Where it may stand (CockroachDB's grammar): at the end of a SELECT's FROM clause
 * (`SELECT … FROM t AS OF SYSTEM TIME '-10s' WHERE …`), after `BEGIN` / `START TRANSACTION`, and
 * after `SET TRANSACTION`. It fixes the timestamp of the whole statement (or transaction): one
 * MVCC snapshot, so it belongs to the top-level statement only — inside parentheses (a subquery,
 * a CTE, a parenthesized arm of a set operation) it is CockroachDB's 42601 "AS OF SYSTEM TIME
 * must be provided on a top-level statement", and a statement takes it once.
 *
 * The scan is tokenizer-aware: string constants (`'…'`, `E'…'`, `$tag$…$tag$`), quoted
 * identifiers and comments are skipped whole (split.ts `skipToken`), so `'as of system time'`,
 * `"system"` or a comment never match. The clause is the four words followed by an expression
 * that runs, at its own parenthesis depth, up to the first word that may follow a FROM clause or
 * a transaction mode (`WHERE`, `GROUP`, `ORDER`, `LIMIT`, `UNION`, `ISOLATION`, `READ`, …), a
 * comma, a `;`, a closing parenthesis or the end.
 *
 * The clause's characters are then replaced by spaces of the same UTF-8 length (newlines kept),
 * so every byte offset after it — and so every error position — still points into the user's
 * text. `SET TRANSACTION AS OF SYSTEM TIME x` alone would leave `SET TRANSACTION` with no mode,
 * which PostgreSQL's grammar refuses: there the clause becomes `READ WRITE` padded with spaces
 * (no wider: the four words alone are 17 characters), and the caller drops that mode again
 * (`filler`).
 */
import { SqlSyntaxError } from './errors.js';
import { lineEnd, blockCommentEnd, skipToken, splitStatements } from './split.js';

/** One clause found: byte offsets into the text (the same in the original and the rewritten text). */
export interface AsOfClauseText {
  /** `[start, end)` of the statement (the piece between `;`s) that holds the clause. */
  readonly statementStart: number;
  readonly statementEnd: number;
  /** Byte offset of `AS`. */
  readonly start: number;
  /** The expression's text, and its byte offset. */
  readonly exprText: string;
  readonly exprStart: number;
  /** Whether the clause was replaced by `READ WRITE` (a SET TRANSACTION with no other mode). */
  readonly filler: boolean;
}

export interface AsOfRewrite {
  readonly text: string;
  readonly clauses: readonly AsOfClauseText[];
}

interface Token {
  readonly start: number;
  readonly end: number;
  /** The word, lower-cased (identifiers and keywords); null for anything else. */
  readonly word: string | null;
  /** The first character (punctuation, a quote, a digit). */
  readonly char: string;
  /** Parenthesis depth before the token. */
  readonly depth: number;
}

const mayHoldClause = /\bsystem\b/i;
const clauseWords = ['as', 'of', 'system', 'time'] as const;

/**
 * Words that end the clause's expression at its own depth: what may follow a FROM clause, a
 * transaction mode, or end the statement.
 */
const stopWords: ReadonlySet<string> = new Set([
  'where', 'group', 'having', 'window', 'order', 'limit', 'offset', 'fetch', 'for', 'union', 'intersect', 'except', 'returning',
  'isolation', 'read', 'not', 'deferrable', 'priority', 'on', 'join', 'inner', 'left', 'right', 'full', 'cross', 'natural',
]);

const wordStart = /[A-Za-z_\u0080-\uffff]/;
const wordPart = /[\w$\u0080-\uffff]/;

/**
 * Takes the AS OF SYSTEM TIME clauses out of `sql` (null when it holds none: the common case
 * costs one regular expression test). Throws `SqlSyntaxError` for a clause that is not at the top
 * level, given twice in one statement, or without an expression.
 */
export function rewriteAsOf(sql: string): AsOfRewrite | null {
  if (!mayHoldClause.test(sql)) return null;
  let text = sql;
  const clauses: AsOfClauseText[] = [];
  for (const piece of splitStatements(sql)) {
    const tokens = tokenize(sql, piece.start, piece.end);
    let found: { start: number; exprStart: number; exprEnd: number } | undefined;
    for (let k = 0; k + clauseWords.length <= tokens.length; k++) {
      if (!clauseWords.every((word, i) => tokens[k + i]!.word === word)) continue;
      const as = tokens[k]!;
      const position = as.start + 1; // PostgreSQL's 1-based character position
      if (as.depth > 0) throw new SqlSyntaxError('AS OF SYSTEM TIME must be provided on a top-level statement', position);
      if (found !== undefined) throw new SqlSyntaxError('AS OF SYSTEM TIME may be given only once in a statement', position);
      const exprEnd = expressionEnd(tokens, k + clauseWords.length);
      if (exprEnd === k + clauseWords.length) throw new SqlSyntaxError('AS OF SYSTEM TIME needs a timestamp expression', position);
      found = { start: as.start, exprStart: tokens[k + clauseWords.length]!.start, exprEnd: tokens[exprEnd - 1]!.end };
      k = exprEnd - 1;
    }
    if (found === undefined) continue;
    // Among transaction modes the clause is one of a comma-separated list: its comma goes with it.
    const { start, end } = withSeparator(tokens, found.start, found.exprEnd);
    const filler = isBareSetTransaction(tokens, start, end);
    const replacement = filler ? `READ WRITE${blank(sql.slice(found.start + 10, end))}` : blank(sql.slice(start, end));
    text = `${text.slice(0, start)}${replacement}${text.slice(end)}`;
    clauses.push({
      statementStart: byteOffset(sql, piece.start),
      statementEnd: byteOffset(sql, piece.end),
      start: byteOffset(sql, found.start),
      exprText: sql.slice(found.exprStart, found.exprEnd),
      exprStart: byteOffset(sql, found.exprStart),
      filler,
    });
  }
  return clauses.length === 0 ? null : { text, clauses };
}

/**
 * The SQL text that parses as `SELECT <expr>` with the expression at its own byte offset: what
 * comes before it blanked, the first six bytes `SELECT` (the clause's four words alone are wider).
 */
export function expressionQuery(sql: string, clause: AsOfClauseText): string {
  const before = Buffer.from(sql, 'utf8').subarray(0, clause.exprStart).toString('utf8');
  return `SELECT${blank(before).slice(6)}${clause.exprText}`;
}

/** Index (into `tokens`) just past the expression that starts at `from`. */
function expressionEnd(tokens: readonly Token[], from: number): number {
  let open = 0; // parentheses opened inside the expression
  let k = from;
  for (; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.char === '(') {
      open++;
    } else if (token.char === ')') {
      if (open === 0) break; // closes what the clause stands in
      open--;
    } else if (open === 0 && (token.char === ',' || token.char === ';' || (token.word !== null && stopWords.has(token.word)))) {
      break;
    }
  }
  return k;
}

/** The clause's range widened by the comma after it, or else by one right before it (`BEGIN ISOLATION LEVEL SERIALIZABLE, AS OF …`). */
function withSeparator(tokens: readonly Token[], start: number, end: number): { start: number; end: number } {
  const after = tokens.find((token) => token.start >= end);
  if (after?.char === ',') return { start, end: after.end };
  const before = tokens.filter((token) => token.end <= start).at(-1);
  if (before?.char === ',') return { start: before.start, end };
  return { start, end };
}

/** `SET TRANSACTION <the clause>` with nothing else: PostgreSQL's grammar needs a mode there. */
function isBareSetTransaction(tokens: readonly Token[], clauseStart: number, clauseEnd: number): boolean {
  const others = tokens.filter((token) => token.start < clauseStart || token.start >= clauseEnd);
  return others.length === 2 && others[0]!.word === 'set' && others[1]!.word === 'transaction';
}

/** The tokens of `sql[start, end)`: words, and single characters for the rest; comments and whitespace skipped. */
function tokenize(sql: string, start: number, end: number): Token[] {
  const tokens: Token[] = [];
  let depth = 0;
  let i = start;
  while (i < end) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      i = lineEnd(sql, i);
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      i = blockCommentEnd(sql, i);
      continue;
    }
    let next: number;
    if (wordStart.test(c)) {
      next = i + 1;
      while (next < end && wordPart.test(sql[next]!)) next++;
      // E'…', B'…', X'…', U&'…': the prefix is a word, the constant its own token.
    } else {
      next = Math.min(Math.max(skipToken(sql, i), i + 1), end);
    }
    const word = wordStart.test(c) ? sql.slice(i, next).toLowerCase() : null;
    if (c === ')') depth = Math.max(0, depth - 1);
    tokens.push({ start: i, end: next, word, char: c, depth });
    if (c === '(') depth++;
    i = next;
  }
  return tokens;
}

/** Spaces of the same UTF-8 length (byte offsets of what follows stay put), newlines kept. */
function blank(text: string): string {
  return text.replace(/[^\n]/g, (c) => ' '.repeat(Buffer.byteLength(c, 'utf8')));
}

function byteOffset(sql: string, index: number): number {
  return Buffer.byteLength(sql.slice(0, index), 'utf8');
}

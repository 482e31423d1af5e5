/**
 * Pre-parse rewrites of CockroachDB statements that PostgreSQL's grammar (libpg-query) rejects.
 *
 * `UPSERT INTO t [(cols)] VALUES … | SELECT …` is CockroachDB's shorthand for an INSERT that, on a
 * primary-key conflict, overwrites the given columns of the existing row. It is rewritten here to
 * `INSERT` — the keyword has the same length, so every byte offset after it, and so every error
 * position, still points into the user's own text — and the statement is marked; the executor
 * then adds the `ON CONFLICT (primary key) DO UPDATE SET c = excluded.c` for the given columns,
 * since only it knows the table's primary key.
 *
 * The rewrite is tokenizer-aware: a statement is an UPSERT only when its first token (after
 * whitespace and comments) is the keyword `UPSERT`; the word inside a string constant, a quoted
 * identifier (`"upsert"`), a comment or later in a statement is left alone.
 *
 * CockroachDB's `AS OF SYSTEM TIME` is the other pre-parse rewrite: as-of-clause.ts blanks the
 * clause out (same byte length) and the statement carries it (`Statement.asOf`).
 */
import { blockCommentEnd, lineEnd, splitStatements } from './split.js';

/** A query string with its UPSERT keywords rewritten, and the byte ranges of the statements that were UPSERTs. */
export interface Rewritten {
  readonly text: string;
  /** `[start, end)` byte offsets of each UPSERT statement in the text. */
  readonly upserts: readonly { readonly start: number; readonly end: number }[];
}

const mayHoldUpsert = /\bupsert\b/i;

/** Rewrites the UPSERT statements of `sql` (null when it holds none: the common case costs one regular expression test). */
export function rewriteUpserts(sql: string): Rewritten | null {
  if (!mayHoldUpsert.test(sql)) return null;
  let text = sql;
  const upserts: { start: number; end: number }[] = [];
  for (const piece of splitStatements(sql)) {
    const first = firstToken(sql, piece.start, piece.end);
    if (first === -1 || !/^upsert(?![\w$])/i.test(sql.slice(first, piece.end))) continue;
    text = `${text.slice(0, first)}INSERT${text.slice(first + 6)}`;
    upserts.push({ start: Buffer.byteLength(sql.slice(0, piece.start), 'utf8'), end: Buffer.byteLength(sql.slice(0, piece.end), 'utf8') });
  }
  return upserts.length === 0 ? null : { text, upserts };
}

/** The index of the first character of `sql[start, end)` outside whitespace and comments, or -1. */
function firstToken(sql: string, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = sql[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '-' && sql[i + 1] === '-') i = lineEnd(sql, i);
    else if (c === '/' && sql[i + 1] === '*') i = blockCommentEnd(sql, i);
    else return i;
  }
  return -1;
}

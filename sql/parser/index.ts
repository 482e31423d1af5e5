/**
 * # sql/parser — SQL text in, our AST out
 *
 * rangedb parses SQL with PostgreSQL's own grammar: `libpg-query` is PostgreSQL 16's `gram.y` and
 * `scan.l` compiled to WebAssembly, so psql's catalog queries, driver introspection, `COPY`,
 * `FOR UPDATE NOWAIT` and every corner of the syntax parse exactly as PostgreSQL parses them, and
 * a syntax error carries PostgreSQL's message and position. Its JSON parse tree is translated once
 * into our own readonly, `kind`-tagged AST (`ast.ts`); nothing above this folder sees PostgreSQL's
 * node shapes, and nothing but `pg.ts` imports libpg-query.
 *
 *     sql ──► may hold an admin statement? ──no──► libpg-query (pg.ts) ──► translate.ts ──► Statement[]
 *                         │ yes                           ▲
 *                         ▼                               │ the other statements, admin ones blanked
 *                 split.ts: statements ──► admin/grammar.ts ──► admin Statement
 *                                               └ VALUES rows, setting values ─► libpg-query
 *
 * - **Admin statements** (`ALTER TABLE … SPLIT AT`, `ALTER RANGE … RELOCATE`, `SHOW RANGES`,
 *   `SET CLUSTER SETTING`, …: CockroachDB's syntax, which PostgreSQL's grammar rejects) have a
 *   small recursive-descent grammar in `admin/`, tried first on statements starting with their
 *   keywords. Their value expressions are parsed by libpg-query too.
 * - **CockroachDB's own syntax** in PostgreSQL statements is rewritten before the grammar sees
 *   it, keeping every byte offset: `UPSERT` becomes `INSERT` (rewrite.ts) and `AS OF SYSTEM TIME
 *   <expr>` is blanked out and carried on its statement as `asOf` (as-of-clause.ts).
 * - **Unsupported** constructs raise `FeatureNotSupportedError` (0A000) naming the feature;
 *   nothing is dropped silently. **Syntax errors** raise `SqlSyntaxError` (42601), the grammar's
 *   window frame checks `GrammarCheckError` (42P20).
 * - **Locations** in the AST are byte offsets into the string; error positions are PostgreSQL's
 *   1-based character positions.
 *
 * Lifecycle: `await loadParser()` once at startup (WebAssembly compiles asynchronously); after it,
 * `parse` is synchronous — the per-statement path never awaits.
 *
 * Cost (`npm run bench -- parser`): PostgreSQL's grammar in WebAssembly and the JSON it returns
 * dominate — `JSON.parse` of the tree is about half of libpg-query's time — and our translation
 * adds about 15%. Sessions should parse a prepared statement once, not per execution.
 */
import { defined } from '../../src/base/assert.js';
import type * as ast from './ast.js';
import { parseAdmin } from './admin/grammar.js';
import { expressionQuery, rewriteAsOf, type AsOfClauseText } from './as-of-clause.js';
import { SqlSyntaxError, StatementTooComplexError } from './errors.js';
import { parsePg } from './pg.js';
import { Source } from './source.js';
import { rewriteUpserts } from './rewrite.js';
import { splitStatements } from './split.js';
import { translateStatement } from './translate.js';

export type * from './ast.js';
export { FeatureNotSupportedError, GrammarCheckError, SqlSyntaxError, StatementTooComplexError } from './errors.js';
export { loadPgParser as loadParser, pgParserLoaded as parserLoaded } from './pg.js';

/** Words that begin or distinguish an admin statement; text without them skips the admin path. */
const adminWords = /\b(?:split|unsplit|scatter|range|ranges|cluster)\b/i;

/**
 * Parses a query string (zero or more statements separated by `;`) into statements, each with
 * its trimmed source text and location. Throws `SqlSyntaxError`, `FeatureNotSupportedError` or
 * `StatementTooComplexError`; an empty string (or only comments) yields `[]`. Requires
 * `loadParser()` to have finished.
 */
export function parse(sql: string): ast.Statement[] {
  try {
    return parseStatements(sql);
  } catch (error: unknown) {
    // Translation (and JSON.parse) recurse once per nesting level; input nested deeply enough to
    // exhaust the stack is the client's, and nothing was changed, so it is an ordinary error.
    if (error instanceof RangeError && /call stack/i.test(error.message)) throw new StatementTooComplexError();
    throw error;
  }
}

function parseStatements(original: string): ast.Statement[] {
  // CockroachDB's UPSERT becomes an INSERT of the same length (rewrite.ts), marked below; the
  // statements' text and the error positions stay the user's.
  const rewritten = rewriteUpserts(original);
  // CockroachDB's AS OF SYSTEM TIME is blanked out (as-of-clause.ts) and carried on its statement.
  const asOf = rewriteAsOf(rewritten?.text ?? original);
  const text = asOf?.text ?? rewritten?.text ?? original;
  const source = new Source(original);
  let statements = parseRewritten(text, source);
  if (rewritten !== null) {
    statements = statements.map((statement) =>
      statement.kind === 'Insert' && rewritten.upserts.some((range) => statement.location >= range.start && statement.location < range.end) ? { ...statement, upsert: true } : statement,
    );
  }
  return asOf === null ? statements : statements.map((statement) => withAsOf(statement, original, asOf.clauses, source));
}

/** `statement` with the AS OF SYSTEM TIME clause of its text, if it has one (its expression parsed on its own). */
function withAsOf(statement: ast.Statement, original: string, clauses: readonly AsOfClauseText[], source: Source): ast.Statement {
  const clause = clauses.find((c) => statement.location >= c.statementStart && statement.location < c.statementEnd);
  if (clause === undefined) return statement;
  const [raw, ...rest] = parsePg(expressionQuery(original, clause));
  const query = translateStatement(defined(raw?.stmt, 'the clause expression'), clause.exprStart, clause.exprText, source);
  const target = query.kind === 'QueryStatement' && query.query.kind === 'Select' ? query.query.targets : [];
  if (rest.length > 0 || target.length !== 1 || target[0]!.expr.kind === 'Star') {
    throw new SqlSyntaxError('AS OF SYSTEM TIME takes one expression', source.position(clause.exprStart));
  }
  const expr = target[0]!.expr;
  const asOf: ast.AsOfClause = { expr, location: clause.start };
  // SET TRANSACTION's only mode was the clause: the READ WRITE put in its place was not the user's.
  if (clause.filler && statement.kind === 'SetTransaction') return { ...statement, readOnly: null, asOf };
  // PREPARE p AS SELECT … AS OF SYSTEM TIME …: the clause is the prepared query's, for EXECUTE.
  if (statement.kind === 'Prepare') return { ...statement, statement: { ...statement.statement, asOf } };
  return { ...statement, asOf };
}

function parseRewritten(sql: string, source: Source): ast.Statement[] {
  if (!adminWords.test(sql)) return parseWithPostgres(sql, source);
  const admin: ast.Statement[] = [];
  const parts: string[] = [];
  let cursor = 0;
  for (const piece of splitStatements(sql)) {
    const statement = parseAdmin(source, piece.start, piece.end);
    if (statement === null) continue;
    admin.push(statement);
    parts.push(sql.slice(cursor, piece.start), blank(sql.slice(piece.start, piece.end)));
    cursor = piece.end;
  }
  if (admin.length === 0) return parseWithPostgres(sql, source);
  parts.push(sql.slice(cursor));
  const others = parseWithPostgres(parts.join(''), source);
  return [...admin, ...others].sort((a, b) => a.location - b.location);
}

/** Spaces of the same UTF-8 length (byte offsets of what follows stay put), newlines kept. */
function blank(text: string): string {
  return text.replace(/[^\n]/g, (c) => ' '.repeat(Buffer.byteLength(c, 'utf8')));
}

/** Parses `text` (the source, or the source with admin statements blanked) with PostgreSQL's grammar. */
function parseWithPostgres(text: string, source: Source): ast.Statement[] {
  return parsePg(text).map((raw) => {
    const start = raw.stmt_location ?? 0;
    const length = raw.stmt_len ?? 0; // 0: to the end of the string
    const rawText = source.slice(start, length === 0 ? source.byteLength : start + length);
    const leading = rawText.length - rawText.trimStart().length; // whitespace is ASCII: bytes = chars
    const statementText = rawText.trim();
    return translateStatement(defined(raw.stmt, 'a raw statement'), start + leading, statementText, source);
  });
}

/**
 * The adapter around libpg-query, the only file that imports it (STYLE.md habit 14; the lint rule
 * `libpg-query-only-in-sql-parser`). libpg-query is PostgreSQL 16's own grammar (gram.y and
 * scan.l) compiled to WebAssembly: it installs with no compiler, but the module loads
 * asynchronously. `loadPgParser()` is awaited once at startup; `parsePg` is synchronous after it.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { RawStmt } from 'libpg-query';
import { assert } from '../../src/base/assert.js';
import { GrammarCheckError, SqlSyntaxError } from './errors.js';

/**
 * gram.y's checks of a window frame (makeWindowFrame's callers), which PostgreSQL raises as 42P20
 * windowing_error: `frame start cannot be UNBOUNDED FOLLOWING`, `frame starting from following row
 * cannot end with current row`, `frame end cannot be UNBOUNDED PRECEDING`, `frame starting from
 * current row cannot have preceding rows`, `frame starting from following row cannot have
 * preceding rows`.
 */
const windowingErrorMessage = /^frame (start cannot be UNBOUNDED FOLLOWING|end cannot be UNBOUNDED PRECEDING|starting from (current|following) row cannot (end with current row|have preceding rows))$/;

export type * as pg from 'libpg-query';

let loaded = false;

/** Loads the WebAssembly module; idempotent. Must finish before the first `parsePg`. */
export async function loadPgParser(): Promise<void> {
  await loadModule();
  loaded = true;
}

export function pgParserLoaded(): boolean {
  return loaded;
}

/**
 * Parses `sql` with PostgreSQL's grammar into its raw statements. A syntax error becomes a
 * `SqlSyntaxError` carrying PostgreSQL's message and position (1-based characters).
 */
export function parsePg(sql: string): RawStmt[] {
  assert(loaded, 'parsePg before loadParser() finished');
  if (sql.trim() === '') return []; // libpg-query refuses empty input; PostgreSQL answers EmptyQueryResponse.
  let result: { stmts?: RawStmt[] };
  try {
    result = parseSync(sql) as { stmts?: RawStmt[] };
  } catch (error: unknown) {
    const details = (error as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    if (details === undefined) throw error;
    // libpg-query does not pass the SQLSTATE on. The grammar's and scanner's errors are 42601 —
    // even `LIMIT #,# syntax is not supported` (checked against PostgreSQL 15); the rare other
    // codes of gram.y come back as 42601 too, except the window frame checks (42P20), known by
    // their message. libpg-query also maps "no position" (0) and "the first character" (1) both to 0; only the scanner's
    // `at or near` / `at end of input` errors always have one.
    const hasPosition = details.cursorPosition > 0 || / at or near | at end of input$/.test(details.message);
    const position = hasPosition ? details.cursorPosition + 1 : null;
    if (windowingErrorMessage.test(details.message)) throw new GrammarCheckError(details.message, position, '42P20');
    throw new SqlSyntaxError(details.message, position);
  }
  return result.stmts ?? [];
}

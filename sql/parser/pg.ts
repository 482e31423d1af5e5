/**
 * The adapter around libpg-query, the only file that imports it (STYLE.md habit 14; the lint rule
 * `libpg-query-only-in-sql-parser`). libpg-query is PostgreSQL 16's own grammar (gram.y and
 * scan.l) compiled to WebAssembly: it installs with no compiler, but the module loads
 * asynchronously. `loadPgParser()` is awaited once at startup; `parsePg` is synchronous after it.
 */
import { loadModule, parseSync } from 'libpg-query';
import type { RawStmt } from 'libpg-query';
import { assert } from '../../src/base/assert.js';
import { FeatureNotSupportedError, SqlSyntaxError } from './errors.js';

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
    // libpg-query does not pass the SQLSTATE on; the grammar's few "… is not supported" errors
    // (LIMIT #,#, …) are PostgreSQL's 0A000, every other error of the grammar and scanner 42601.
    // It also maps "no position" (0) and "the first character" (1) both to 0; only the scanner's
    // `at or near` / `at end of input` errors always have one.
    const hasPosition = details.cursorPosition > 0 || / at or near | at end of input$/.test(details.message);
    const position = hasPosition ? details.cursorPosition + 1 : null;
    if (/\bnot supported\b/.test(details.message)) throw new FeatureNotSupportedError(details.message, position);
    throw new SqlSyntaxError(details.message, position);
  }
  return result.stmts ?? [];
}

/**
 * The admin statements' value expressions are PostgreSQL expressions, so PostgreSQL's parser
 * reads them: the text is handed over with everything before it blanked to spaces of the same
 * byte length and a `VALUES` or `SELECT` keyword written just before it, so every location in
 * the result is already an offset into the original string.
 */
import type { Expr } from '../ast.js';
import { SqlSyntaxError } from '../errors.js';
import { parsePg } from '../pg.js';
import type { Source } from '../source.js';
import { translateQuery } from '../translate.js';

/** Parses `keyword + sql[start, end)` with the text's byte offsets preserved. */
function parseShifted(source: Source, keyword: 'VALUES' | 'SELECT', start: number, end: number) {
  const prefixBytes = source.byteOffset(start);
  const padding = prefixBytes - keyword.length - 1;
  if (padding < 0) throw new SqlSyntaxError('syntax error at or near "VALUES"', start + 1);
  const text = ' '.repeat(padding) + keyword + ' ' + source.sql.slice(start, end);
  const raws = parsePg(text);
  if (raws.length !== 1 || raws[0]!.stmt === undefined) throw new SqlSyntaxError(`syntax error at or near ";"`, start + 1);
  return translateQuery(raws[0]!.stmt, source);
}

/** `(a, b), (c, d)` starting at `start`: the rows of SPLIT AT / UNSPLIT AT VALUES. */
export function parseRows(source: Source, start: number, end: number): Expr[][] {
  const query = parseShifted(source, 'VALUES', start, end);
  if (query.kind !== 'Values' || query.orderBy.length > 0 || query.limit !== null || query.offset !== null) {
    throw new SqlSyntaxError('syntax error: expected VALUES rows', start + 1);
  }
  return query.rows.map((row) => [...row]);
}

/** `(a, b)` starting at `start`: one row (SHOW RANGE … FOR ROW). */
export function parseRow(source: Source, start: number, end: number): Expr[] {
  const rows = parseRows(source, start, end);
  if (rows.length !== 1) throw new SqlSyntaxError('syntax error: FOR ROW takes one row', start + 1);
  return rows[0]!;
}

/** One expression starting at `start` (SET CLUSTER SETTING's value). */
export function parseExpr(source: Source, start: number, end: number): Expr {
  const query = parseShifted(source, 'SELECT', start, end);
  const isPlain = query.kind === 'Select' && query.targets.length === 1 && query.from.length === 0 && query.where === null;
  if (!isPlain || query.targets[0]!.alias !== null || query.orderBy.length > 0 || query.limit !== null) {
    throw new SqlSyntaxError('syntax error: expected one value', start + 1);
  }
  return query.targets[0]!.expr;
}

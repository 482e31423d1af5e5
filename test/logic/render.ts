/**
 * How a query's result is written in a logic file, and how written and received results compare.
 *
 * Values are the server's text output format (PostgreSQL's: what `psql` shows), sent over the
 * simple query protocol, with three conventions taken from CockroachDB's logictest:
 *
 * - SQL NULL is `NULL`;
 * - the empty string is `·` (so a row's columns can be told apart on a space-separated line);
 * - booleans are `true` / `false` (chosen over PostgreSQL's `t` / `f`, which read like text;
 *   recognised by the column's type OID, bool = 16, so a text column holding 't' stays 't').
 *
 * A row is its values joined by one space. Lines compare after trimming and collapsing runs of
 * whitespace, so expected rows may be aligned by hand; a value holding spaces is written as it is
 * (as in CockroachDB, `a b` + `c` and `a` + `b c` therefore read alike: keep such values apart
 * with a distinguishing column when it matters).
 */
import { createHash } from 'node:crypto';
import type { QueryRecord } from './parse.js';

export interface ResultColumn {
  readonly name: string;
  readonly typeOid: number;
}

export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly (string | null)[])[];
}

const boolOid = 16;
/** int8, int2, int4. */
const integerOids: readonly number[] = [20, 21, 23];
/** float4, float8, numeric. */
const realOids: readonly number[] = [700, 701, 1700];
const oidOid = 26;

export function renderValue(value: string | null, typeOid: number): string {
  if (value === null) return 'NULL';
  if (value === '') return '·';
  if (typeOid === boolOid) return value === 't' ? 'true' : value === 'f' ? 'false' : value;
  return value;
}

/** The type letter a column of this OID is written with (T for every type not named below). */
export function typeLetter(typeOid: number): string {
  if (integerOids.includes(typeOid)) return 'I';
  if (realOids.includes(typeOid)) return 'R';
  if (typeOid === boolOid) return 'B';
  if (typeOid === oidOid) return 'O';
  return 'T';
}

/** Why the header's type letters do not fit the columns, or undefined when they do. */
export function typeProblem(types: string, columns: readonly ResultColumn[]): string | undefined {
  if (types.length !== columns.length) return `the header names ${types.length} column(s), the result has ${columns.length}`;
  for (let i = 0; i < columns.length; i++) {
    const letter = types[i]!;
    const actual = typeLetter(columns[i]!.typeOid);
    if (letter !== 'T' && letter !== actual) return `column ${i + 1} (${columns[i]!.name}) has type OID ${columns[i]!.typeOid} (${actual}), the header says ${letter}`;
  }
  return undefined;
}

/** One line of a written result, normalized for comparison. */
export function normalizeLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

function codepointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The lines a logic file holds for this result: the column names first under `colnames`, then
 * the rows (one per line; one value per line under `valuesort`), sorted as the record asks, or
 * one `N values hashing to MD5` line when there are more than `hashThreshold` values (0: never).
 */
export function resultLines(record: QueryRecord, result: QueryResult, hashThreshold: number): string[] {
  const header = record.colnames ? [result.columns.map((column) => column.name).join(' ')] : [];
  const rendered = result.rows.map((row) => row.map((value, i) => renderValue(value, result.columns[i]!.typeOid)));
  let body: string[];
  let values: string[];
  if (record.sort === 'valuesort') {
    values = rendered.flat().sort(codepointOrder);
    body = values;
  } else {
    const rows = record.sort === 'rowsort' ? [...rendered].sort((a, b) => codepointOrder(a.join(' '), b.join(' '))) : rendered;
    values = rows.flat();
    body = rows.map((row) => row.join(' '));
  }
  if (hashThreshold > 0 && values.length > hashThreshold) {
    const md5 = createHash('md5');
    for (const value of values) md5.update(`${value}\n`);
    body = [`${values.length} values hashing to ${md5.digest('hex')}`];
  }
  return [...header, ...body];
}

/** Whether written and received lines agree, sorting both sides for rowsort and valuesort. */
export function linesAgree(record: QueryRecord, expected: readonly string[], actual: readonly string[]): boolean {
  const prepare = (lines: readonly string[]): string[] => {
    const normalized = lines.map(normalizeLine);
    if (record.sort === 'nosort') return normalized;
    const header = record.colnames ? normalized.slice(0, 1) : [];
    return [...header, ...normalized.slice(header.length).sort(codepointOrder)];
  };
  const left = prepare(expected);
  const right = prepare(actual);
  return left.length === right.length && left.every((line, i) => line === right[i]);
}

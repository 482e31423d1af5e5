/**
 * The sqllogictest file format, as sqlite's sqllogictest defined it and CockroachDB's `logictest`
 * extended it (our own parser; the dialect is the subset below).
 *
 *     # A comment: lines starting with # between records.
 *
 *     statement ok
 *     CREATE TABLE t (a INT PRIMARY KEY, b TEXT)
 *
 *     statement count 2
 *     INSERT INTO t VALUES (1, 'x'), (2, NULL)
 *
 *     statement error pgcode 22012 division by zero
 *     SELECT 1 / 0
 *
 *     query IT rowsort
 *     SELECT a, b FROM t
 *     ----
 *     1 x
 *     2 NULL
 *
 *     query error pgcode 42P01 relation "nope" does not exist
 *     SELECT * FROM nope
 *
 * A record is a header line, then SQL lines up to a blank line — or, for a query that returns
 * rows, up to `----` and then the expected rows up to a blank line (end of file also ends a
 * record). Headers:
 *
 * - `statement ok` — the SQL (one or more statements, sent as one simple Query) succeeds.
 * - `statement count N` — it succeeds and its last command tag reports N rows.
 * - `statement error [pgcode XXXXX] [regex]` / `query error [pgcode XXXXX] [regex]` — it fails,
 *   with that SQLSTATE if given, and with a message the regular expression matches (searched,
 *   not anchored) if given.
 * - `query <types> [options] [label]` — one letter per result column: `I` integer (int2/4/8),
 *   `R` real (float4/8, numeric), `B` boolean, `O` oid, `T` anything (text, dates, …): the
 *   runner checks the column's type OID against the letter. Options, comma- or
 *   space-separated: `nosort` (default: rows in the order the server sent them — only for
 *   queries with ORDER BY), `rowsort` (rows sorted before comparing), `valuesort` (every value
 *   sorted as one list), `colnames` (the first expected line holds the column names). A last
 *   word that is none of these is a label: every query with the same label must return the
 *   same values (sqlite's convention for equivalent queries).
 * - `hash-threshold N` — a result of more than N values is expected as one line
 *   `<count> values hashing to <md5>` (md5 of every value followed by a newline, in order).
 * - `halt` — stop reading the file here.
 */
import { readFileSync } from 'node:fs';

export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

/** What an `error` header expects: an SQLSTATE, a message pattern, both or neither. */
export interface ErrorExpectation {
  readonly pgcode: string | undefined;
  readonly pattern: string | undefined;
}

export type StatementExpectation =
  | { readonly kind: 'ok' }
  | { readonly kind: 'count'; readonly rows: number }
  | { readonly kind: 'error'; readonly error: ErrorExpectation };

export interface StatementRecord {
  readonly kind: 'statement';
  /** 1-based line of the header. */
  readonly line: number;
  /** 0-based index of the line after the record (exclusive end), for rewriting. */
  readonly endIndex: number;
  readonly sql: string;
  readonly expect: StatementExpectation;
}

export interface QueryRecord {
  readonly kind: 'query';
  readonly line: number;
  readonly endIndex: number;
  readonly sql: string;
  /** Set for `query error …`; then types, rows and options are empty. */
  readonly error: ErrorExpectation | undefined;
  readonly types: string;
  readonly sort: SortMode;
  readonly colnames: boolean;
  readonly label: string | undefined;
  /** The expected lines after `----`, as written. */
  readonly expected: readonly string[];
}

export interface HashThresholdRecord {
  readonly kind: 'hash-threshold';
  readonly line: number;
  readonly endIndex: number;
  readonly values: number;
}

export type LogicRecord = StatementRecord | QueryRecord | HashThresholdRecord;

export interface LogicFile {
  readonly path: string;
  /** The file's lines, kept to rewrite expectations in place. */
  readonly lines: readonly string[];
  readonly records: readonly LogicRecord[];
}

/** A format error, with the file and line it is at. */
export class LogicParseError extends Error {
  constructor(path: string, line: number, message: string) {
    super(`${path}:${line}: ${message}`);
    this.name = 'LogicParseError';
  }
}

const typeLetters = /^[IRBOT]+$/;
const sortModes: readonly string[] = ['nosort', 'rowsort', 'valuesort'];

export function readLogicFile(path: string): LogicFile {
  return parseLogic(path, readFileSync(path, 'utf8'));
}

export function parseLogic(path: string, text: string): LogicFile {
  const lines = text.split('\n');
  const records: LogicRecord[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (line.trim() === '' || line.startsWith('#')) {
      index++;
      continue;
    }
    const words = line.trim().split(/\s+/);
    const fail = (message: string): never => {
      throw new LogicParseError(path, index + 1, message);
    };
    switch (words[0]) {
      case 'halt':
        return { path, lines, records };
      case 'hash-threshold': {
        const values = Number(words[1]);
        if (words.length !== 2 || !Number.isSafeInteger(values) || values < 0) fail(`hash-threshold takes one count: ${line}`);
        records.push({ kind: 'hash-threshold', line: index + 1, endIndex: index + 1, values });
        index++;
        break;
      }
      case 'statement':
        index = parseStatement(path, lines, index, words.slice(1), records);
        break;
      case 'query':
        index = parseQuery(path, lines, index, words.slice(1), records);
        break;
      default:
        fail(`unknown record header: ${line}`);
    }
  }
  return { path, lines, records };
}

/** Reads SQL lines from `start` up to a blank line, the end, or (for queries) `----`. */
function readSql(lines: readonly string[], start: number, stopAtSeparator: boolean): { sql: string; next: number } {
  const sql: string[] = [];
  let index = start;
  while (index < lines.length && lines[index]!.trim() !== '' && !(stopAtSeparator && lines[index] === '----')) sql.push(lines[index++]!);
  return { sql: sql.join('\n'), next: index };
}

/** Parses the words after `error`: `[pgcode XXXXX] [regex…]`, the regex being the rest of the line. */
function parseErrorExpectation(header: string, fail: (message: string) => never): ErrorExpectation {
  const rest = header.replace(/^\s*(statement|query)\s+error\s*/, '');
  const match = /^pgcode\s+(\S+)\s*(.*)$/.exec(rest);
  const pgcode = match?.[1];
  if (pgcode !== undefined && !/^[0-9A-Z]{5}$/.test(pgcode)) fail(`pgcode must be five characters of [0-9A-Z]: ${pgcode}`);
  const pattern = (match !== null ? match[2]! : rest).trim();
  if (pattern !== '') {
    try {
      new RegExp(pattern);
    } catch (error) {
      fail(`bad error pattern ${pattern}: ${(error as Error).message}`);
    }
  }
  return { pgcode, pattern: pattern === '' ? undefined : pattern };
}

function parseStatement(path: string, lines: readonly string[], index: number, words: readonly string[], records: LogicRecord[]): number {
  const header = lines[index]!;
  const fail = (message: string): never => {
    throw new LogicParseError(path, index + 1, message);
  };
  let expect: StatementExpectation;
  if (words[0] === 'ok' && words.length === 1) expect = { kind: 'ok' };
  else if (words[0] === 'count' && words.length === 2 && /^\d+$/.test(words[1]!)) expect = { kind: 'count', rows: Number(words[1]) };
  else if (words[0] === 'error') expect = { kind: 'error', error: parseErrorExpectation(header, fail) };
  else return fail(`statement takes ok, count N or error [pgcode X] [regex]: ${header}`);
  const { sql, next } = readSql(lines, index + 1, false);
  if (sql === '') fail('statement without SQL');
  records.push({ kind: 'statement', line: index + 1, endIndex: next, sql, expect });
  return next;
}

function parseQuery(path: string, lines: readonly string[], index: number, words: readonly string[], records: LogicRecord[]): number {
  const header = lines[index]!;
  const fail = (message: string): never => {
    throw new LogicParseError(path, index + 1, message);
  };
  if (words[0] === 'error') {
    const error = parseErrorExpectation(header, fail);
    const { sql, next } = readSql(lines, index + 1, false);
    if (sql === '') fail('query without SQL');
    records.push({ kind: 'query', line: index + 1, endIndex: next, sql, error, types: '', sort: 'nosort', colnames: false, label: undefined, expected: [] });
    return next;
  }
  const types = words[0] ?? '';
  if (!typeLetters.test(types)) fail(`query types must be letters of IRBOT: ${header}`);
  let sort: SortMode = 'nosort';
  let colnames = false;
  let label: string | undefined;
  const options = words.slice(1).flatMap((word) => word.split(',')).filter((word) => word !== '');
  options.forEach((option, position) => {
    if (sortModes.includes(option)) sort = option as SortMode;
    else if (option === 'colnames') colnames = true;
    else if (position === options.length - 1) label = option;
    else fail(`unknown query option ${option}`);
  });
  const { sql, next } = readSql(lines, index + 1, true);
  if (sql === '') fail('query without SQL');
  const expected: string[] = [];
  let end = next;
  if (lines[next] === '----') {
    end = next + 1;
    while (end < lines.length && lines[end]!.trim() !== '') expected.push(lines[end++]!);
  }
  records.push({ kind: 'query', line: index + 1, endIndex: end, sql, error: undefined, types, sort, colnames, label, expected });
  return end;
}

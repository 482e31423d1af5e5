/**
 * Runs a logic file against one server over the PostgreSQL wire protocol (node-postgres, simple
 * query protocol, every value kept as the server's text) and says, record by record, whether the
 * server did what the file expects.
 *
 * Each file runs in its own fresh database (`logic_<file name>`), created from the server's
 * `defaultdb`, on one connection with `TimeZone` set to UTC, so files neither see each other's
 * tables nor depend on the machine's zone. The same code runs against rangedb and PostgreSQL 15:
 * the file is the specification, and both servers are held to it.
 */
import { basename } from 'node:path';
import pg from 'pg';
import type { ErrorExpectation, LogicFile, LogicRecord, QueryRecord, StatementRecord } from './parse.js';
import { linesAgree, resultLines, typeLetter, typeProblem, type QueryResult } from './render.js';

/** Where a server listens; `database` is replaced by each file's own. */
export interface Target {
  /** `rangedb` or `postgresql`: named in reports and in the known-differences file. */
  readonly name: TargetName;
  readonly host: string;
  readonly port: number;
  readonly user: string;
}

export type TargetName = 'rangedb' | 'postgresql';

/** What the server did with one record's SQL. */
export type Answer =
  | { readonly kind: 'ok'; readonly rowCount: number | null; readonly result: QueryResult }
  | { readonly kind: 'error'; readonly pgcode: string | undefined; readonly message: string };

export interface Outcome {
  readonly record: StatementRecord | QueryRecord;
  readonly passed: boolean;
  /** What the file expects and what came, in the file's own notation (for reports and rewriting). */
  readonly expected: string;
  readonly actual: string;
  readonly answer: Answer;
  /** A query's result as the file would hold it (sorted, hashed over the threshold), when it returned rows. */
  readonly actualLines?: readonly string[];
}

/** A value kept as the text the server sent (no parsing into JavaScript numbers or dates). */
const rawText: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export function databaseFor(file: LogicFile): string {
  return `logic_${basename(file.path).replace(/\.[^.]*$/, '').replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
}

/** A connection to `database` on `target` that keeps every value as the server's text (test/fuzz uses it too). */
export function connect(target: Target, database: string): Promise<pg.Client> {
  const client = new pg.Client({ host: target.host, port: target.port, user: target.user, database, types: rawText });
  // A server that drops the connection fails the record being run; the event must not crash us.
  client.on('error', () => undefined);
  return client.connect().then(() => client);
}

/** Runs every record of `file` against `target` in a fresh database, in order. */
export async function runLogicFile(file: LogicFile, target: Target): Promise<Outcome[]> {
  const database = databaseFor(file);
  const admin = await connect(target, 'defaultdb');
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const client = await connect(target, database);
  const outcomes: Outcome[] = [];
  try {
    await client.query(`SET TimeZone = 'UTC'`);
    let hashThreshold = 0;
    const labels = new Map<string, string>();
    for (const record of file.records) {
      if (record.kind === 'hash-threshold') {
        hashThreshold = record.values;
        continue;
      }
      outcomes.push(await runRecord(client, record, hashThreshold, labels));
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return outcomes;
}

/** Runs `sql` (simple protocol, rows as arrays of text) and answers with its result or its error; never throws. */
export async function execute(client: pg.Client, sql: string): Promise<Answer> {
  try {
    const answer = (await client.query({ text: sql, rowMode: 'array' })) as unknown as pg.QueryArrayResult | pg.QueryArrayResult[];
    // Several statements in one Query message answer with one result each: the last one counts.
    const last = Array.isArray(answer) ? answer[answer.length - 1]! : answer;
    const columns = (last.fields ?? []).map((field) => ({ name: field.name, typeOid: field.dataTypeID }));
    return { kind: 'ok', rowCount: last.rowCount, result: { columns, rows: last.rows as (string | null)[][] } };
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { kind: 'error', pgcode: typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined, message: String(message) };
  }
}

function describeError(error: ErrorExpectation): string {
  return ['error', ...(error.pgcode !== undefined ? ['pgcode', error.pgcode] : []), ...(error.pattern !== undefined ? [error.pattern] : [])].join(' ');
}

function describeAnswerError(answer: Answer & { kind: 'error' }): string {
  return `error pgcode ${answer.pgcode ?? '(none: not a server error)'} ${answer.message}`;
}

function errorMatches(expected: ErrorExpectation, answer: Answer): boolean {
  if (answer.kind !== 'error') return false;
  if (expected.pgcode !== undefined && expected.pgcode !== answer.pgcode) return false;
  return expected.pattern === undefined || new RegExp(expected.pattern).test(answer.message);
}

async function runRecord(client: pg.Client, record: StatementRecord | QueryRecord, hashThreshold: number, labels: Map<string, string>): Promise<Outcome> {
  const answer = await execute(client, record.sql);
  if (record.kind === 'statement') {
    const expect = record.expect;
    switch (expect.kind) {
      case 'ok':
        return { record, answer, passed: answer.kind === 'ok', expected: 'ok', actual: answer.kind === 'ok' ? 'ok' : describeAnswerError(answer) };
      case 'count': {
        const actual = answer.kind === 'ok' ? `count ${answer.rowCount ?? '(no count)'}` : describeAnswerError(answer);
        return { record, answer, passed: answer.kind === 'ok' && answer.rowCount === expect.rows, expected: `count ${expect.rows}`, actual };
      }
      case 'error':
        return { record, answer, passed: errorMatches(expect.error, answer), expected: describeError(expect.error), actual: answer.kind === 'ok' ? 'ok' : describeAnswerError(answer) };
    }
  }
  if (record.error !== undefined) {
    const actual = answer.kind === 'ok' ? `${answer.result.rows.length} row(s)` : describeAnswerError(answer);
    return { record, answer, passed: errorMatches(record.error, answer), expected: describeError(record.error), actual };
  }
  const expected = record.expected.join('\n');
  if (answer.kind === 'error') return { record, answer, passed: false, expected, actual: describeAnswerError(answer) };
  const lines = resultLines(record, answer.result, hashThreshold);
  const problem = typeProblem(record.types, answer.result.columns);
  if (problem !== undefined) {
    const letters = answer.result.columns.map((column) => typeLetter(column.typeOid)).join('');
    return { record, answer, passed: false, expected: `query ${record.types}\n${expected}`, actual: `query ${letters} (${problem})\n${lines.join('\n')}`, actualLines: lines };
  }
  let passed = linesAgree(record, record.expected, lines);
  let actual = lines.join('\n');
  if (record.label !== undefined) {
    const values = lines.slice(record.colnames ? 1 : 0).join('\n');
    const earlier = labels.get(record.label);
    if (earlier === undefined) labels.set(record.label, values);
    else if (earlier !== values) {
      passed = false;
      actual += `\n(label ${record.label}: an earlier query with this label returned\n${earlier})`;
    }
  }
  return { record, answer, passed, expected, actual, actualLines: lines };
}

/** The text a record would have if the file agreed with `answer` (REWRITE: review the diff). */
export function rewriteRecord(outcome: Outcome): string[] {
  const { record, answer } = outcome;
  const sql = record.sql.split('\n');
  const escape = (message: string): string => message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (answer.kind === 'error') return [`${record.kind} error pgcode ${answer.pgcode ?? 'XXXXX'} ${escape(answer.message)}`, ...sql];
  if (record.kind === 'statement') {
    if (record.expect.kind === 'count') return [`statement count ${answer.rowCount ?? 0}`, ...sql];
    return ['statement ok', ...sql];
  }
  const letters = answer.result.columns.map((column) => typeLetter(column.typeOid)).join('');
  const options = [record.sort !== 'nosort' ? record.sort : undefined, record.colnames ? 'colnames' : undefined].filter((option) => option !== undefined).join(',');
  const header = ['query', letters, ...(options !== '' ? [options] : []), ...(record.label !== undefined ? [record.label] : [])].join(' ');
  return [header, ...sql, '----', ...(outcome.actualLines ?? [])];
}

/** The file's text with every record of `outcomes` that failed replaced by what the server did. */
export function rewriteFile(file: LogicFile, outcomes: readonly Outcome[]): string {
  const lines = [...file.lines];
  // From the last record up, so earlier line indexes stay valid.
  for (const outcome of [...outcomes].reverse()) {
    if (outcome.passed) continue;
    const record: LogicRecord = outcome.record;
    lines.splice(record.line - 1, record.endIndex - (record.line - 1), ...rewriteRecord(outcome));
  }
  return lines.join('\n');
}

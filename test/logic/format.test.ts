// The logic-file format without a server: the parser (headers, SQL and result blocks, line
// numbers, format errors), how results are written and compared (NULL, empty strings, booleans,
// sort modes, hashing, type letters), the known-differences file, and rewriting a file from a
// server's answers.
import { describe, expect, it } from 'vitest';
import { judge } from './report.js';
import { knownDifference, parseKnownDifferences } from './known.js';
import { parseLogic, type QueryRecord } from './parse.js';
import { linesAgree, resultLines, typeProblem, type QueryResult } from './render.js';
import { rewriteFile, type Outcome } from './run.js';

const file = `# header comment
statement ok
CREATE TABLE t (a INT)

statement count 2
INSERT INTO t
VALUES (1), (2)

statement error pgcode 22012 division by (zero)
SELECT 1 / 0

query IT rowsort,colnames same
SELECT a, b
FROM t
----
a b
1 x
2 NULL

query error pgcode 42P01
SELECT * FROM nope

hash-threshold 4

query I valuesort
SELECT a FROM t
----

halt

statement ok
never read
`;

function query(text: string): QueryRecord {
  const record = parseLogic('q.slt', text).records[0]!;
  expect(record.kind).toBe('query');
  return record as QueryRecord;
}

describe('parseLogic', () => {
  const parsed = parseLogic('f.slt', file);

  it('reads every record up to halt, with its header line', () => {
    expect(parsed.records.map((record) => [record.kind, record.line])).toEqual([
      ['statement', 2],
      ['statement', 5],
      ['statement', 9],
      ['query', 12],
      ['query', 20],
      ['hash-threshold', 23],
      ['query', 25],
    ]);
  });

  it('reads statements: ok, count, error with pgcode and a pattern; SQL spans lines', () => {
    expect(parsed.records[1]).toMatchObject({ kind: 'statement', sql: 'INSERT INTO t\nVALUES (1), (2)', expect: { kind: 'count', rows: 2 } });
    expect(parsed.records[2]).toMatchObject({ expect: { kind: 'error', error: { pgcode: '22012', pattern: 'division by (zero)' } } });
  });

  it('reads queries: types, options, label, expected lines; query error without a pattern', () => {
    expect(parsed.records[3]).toMatchObject({ types: 'IT', sort: 'rowsort', colnames: true, label: 'same', sql: 'SELECT a, b\nFROM t', expected: ['a b', '1 x', '2 NULL'], endIndex: 18 });
    expect(parsed.records[4]).toMatchObject({ error: { pgcode: '42P01', pattern: undefined }, sql: 'SELECT * FROM nope' });
    expect(parsed.records[5]).toMatchObject({ values: 4 });
    expect(parsed.records[6]).toMatchObject({ sort: 'valuesort', expected: [] });
  });

  it('fails on format errors with the file and line', () => {
    expect(() => parseLogic('x.slt', '\nstatement maybe\nSELECT 1\n')).toThrow('x.slt:2: statement takes ok, count N or error');
    expect(() => parseLogic('x.slt', 'query IX\nSELECT 1\n')).toThrow('x.slt:1: query types must be letters of IRBOT');
    expect(() => parseLogic('x.slt', 'query I rowsort bogus label\nSELECT 1\n')).toThrow('x.slt:1: unknown query option bogus');
    expect(() => parseLogic('x.slt', 'statement error pgcode 2201\nSELECT 1\n')).toThrow('pgcode must be five characters');
    expect(() => parseLogic('x.slt', 'statement error (\nSELECT 1\n')).toThrow('bad error pattern');
    expect(() => parseLogic('x.slt', 'statement ok\n\n')).toThrow('x.slt:1: statement without SQL');
    expect(() => parseLogic('x.slt', 'select 1\n')).toThrow('x.slt:1: unknown record header');
  });
});

describe('results as written', () => {
  const result: QueryResult = {
    columns: [
      { name: 'n', typeOid: 23 },
      { name: 's', typeOid: 25 },
      { name: 'b', typeOid: 16 },
    ],
    rows: [
      ['2', '', 't'],
      ['1', null, 'f'],
      ['3', 't', null],
    ],
  };

  it('writes NULL, the empty string as ·, booleans as true/false (only in bool columns)', () => {
    expect(resultLines(query('query ITB\nSELECT 1\n'), result, 0)).toEqual(['2 · true', '1 NULL false', '3 t NULL']);
  });

  it('sorts rows under rowsort and values under valuesort, names columns under colnames', () => {
    expect(resultLines(query('query ITB rowsort,colnames\nSELECT 1\n'), result, 0)).toEqual(['n s b', '1 NULL false', '2 · true', '3 t NULL']);
    expect(resultLines(query('query ITB valuesort\nSELECT 1\n'), result, 0)).toEqual(['1', '2', '3', 'NULL', 'NULL', 'false', 't', 'true', '·']);
  });

  it('hashes a result of more values than the threshold (md5 of each value and a newline)', () => {
    // md5("1\n2\n3\n") — the values of the first column in order.
    const ints: QueryResult = { columns: [{ name: 'n', typeOid: 20 }], rows: [['1'], ['2'], ['3']] };
    expect(resultLines(query('query I\nSELECT 1\n'), ints, 2)).toEqual(['3 values hashing to c0710d6b4f15dfa88f600b0e6b624077']);
    expect(resultLines(query('query I\nSELECT 1\n'), ints, 3)).toEqual(['1', '2', '3']);
  });

  it('compares lines with whitespace collapsed, in order unless sorted', () => {
    const nosort = query('query II\nSELECT 1\n');
    expect(linesAgree(nosort, ['1   2', ' 3 4 '], ['1 2', '3 4'])).toBe(true);
    expect(linesAgree(nosort, ['3 4', '1 2'], ['1 2', '3 4'])).toBe(false);
    expect(linesAgree(query('query II rowsort\nSELECT 1\n'), ['3 4', '1 2'], ['1 2', '3 4'])).toBe(true);
    expect(linesAgree(nosort, ['1 2'], ['1 2', '3 4'])).toBe(false);
  });

  it('checks the type letters against the columns (T takes any type)', () => {
    expect(typeProblem('ITB', result.columns)).toBeUndefined();
    expect(typeProblem('TTT', result.columns)).toBeUndefined();
    expect(typeProblem('RTB', result.columns)).toBe('column 1 (n) has type OID 23 (I), the header says R');
    expect(typeProblem('IT', result.columns)).toBe('the header names 2 column(s), the result has 3');
  });
});

describe('known differences and rewriting', () => {
  const known = parseKnownDifferences(
    'known.md',
    ['# title', '', '## f.slt', '', '### `SELECT 1 / 0`', '- on: rangedb', '- reason: first line', '  and more.', '', '### `CREATE TABLE t (a INT)`', '- on: both', '- reason: stale'].join('\n'),
  );
  const parsed = parseLogic('f.slt', file);
  const failed = (index: number, actual: string): Outcome => ({
    record: parsed.records[index] as Outcome['record'],
    passed: false,
    expected: 'x',
    actual,
    answer: { kind: 'error', pgcode: '22003', message: 'integer out of range (1)' },
  });

  it('parses entries with their file, SQL, server and reason', () => {
    expect(known).toEqual([
      { file: 'f.slt', sql: 'SELECT 1 / 0', on: 'rangedb', reason: 'first line and more.', line: 5 },
      { file: 'f.slt', sql: 'CREATE TABLE t (a INT)', on: 'both', reason: 'stale', line: 10 },
    ]);
    expect(() => parseKnownDifferences('k.md', '## f.slt\n### `SELECT 1`\n- on: mysql\n- reason: r\n')).toThrow('k.md:2: an entry needs "- on:');
    expect(() => parseKnownDifferences('k.md', '## f.slt\n### `SELECT 1`\n- on: rangedb\n')).toThrow('k.md:2: an entry needs "- reason:');
  });

  it('matches a failing record on its server only, and reports listed entries that did not fail as stale', () => {
    const outcome = failed(2, 'error pgcode 22003 integer out of range (1)');
    expect(knownDifference(known, 'f.slt', outcome, 'rangedb')?.line).toBe(5);
    expect(knownDifference(known, 'f.slt', outcome, 'postgresql')).toBeUndefined();
    const onRangedb = judge('f.slt', [outcome], known, 'rangedb');
    expect(onRangedb.failures).toEqual([]);
    expect(onRangedb.known).toHaveLength(1);
    expect(onRangedb.stale).toEqual(['known-differences.md:10: `CREATE TABLE t (a INT)` is listed as a difference on rangedb, but rangedb now does what the file expects: remove the entry']);
    const onPostgres = judge('f.slt', [outcome], known, 'postgresql');
    expect(onPostgres.failures[0]).toContain('f.slt:9:\n    SELECT 1 / 0\n  expected:\n    x\n  actual:\n    error pgcode 22003');
  });

  it('rewrites a failed record from the answer, escaping the message as a pattern', () => {
    const text = rewriteFile(parsed, [failed(2, '')]);
    expect(text.split('\n').slice(8, 11)).toEqual(['statement error pgcode 22003 integer out of range \\(1\\)', 'SELECT 1 / 0', '']);
    const rows: Outcome = {
      record: parsed.records[6] as QueryRecord,
      passed: false,
      expected: '',
      actual: '1\n2',
      actualLines: ['1', '2'],
      answer: { kind: 'ok', rowCount: 2, result: { columns: [{ name: 'a', typeOid: 20 }], rows: [['1'], ['2']] } },
    };
    expect(parseLogic('f.slt', rewriteFile(parsed, [rows])).records[6]).toMatchObject({ types: 'I', sort: 'valuesort', expected: ['1', '2'] });
  });
});

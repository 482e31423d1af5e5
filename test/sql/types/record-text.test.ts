// Row values from text as PostgreSQL 15's record_in reads them (sql/types/record-text.ts). The
// expected values and errors are PostgreSQL 15's answers for `'<text>'::pair` after
// `CREATE TYPE pair AS (a int, b text)` (rangedb has no named row types yet, so they cannot be a
// logic file); the DETAILs are rowtypes.c's.
import { describe, expect, it } from 'vitest';
import { parseRecordText, parseRowText } from '../../../sql/types/record-text.js';
import { formatText } from '../../../sql/types/text-io.js';
import { int4Type, recordType, textType } from '../../../sql/types/sql-type.js';

const pair = recordType([
  { name: 'a', type: int4Type },
  { name: 'b', type: textType },
]);

function failure(text: string): { sqlState: string; message: string; detail?: string } {
  try {
    parseRowText(pair, text);
  } catch (error) {
    const e = error as { sqlState: string; message: string; detail?: string };
    return { sqlState: e.sqlState, message: e.message, ...(e.detail === undefined ? {} : { detail: e.detail }) };
  }
  throw new Error(`${text} parsed`);
}

describe('record_in', () => {
  it('reads fields as PostgreSQL 15 does: NULL when empty, quotes, doubled quotes, backslashes, blanks as data', () => {
    expect(parseRowText(pair, '(1,abc)')).toEqual([1, 'abc']);
    expect(parseRowText(pair, '( 1 , abc )')).toEqual([1, ' abc ']); // int4in skips blanks, text keeps them (length 5)
    expect(parseRowText(pair, '(,)')).toEqual([null, null]);
    expect(parseRowText(pair, '(1,"")')).toEqual([1, '']);
    expect(parseRowText(pair, '(1,"a,b")')).toEqual([1, 'a,b']);
    expect(parseRowText(pair, '(1,"say ""hi""")')).toEqual([1, 'say "hi"']);
    expect(parseRowText(pair, '(1,a\\,b)')).toEqual([1, 'a,b']);
    expect(parseRowText(pair, '(1,a\\\\b)')).toEqual([1, 'a\\b']);
    expect(parseRowText(pair, '  (1,x)  ')).toEqual([1, 'x']);
    expect(parseRowText(pair, '(1,a"b,c"d)')).toEqual([1, 'ab,cd']);
  });

  it('reads back what record_out prints', () => {
    for (const value of [[1, 'abc'], [null, ''], [-7, 'q"u\\o (x), y'], [0, null]]) expect(parseRowText(pair, formatText(pair, value))).toEqual(value);
  });

  it('fails with 22P02 malformed record literal and PostgreSQL`s DETAIL', () => {
    const malformed = (text: string, detail: string): { sqlState: string; message: string; detail: string } => ({ sqlState: '22P02', message: `malformed record literal: "${text}"`, detail });
    expect(failure('1,abc)')).toEqual(malformed('1,abc)', 'Missing left parenthesis.'));
    expect(failure('')).toEqual(malformed('', 'Missing left parenthesis.'));
    expect(failure('(1)')).toEqual(malformed('(1)', 'Too few columns.'));
    expect(failure('()')).toEqual(malformed('()', 'Too few columns.'));
    expect(failure('(1,abc,3)')).toEqual(malformed('(1,abc,3)', 'Too many columns.'));
    expect(failure('(1,abc')).toEqual(malformed('(1,abc', 'Unexpected end of input.'));
    expect(failure('(1,"abc')).toEqual(malformed('(1,"abc', 'Unexpected end of input.'));
    expect(failure('(1,abc\\')).toEqual(malformed('(1,abc\\', 'Unexpected end of input.'));
    expect(failure('(1,abc) x')).toEqual(malformed('(1,abc) x', 'Junk after right parenthesis.'));
  });

  it('fails a field its type refuses with that type`s error, fields read in order', () => {
    expect(failure('(x,abc)')).toEqual({ sqlState: '22P02', message: 'invalid input syntax for type integer: "x"' });
    const seen: (string | null)[] = [];
    expect(() => parseRecordText('(a,b,c', 3, (_, text) => (seen.push(text), text))).toThrow('malformed record literal');
    expect(seen).toEqual(['a', 'b']);
  });
});

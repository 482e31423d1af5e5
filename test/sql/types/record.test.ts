// Anonymous records (sql-type.ts RecordType, what information_schema._pg_expandarray returns) and
// int2vector (pg_index.indkey): their text form as PostgreSQL's record_out / int2vectorout, their
// binary form as record_send / int2vectorsend (array_send with lower bound 0), their order and casts.
import { describe, expect, it } from 'vitest';
import { encodeBinary } from '../../../sql/types/binary-io.js';
import { castContext } from '../../../sql/types/cast-context.js';
import { castDatum } from '../../../sql/types/cast.js';
import { compareDatums } from '../../../sql/types/compare.js';
import type { Datum } from '../../../sql/types/datum.js';
import { arrayType, formatType, int2Type, int2vectorType, int4Type, recordType, textType, typeName } from '../../../sql/types/sql-type.js';
import { formatText, parseText } from '../../../sql/types/text-io.js';
import { ValueWriter } from '../../../sql/rowcodec/value-buffer.js';
import { openRowValue, readColumnEntries, rowValueVersion, writeColumnEntries, type ValueColumn } from '../../../sql/rowcodec/value-codec.js';

const xn = recordType([
  { name: 'x', type: textType },
  { name: 'n', type: int4Type },
]);

describe('record', () => {
  it('prints as record_out: NULL empty, quoted when empty or holding quotes, backslashes, parentheses, commas or spaces', () => {
    expect(formatText(xn, ['a', 1])).toBe('(a,1)');
    expect(formatText(xn, [null, 2])).toBe('(,2)');
    expect(formatText(xn, ['', 3])).toBe('("",3)');
    expect(formatText(xn, ['q"u\\o', 4])).toBe('("q""u\\\\o",4)');
    expect(formatText(xn, ['c,d', 5])).toBe('("c,d",5)');
    expect(formatText(xn, ['(x)', 6])).toBe('("(x)",6)');
    expect(formatText(xn, ['a b', null])).toBe('("a b",)');
  });

  it('is named record and refuses text input (0A000, as PostgreSQL for an anonymous record)', () => {
    expect(formatType(xn)).toBe('record');
    expect(typeName(xn)).toBe('record');
    expect(() => parseText(xn, '(a,1)')).toThrow(expect.objectContaining({ sqlState: '0A000' }));
  });

  it('is sent as record_send: field count, then each field type OID, length (-1 for NULL) and bytes', () => {
    const bytes = Buffer.from(encodeBinary(xn, ['ab', null]));
    expect(bytes.toString('hex')).toBe(['00000002', '00000019', '00000002', '6162', '00000017', 'ffffffff'].join(''));
  });

  it('orders field by field, a NULL field last', () => {
    expect(compareDatums(xn, ['a', 2], ['a', 1])).toBeGreaterThan(0);
    expect(compareDatums(xn, ['a', 1], ['b', 0])).toBeLessThan(0);
    expect(compareDatums(xn, ['a', null], ['a', 9])).toBeGreaterThan(0);
    expect(compareDatums(xn, ['a', 1], ['a', 1])).toBe(0);
  });

  it('round-trips through the row value codec (a row an operator spills may hold one), NULL fields too', () => {
    const columns: ValueColumn[] = [
      { id: 1, position: 0, type: xn, missingValue: undefined },
      { id: 2, position: 1, type: int2vectorType(), missingValue: undefined },
    ];
    const writer = new ValueWriter();
    writer.byte(rowValueVersion);
    writeColumnEntries(writer, columns, [['a', null], [3, 0]]);
    const out: Datum[] = [null, null];
    readColumnEntries(openRowValue(writer.finish()), new Map(columns.map((column) => [column.id, column])), out);
    expect(out).toEqual([['a', null], [3, 0]]);
  });

  it('casts to text through its output function (assignment), to nothing else', () => {
    expect(castContext(xn, textType)).toBe('assignment');
    expect(castContext(xn, int4Type)).toBeUndefined();
    expect(castContext(xn, xn)).toBe('implicit');
    expect(castDatum(['a', 1], xn, textType)).toBe('(a,1)');
  });
});

describe('int2vector', () => {
  const vector = int2vectorType();

  it('is an int2 array type named int2vector, printed and read with spaces', () => {
    expect(vector.oid).toBe(22);
    expect(formatType(vector)).toBe('int2vector');
    expect(typeName(vector)).toBe('int2vector');
    expect(formatText(vector, [2, 1])).toBe('2 1');
    expect(formatText(vector, [])).toBe('');
    expect(parseText(vector, ' 3  0 ')).toEqual([3, 0]);
    expect(parseText(vector, '')).toEqual([]);
    expect(() => parseText(vector, '1 x')).toThrow(expect.objectContaining({ sqlState: '22P02' }));
  });

  it('is sent as array_send with lower bound 0', () => {
    const bytes = Buffer.from(encodeBinary(vector, [2, 1]));
    // ndim 1, no NULLs, element int2 (21), 2 elements from lower bound 0, then each element.
    expect(bytes.toString('hex')).toBe(['00000001', '00000000', '00000015', '00000002', '00000000', '00000002', '0002', '00000002', '0001'].join(''));
  });

  it('casts to int2[] implicitly (element by element) and to text as printed', () => {
    expect(castContext(vector, arrayType(int2Type))).toBe('implicit');
    expect(castDatum([2, 1], vector, arrayType(int2Type))).toEqual([2, 1]);
    expect(castDatum([2, 1], vector, textType)).toBe('2 1');
  });
});

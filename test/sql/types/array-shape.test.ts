/**
 * Arrays of any shape (sql/types/array-shape.ts) through every codec: text (array_in /
 * array_out), binary (array_send bytes taken from PostgreSQL 15), the row value encoding (a
 * shaped array is tag 10, a 1-D array from 1 keeps tag 9's bytes), and array_cmp's order.
 */
import { describe, expect, it } from 'vitest';
import { limits } from '../../../src/base/limits.js';
import { arrayFill } from '../../../sql/plan/expr/array-shape-functions.js';
import { RowCodec, type TableDescriptor } from '../../../sql/rowcodec/index.js';
import { int2vectorType } from '../../../sql/types/sql-type.js';
import { arrayShape, compareDatums, decodeBinary, encodeBinary, formatText, parseText, parseTypeName, type Datum } from '../../../sql/types/index.js';

const int4Array = parseTypeName('int4[]').type;
const textArray = parseTypeName('text[]').type;
const parseInts = (text: string): readonly Datum[] => parseText(int4Array, text) as readonly Datum[];
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('array text I/O', () => {
  it('reads and prints dimensions and lower bounds as PostgreSQL does', () => {
    for (const text of ['{{1,2},{3,4}}', '[0:1]={1,2}', '[1:2][0:1]={{1,2},{3,4}}', '{{{1},{2}},{{3},{4}}}', '{}', '{1,NULL}']) expect(formatText(int4Array, parseInts(text))).toBe(text);
    expect(formatText(textArray, parseText(textArray, '{{"a b",NULL},{"","\\\\"}}'))).toBe('{{"a b",NULL},{"","\\\\"}}');
    expect(arrayShape(parseInts('[-2:-1][3:5]={{1,2,3},{4,5,6}}'))).toEqual({ lengths: [2, 3], lowerBounds: [-2, 3] });
  });

  it('refuses ragged, empty-nested, mis-dimensioned and too deep literals', () => {
    for (const text of ['{{1,2},{3}}', '{{1,2},3}', '{1,{2}}', '{{}}', '[1:3]={1,2}', '[0:0]={}', '[1:2]{1,2}']) expect(() => parseInts(text), text).toThrow(expect.objectContaining({ sqlState: '22P02' }));
    expect(() => parseInts('{{{{{{{1}}}}}}}')).toThrow(expect.objectContaining({ sqlState: '54000' }));
  });
});

describe('array binary I/O', () => {
  it('writes array_send bytes and reads them back to the same shape', () => {
    // SELECT array_send('[0:1][1:2]={{1,2},{3,NULL}}'::int4[]), array_send('{}'::int4[]) on PostgreSQL 15.
    const cases: [string, string][] = [
      ['[0:1][1:2]={{1,2},{3,NULL}}', '00000002000000010000001700000002000000000000000200000001000000040000000100000004000000020000000400000003ffffffff'],
      ['{}', '000000000000000000000017'],
    ];
    for (const [text, bytes] of cases) {
      const value = parseInts(text);
      expect(hex(encodeBinary(int4Array, value)), text).toBe(bytes);
      const decoded = decodeBinary(int4Array, Buffer.from(bytes, 'hex'));
      expect(formatText(int4Array, decoded)).toBe(text);
    }
    expect(hex(encodeBinary(textArray, parseText(textArray, '{{a}}')))).toBe('000000020000000000000019000000010000000100000001000000010000000161');
  });

  it('reads an int2vector (lower bound 0) as the same value its text gives', () => {
    const int2vector = int2vectorType();
    const fromText = parseText(int2vector, '1 3');
    const fromBinary = decodeBinary(int2vector, encodeBinary(int2vector, fromText));
    expect(compareDatums(int2vector, fromBinary, fromText)).toBe(0);
    expect(arrayShape(fromBinary as readonly Datum[], 0)).toEqual({ lengths: [2], lowerBounds: [0] });
  });

  it('refuses more than six dimensions (54000)', () => {
    const bytes = Buffer.alloc(12 + 7 * 8);
    bytes.writeInt32BE(7, 0);
    bytes.writeUInt32BE(23, 8);
    expect(() => decodeBinary(int4Array, bytes)).toThrow(expect.objectContaining({ sqlState: '54000' }));
  });
});

describe('arrays in a row value', () => {
  const table: TableDescriptor = {
    id: 61,
    name: 'grids',
    columns: [
      { id: 1, name: 'id', type: parseTypeName('int4').type, nullable: false },
      { id: 2, name: 'cells', type: int4Array, nullable: true },
    ],
    primaryIndex: { id: 1, name: 'pk', unique: true, columns: [{ columnId: 1, direction: 'ascending' }] },
    secondaryIndexes: [],
  };
  const codec = new RowCodec(table);

  it('keeps the shape of a stored array', () => {
    for (const text of ['{{1,2},{3,4}}', '[0:1]={7,NULL}', '[2:2][2:3]={{7,8}}', '{5,6}', '{}']) {
      const { key, value } = codec.encodePrimary([1, parseInts(text)]);
      const decoded = codec.decodePrimary(key, value);
      expect(formatText(int4Array, decoded[1]!), text).toBe(text);
    }
  });

  it('writes a 1-D array from 1 with the tag 9 bytes it always had, any other shape with tag 10', () => {
    const plain = codec.encodePrimary([1, parseInts('{5,6}')]).value;
    const shaped = codec.encodePrimary([1, parseInts('{{5,6}}')]).value;
    // version byte, then the entry header uvarint(idDelta 2 · 16 + tag).
    expect([plain[0], plain[1]]).toEqual([1, 2 * 16 + 9]);
    expect(hex(plain.subarray(2))).toBe('02030a030c');
    expect([shaped[0], shaped[1]]).toEqual([1, 2 * 16 + 10]);
  });
});

describe('array comparison', () => {
  it('orders by elements, then count, dimensions, lengths and lower bounds (array_cmp)', () => {
    const order = (left: string, right: string): number => Math.sign(compareDatums(int4Array, parseInts(left), parseInts(right)));
    expect(order('{{1,2},{3,4}}', '{1,2,3,4}')).toBe(1);
    expect(order('{{1,2}}', '{1,2}')).toBe(1);
    expect(order('[0:1]={1,2}', '{1,2}')).toBe(-1);
    expect(order('{{1},{2}}', '{{1,2}}')).toBe(1);
    expect(order('{{1,2},{3,4}}', '{{1,3}}')).toBe(-1);
    expect(order('[1:2]={1,2}', '{1,2}')).toBe(0);
  });
});

describe('array_fill', () => {
  it('builds the shape asked for, and refuses more elements than a value may hold before allocating them (54000)', () => {
    expect(formatText(int4Array, arrayFill(7, [2, 1], [0, 5]))).toBe('[0:1][5:5]={{7},{7}}');
    expect(() => arrayFill(1, [limits.valueBytesMax + 1], undefined)).toThrow(expect.objectContaining({ sqlState: '54000' }));
    expect(() => arrayFill(1, [4096, 4097], undefined)).toThrow(expect.objectContaining({ sqlState: '54000' }));
  });
});

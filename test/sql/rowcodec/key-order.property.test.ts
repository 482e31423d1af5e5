/**
 * The key encoding sorts like SQL: for every key-encodable type and both directions, comparing the
 * encoded key elements bytewise gives the sign of `compareDatums` (reversed for descending), and
 * each element decodes back to a datum equal to the original. NULL sorts first ascending and
 * last descending (the key encoding's rule, kv/storage/keys), where `compareDatums` sorts it last.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyBuilder, readKeyValue, type Direction } from '../../../kv/api/index.js';
import { appendDatumKey, datumFromKeyValue } from '../../../sql/rowcodec/index.js';
import {
  boolType,
  bpcharType,
  byteaType,
  compareDatums,
  dateType,
  float4Type,
  float8Type,
  int2Type,
  int4Type,
  int8Type,
  nameType,
  numericType,
  oidType,
  textType,
  timestampType,
  timestamptzType,
  uuidType,
  varcharType,
  type Datum,
  type SqlType,
} from '../../../sql/types/index.js';
import { datumArbitrary } from '../types/arbitrary.js';

const keyTypes: readonly SqlType[] = [
  boolType,
  int2Type,
  int4Type,
  int8Type,
  oidType,
  float4Type,
  float8Type,
  numericType(),
  textType,
  varcharType(10),
  bpcharType(4),
  bpcharType(),
  nameType,
  byteaType,
  uuidType,
  dateType,
  timestampType(),
  timestamptzType(),
];

function encode(type: SqlType, datum: Datum, direction: Direction): Uint8Array {
  const builder = new KeyBuilder();
  appendDatumKey(builder, type, datum, direction);
  return builder.finish();
}

/** compareDatums with NULL first (the key order's NULL placement). */
function keyOrder(type: SqlType, left: Datum, right: Datum): number {
  if (left === null || right === null) return left === right ? 0 : left === null ? -1 : 1;
  return Math.sign(compareDatums(type, left, right));
}

describe('key byte order is compareDatums order', () => {
  for (const type of keyTypes) {
    it(`${type.kind}${type.typmod === -1 ? '' : `(${type.typmod})`}`, () => {
      const arbitrary = fc.option(datumArbitrary(type, { forKey: true }), { nil: null, freq: 10 });
      fc.assert(
        fc.property(arbitrary, arbitrary, fc.constantFrom<Direction>('ascending', 'descending'), (left, right, direction) => {
          const order = Math.sign(Buffer.compare(encode(type, left, direction), encode(type, right, direction)));
          const expected = keyOrder(type, left, right);
          expect(order).toBe(direction === 'ascending' ? expected : -expected || 0);
          const bytes = encode(type, left, direction);
          const element = readKeyValue(bytes, 0);
          expect(element.end).toBe(bytes.length);
          expect(element.direction).toBe(direction);
          expect(keyOrder(type, datumFromKeyValue(type, element.value), left)).toBe(0);
        }),
        { seed: 4242, numRuns: 400 },
      );
    });
  }
});

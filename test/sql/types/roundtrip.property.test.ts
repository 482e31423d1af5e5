/**
 * Property tests: every datum of every type survives text I/O and binary I/O exactly (same
 * value, same numeric scale, -0 and NaN kept), and `compareDatums` is a total order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  arrayType,
  boolType,
  bpcharType,
  byteaType,
  compareDatums,
  dateType,
  decodeBinary,
  encodeBinary,
  float4Type,
  float8Type,
  formatText,
  int2Type,
  int4Type,
  int8Type,
  intervalType,
  jsonbType,
  nameType,
  numericType,
  oidType,
  parseText,
  textType,
  timeZoneFromSetting,
  timestampType,
  timestamptzType,
  uuidType,
  varcharType,
  type SqlType,
} from '../../../sql/types/index.js';
import { datumArbitrary, sameDatum } from './arbitrary.js';

const types: readonly SqlType[] = [
  boolType,
  int2Type,
  int4Type,
  int8Type,
  oidType,
  float4Type,
  float8Type,
  numericType(),
  textType,
  varcharType(),
  bpcharType(5),
  bpcharType(),
  nameType,
  byteaType,
  uuidType,
  dateType,
  timestampType(),
  timestamptzType(),
  intervalType,
  jsonbType,
];

const zones = ['UTC', '+05:30', 'UTC-14', 'America/New_York', 'Asia/Kolkata'].map(timeZoneFromSetting);

describe('text round trip', () => {
  for (const type of types) {
    it(`${type.kind}${type.typmod === -1 ? '' : `(${type.typmod})`}`, () => {
      fc.assert(
        fc.property(datumArbitrary(type), fc.constantFrom(...zones), (datum, timeZone) => {
          const context = { timeZone };
          const text = formatText(type, datum, context);
          const back = parseText(type, text, context);
          expect(sameDatum(back, datum), `${text}`).toBe(true);
        }),
        { seed: 20260, numRuns: 300 },
      );
    });
  }
  it('arrays of int4, text and numeric', () => {
    for (const element of [int4Type, textType, numericType()]) {
      const type = arrayType(element);
      fc.assert(
        fc.property(fc.array(fc.option(datumArbitrary(element), { nil: null }), { maxLength: 5 }), (items) => {
          const text = formatText(type, items);
          expect(sameDatum(parseText(type, text), items), text).toBe(true);
        }),
        { seed: 20261, numRuns: 200 },
      );
    }
  });
});

describe('binary round trip', () => {
  for (const type of [...types, arrayType(int8Type), arrayType(textType)]) {
    it(`${type.kind}`, () => {
      const arbitrary = type.kind === 'array' ? fc.array(fc.option(datumArbitrary(type.element), { nil: null }), { maxLength: 4 }) : datumArbitrary(type);
      fc.assert(
        fc.property(arbitrary, (datum) => {
          expect(sameDatum(decodeBinary(type, encodeBinary(type, datum)), datum)).toBe(true);
        }),
        { seed: 20262, numRuns: 300 },
      );
    });
  }
});

describe('compareDatums is a total order', () => {
  for (const type of types) {
    it(`${type.kind}`, () => {
      const arbitrary = fc.option(datumArbitrary(type), { nil: null, freq: 8 });
      fc.assert(
        fc.property(arbitrary, arbitrary, arbitrary, (a, b, c) => {
          expect(Math.sign(compareDatums(type, a, b))).toBe(-Math.sign(compareDatums(type, b, a)) || 0);
          expect(compareDatums(type, a, a)).toBe(0);
          const sorted = [a, b, c].sort((x, y) => compareDatums(type, x, y));
          expect(compareDatums(type, sorted[0]!, sorted[2]!)).toBeLessThanOrEqual(0);
          if (a === null) expect(compareDatums(type, a, b)).toBeGreaterThanOrEqual(0);
        }),
        { seed: 20263, numRuns: 300 },
      );
    });
  }
});

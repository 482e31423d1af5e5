import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeyValues, encodeKey, keyValueKinds, nullValue, type Direction, type KeyValue } from '../../../../kv/storage/keys/index.js';
import { arbitraryByKind, check, sign } from './arbitraries.js';

function encodedOrder(left: KeyValue, right: KeyValue, direction: Direction): number {
  return sign(Buffer.compare(encodeKey([left], [direction]), encodeKey([right], [direction])));
}

function valueOrder(left: KeyValue, right: KeyValue, direction: Direction): number {
  const order = sign(compareKeyValues(left, right));
  return direction === 'ascending' ? order : sign(-order);
}

describe('key encoding preserves the value order', () => {
  keyValueKinds.forEach((kind, kindIndex) => {
    (['ascending', 'descending'] as const).forEach((direction, directionIndex) => {
      it(`${kind} ${direction}, NULL included`, () => {
        const value = fc.oneof({ arbitrary: arbitraryByKind[kind], weight: 9 }, { arbitrary: fc.constant(nullValue), weight: 1 });
        fc.assert(
          fc.property(value, value, (left, right) => {
            const encoded = encodedOrder(left, right, direction);
            const expected = valueOrder(left, right, direction);
            check(encoded === expected, () => `encoded order ${encoded}, value order ${expected}`);
          }),
          { seed: 1000 + 10 * kindIndex + directionIndex, numRuns: 2000 },
        );
      });
    });
  });

  it('sorting by bytes sorts by value (a whole array at once)', () => {
    keyValueKinds.forEach((kind, kindIndex) => {
      fc.assert(
        fc.property(fc.array(arbitraryByKind[kind], { maxLength: 12 }), (values) => {
          const byValue = [...values].sort(compareKeyValues);
          const byBytes = [...values].sort((left, right) => Buffer.compare(encodeKey([left]), encodeKey([right])));
          byValue.forEach((value, index) => expect(compareKeyValues(value, byBytes[index]!)).toBe(0));
        }),
        { seed: 1200 + kindIndex, numRuns: 200 },
      );
    });
  });

  it('NULL sorts first ascending and last descending', () => {
    keyValueKinds.forEach((kind, kindIndex) => {
      fc.assert(
        fc.property(arbitraryByKind[kind], (value) => {
          if (value.kind === 'null') return;
          expect(Buffer.compare(encodeKey([nullValue]), encodeKey([value]))).toBe(-1);
          expect(Buffer.compare(encodeKey([nullValue], ['descending']), encodeKey([value], ['descending']))).toBe(1);
        }),
        { seed: 1300 + kindIndex, numRuns: 100 },
      );
    });
  });
});

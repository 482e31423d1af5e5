import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeyValues, decodeKeyElements, encodeKey, prefixEnd } from '../../../../kv/storage/keys/index.js';
import {
  arbitraryKeyValue,
  arbitrarySmallKeyValue,
  arbitraryTuple,
  check,
  compareTuples,
  hex,
  sameBytes,
  sign,
  type DirectedTuple,
} from './arbitraries.js';

function encode(tuple: DirectedTuple): Uint8Array {
  return encodeKey(tuple.values, tuple.directions);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && Buffer.compare(bytes.subarray(0, prefix.length), prefix) === 0;
}

/** True if `tuple` begins with values equal to `prefix`'s, in the same directions. */
function tupleStartsWith(tuple: DirectedTuple, prefix: DirectedTuple): boolean {
  if (tuple.values.length < prefix.values.length) return false;
  return prefix.values.every(
    (value, index) => tuple.directions[index] === prefix.directions[index] && compareKeyValues(tuple.values[index]!, value) === 0,
  );
}

describe('tuples', () => {
  it('round-trip with mixed kinds and directions', () => {
    fc.assert(
      fc.property(arbitraryTuple(arbitraryKeyValue, 8), (tuple) => {
        const bytes = encode(tuple);
        const elements = decodeKeyElements(bytes);
        check(elements.length === tuple.values.length, () => `decoded ${elements.length} elements`);
        elements.forEach((element, index) => {
          check(element.direction === tuple.directions[index], () => `direction of element ${index}`);
          check(compareKeyValues(element.value, tuple.values[index]!) === 0, () => `value of element ${index}`);
        });
        const reencoded = encodeKey(
          elements.map((element) => element.value),
          elements.map((element) => element.direction),
        );
        check(sameBytes(reencoded, bytes), () => `re-encoding differs from ${hex(bytes)}`);
      }),
      { seed: 3000, numRuns: 2000 },
    );
  });

  it('compare bytewise as they compare element by element', () => {
    const tuple = arbitraryTuple(fc.oneof(arbitrarySmallKeyValue, arbitraryKeyValue), 4);
    fc.assert(
      fc.property(tuple, tuple, (left, right) => {
        expect(sign(Buffer.compare(encode(left), encode(right)))).toBe(compareTuples(left, right));
      }),
      { seed: 3001, numRuns: 2000 },
    );
  });

  it('compare element by element when they share directions (small domain, many ties)', () => {
    const pairs = fc.array(fc.tuple(arbitrarySmallKeyValue, arbitrarySmallKeyValue), { maxLength: 4 });
    fc.assert(
      fc.property(pairs, fc.array(fc.constantFrom('ascending', 'descending' as const), { minLength: 4, maxLength: 4 }), (rows, directions) => {
        const left = { values: rows.map(([value]) => value), directions: directions.slice(0, rows.length) };
        const right = { values: rows.map(([, value]) => value), directions: directions.slice(0, rows.length) };
        expect(sign(Buffer.compare(encode(left), encode(right)))).toBe(compareTuples(left, right));
      }),
      { seed: 3002, numRuns: 2000 },
    );
  });

  it('a prefix span holds exactly the tuples that start with the prefix values', () => {
    const tuple = arbitraryTuple(arbitrarySmallKeyValue, 4);
    fc.assert(
      fc.property(tuple, tuple, (prefix, candidate) => {
        const start = encode(prefix);
        const end = prefixEnd(start);
        const key = encode(candidate);
        const inSpan = Buffer.compare(key, start) >= 0 && (end === undefined || Buffer.compare(key, end) < 0);
        expect(inSpan).toBe(tupleStartsWith(candidate, prefix));
        expect(startsWith(key, start)).toBe(tupleStartsWith(candidate, prefix));
      }),
      { seed: 3003, numRuns: 2000 },
    );
  });

  it('the encoding of the first n values is a prefix of the whole', () => {
    fc.assert(
      fc.property(arbitraryTuple(arbitraryKeyValue, 6), fc.nat(), (tuple, cut) => {
        const length = cut % (tuple.values.length + 1);
        const prefix = encodeKey(tuple.values.slice(0, length), tuple.directions.slice(0, length));
        expect(startsWith(encode(tuple), prefix)).toBe(true);
      }),
      { seed: 3004, numRuns: 1000 },
    );
  });
});

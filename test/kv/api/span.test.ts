/** Span helpers checked against a model: a span as the set of keys it holds over a small alphabet. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareKeys, keyMax, keyNext, prefixEnd, rspan, span, spanContains, spanContainsKey, spanIntersect, spanOverlaps, type Span } from '../../../kv/api/index.js';

// Every key of length ≤ 3 over {0x00, 0x61, 0xff}: enough to hit prefixes, 0x00 and 0xff edges.
const alphabet = [0x00, 0x61, 0xff];
const universe: Uint8Array[] = [new Uint8Array(0)];
for (let length = 1; length <= 3; length++) {
  for (const key of universe.filter((k) => k.length === length - 1)) for (const byte of alphabet) universe.push(Uint8Array.from([...key, byte]));
}
const keyArb = fc.constantFrom(...universe);
const spanArb: fc.Arbitrary<Span> = fc.oneof(
  keyArb.map((k) => span(k)),
  fc.tuple(keyArb, keyArb).filter(([a, b]) => compareKeys(a, b) < 0).map(([a, b]) => span(a, b)),
);
const model = (s: Span): Set<string> => new Set(universe.filter((k) => spanContainsKey(s, k)).map((k) => Buffer.from(k).toString('hex')));
const run = { seed: 7, numRuns: 500 };

describe('spans', () => {
  it('compareKeys orders keys as unsigned bytes, short (compared in JS) and long (in C++) alike', () => {
    // Long shared prefixes put the first difference past the JS loop's length bound.
    const byteKey = (prefix: number) => fc.tuple(fc.uint8Array({ maxLength: 3 }), fc.uint8Array({ maxLength: 4 })).map(([head, tail]) => Uint8Array.from([...head, ...new Array<number>(prefix).fill(0x61), ...tail]));
    const pair = fc.oneof(fc.tuple(byteKey(0), byteKey(0)), fc.tuple(byteKey(70), byteKey(70)), fc.tuple(byteKey(0), byteKey(70)));
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(Math.sign(compareKeys(a, b))).toBe(Buffer.compare(a, b));
      }),
      { seed: 11, numRuns: 1000 },
    );
  });

  it('keyNext is the immediate successor', () => {
    fc.assert(
      fc.property(keyArb, keyArb, (a, b) => {
        expect(compareKeys(a, keyNext(a))).toBeLessThan(0);
        // Nothing lies strictly between a and keyNext(a).
        expect(compareKeys(a, b) < 0 && compareKeys(b, keyNext(a)) < 0).toBe(false);
      }),
      run,
    );
  });

  it('prefixEnd bounds exactly the keys with the prefix', () => {
    fc.assert(
      fc.property(keyArb.filter((k) => k.some((b) => b !== 0xff)), keyArb, (prefix, key) => {
        const hasPrefix = key.length >= prefix.length && compareKeys(key.subarray(0, prefix.length), prefix) === 0;
        const inBounds = compareKeys(prefix, key) <= 0 && compareKeys(key, prefixEnd(prefix, keyMax)) < 0;
        expect(inBounds).toBe(hasPrefix);
      }),
      run,
    );
    expect(prefixEnd(Uint8Array.of(0xff, 0xff), keyMax)).toBe(keyMax);
  });

  it('spanContains, spanOverlaps and spanIntersect agree with the set model', () => {
    fc.assert(
      fc.property(spanArb, spanArb, (a, b) => {
        const [ma, mb] = [model(a), model(b)];
        const common = [...ma].filter((k) => mb.has(k));
        expect(spanOverlaps(a, b)).toBe(common.length > 0);
        expect(spanContains(a, b)).toBe([...mb].every((k) => ma.has(k)));
        const both = spanIntersect(a, b);
        expect(both === undefined ? [] : [...model(both)].sort()).toEqual(common.sort());
      }),
      run,
    );
  });

  it('asserts key < endKey', () => {
    expect(() => span(Uint8Array.of(2), Uint8Array.of(1))).toThrow(/key < endKey/);
    expect(() => rspan(Uint8Array.of(1), Uint8Array.of(1))).toThrow(/key < endKey/);
    expect(Object.isFrozen(span(Uint8Array.of(1)))).toBe(true);
  });
});

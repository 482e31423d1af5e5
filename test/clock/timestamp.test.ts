import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compare,
  decodeTimestamp,
  encodeTimestamp,
  formatTimestamp,
  maxTimestamp,
  next,
  parseTimestamp,
  prev,
  timestamp,
  zeroTimestamp,
  type Timestamp,
} from '../../clock/timestamp.js';

const arbTimestamp = fc
  .tuple(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 0xffff_ffff }))
  .map(([wall, logical]) => timestamp(wall, logical));

function byteCompare(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

describe('Timestamp', () => {
  it('orders by wall time, then logical', () => {
    expect(compare(timestamp(1n, 5), timestamp(2n, 0))).toBeLessThan(0);
    expect(compare(timestamp(2n, 1), timestamp(2n, 0))).toBeGreaterThan(0);
    expect(compare(timestamp(2n, 1), timestamp(2n, 1))).toBe(0);
  });

  it('next and prev step over the logical counter and carry into the wall time', () => {
    expect(next(timestamp(7n, 3))).toEqual(timestamp(7n, 4));
    expect(next(timestamp(7n, 0xffff_ffff))).toEqual(timestamp(8n, 0));
    expect(prev(timestamp(8n, 0))).toEqual(timestamp(7n, 0xffff_ffff));
    expect(() => prev(zeroTimestamp)).toThrow(/no predecessor/);
  });

  it('formats as CockroachDB does and parses back', () => {
    const ts = timestamp(1_732_500_000_000_000_123n, 4);
    expect(formatTimestamp(ts)).toBe('1732500000.000000123,4');
    expect(parseTimestamp('1732500000.000000123,4')).toEqual(ts);
    expect(parseTimestamp('1732500000.123,4')).toBeUndefined();
  });

  it('rejects out-of-range parts', () => {
    expect(() => timestamp(-1n)).toThrow();
    expect(() => timestamp(0n, -1)).toThrow();
    expect(() => timestamp(0n, 1.5)).toThrow();
    expect(() => timestamp(1n << 64n)).toThrow();
  });

  it('encodes to 12 bytes whose byte order is the timestamp order (property)', () => {
    fc.assert(
      fc.property(arbTimestamp, arbTimestamp, (a: Timestamp, b: Timestamp) => {
        const ea = encodeTimestamp(a);
        expect(ea.length).toBe(12);
        expect(Math.sign(byteCompare(ea, encodeTimestamp(b)))).toBe(Math.sign(compare(a, b)));
        expect(decodeTimestamp(ea)).toEqual(a);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('next is the successor and prev inverts it (property)', () => {
    fc.assert(
      fc.property(arbTimestamp, (a) => {
        fc.pre(compare(a, maxTimestamp) < 0);
        const n = next(a);
        expect(compare(a, n)).toBeLessThan(0);
        expect(prev(n)).toEqual(a);
      }),
      { seed: 7, numRuns: 1000 },
    );
  });
});

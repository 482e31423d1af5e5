import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maxTimestamp, timestamp, type Timestamp } from '../../clock/timestamp.js';
import {
  isUncertain,
  uncertaintyInterval,
  uncertaintyIntervalWithGlobalLimit,
  uncertaintyLimit,
} from '../../clock/uncertainty.js';
import { AssertionError } from '../../src/base/assert.js';

const uint64Max = (1n << 64n) - 1n;

describe('uncertaintyInterval', () => {
  it('spans (readTs, readTs + maxOffset] without an observed timestamp', () => {
    const interval = uncertaintyInterval(timestamp(1_000n, 3), 500n);
    expect(interval).toEqual({ readTs: timestamp(1_000n, 3), globalLimit: timestamp(1_500n, 3) });
    expect(interval.localLimit).toBeUndefined();
    expect(uncertaintyLimit(interval)).toEqual(timestamp(1_500n, 3));
    expect(Object.isFrozen(interval)).toBe(true);
  });

  it('treats the read timestamp itself as visible and the limit as uncertain', () => {
    const interval = uncertaintyInterval(timestamp(1_000n, 3), 500n);
    expect(isUncertain(interval, timestamp(900n, 0))).toBe(false);
    expect(isUncertain(interval, timestamp(1_000n, 3))).toBe(false);
    expect(isUncertain(interval, timestamp(1_000n, 4))).toBe(true);
    expect(isUncertain(interval, timestamp(1_200n, 0))).toBe(true);
    expect(isUncertain(interval, timestamp(1_500n, 3))).toBe(true);
    expect(isUncertain(interval, timestamp(1_500n, 4))).toBe(false);
    expect(isUncertain(interval, timestamp(1_501n, 0))).toBe(false);
  });

  it('is empty with a zero max offset', () => {
    const interval = uncertaintyInterval(timestamp(1_000n, 3), 0n);
    expect(interval.globalLimit).toEqual(timestamp(1_000n, 3));
    expect(isUncertain(interval, timestamp(1_000n, 4))).toBe(false);
  });

  it('lowers the limit to an observed timestamp between readTs and the global limit', () => {
    const interval = uncertaintyInterval(timestamp(1_000n, 0), 500n, timestamp(1_200n, 1));
    expect(interval.localLimit).toEqual(timestamp(1_200n, 1));
    expect(interval.globalLimit).toEqual(timestamp(1_500n, 0));
    expect(isUncertain(interval, timestamp(1_200n, 1))).toBe(true);
    expect(isUncertain(interval, timestamp(1_200n, 2))).toBe(false);
    expect(isUncertain(interval, timestamp(1_400n, 0))).toBe(false);
  });

  it('never lets an observed timestamp lower the limit below readTs', () => {
    const interval = uncertaintyInterval(timestamp(1_000n, 5), 500n, timestamp(800n, 0));
    expect(interval.localLimit).toEqual(timestamp(1_000n, 5));
    expect(isUncertain(interval, timestamp(1_000n, 6))).toBe(false);
    expect(isUncertain(interval, timestamp(1_100n, 0))).toBe(false);
  });

  it('never lets an observed timestamp raise the limit above the global limit', () => {
    const interval = uncertaintyInterval(timestamp(1_000n, 0), 500n, timestamp(9_000n, 0));
    expect(interval.localLimit).toEqual(timestamp(1_500n, 0));
    expect(isUncertain(interval, timestamp(1_500n, 0))).toBe(true);
    expect(isUncertain(interval, timestamp(1_600n, 0))).toBe(false);
  });

  it('clamps the global limit at the largest timestamp', () => {
    const interval = uncertaintyInterval(timestamp(uint64Max - 10n, 0), 500n);
    expect(interval.globalLimit).toEqual(maxTimestamp);
    expect(isUncertain(interval, maxTimestamp)).toBe(true);
  });

  it('asserts on a negative max offset', () => {
    expect(() => uncertaintyInterval(timestamp(1n), -1n)).toThrow(AssertionError);
  });
});

describe('uncertaintyIntervalWithGlobalLimit', () => {
  it('keeps a transaction start limit when the read timestamp was pushed', () => {
    // Started at 1_000 with a 500 offset; pushed to read at 1_300.
    const interval = uncertaintyIntervalWithGlobalLimit(timestamp(1_300n, 0), timestamp(1_500n, 0));
    expect(isUncertain(interval, timestamp(1_500n, 0))).toBe(true);
    expect(isUncertain(interval, timestamp(1_700n, 0))).toBe(false);
  });

  it('is empty once the read timestamp is pushed past the global limit', () => {
    const interval = uncertaintyIntervalWithGlobalLimit(timestamp(2_000n, 0), timestamp(1_500n, 0), timestamp(1_800n, 0));
    expect(interval.globalLimit).toEqual(timestamp(2_000n, 0));
    expect(interval.localLimit).toEqual(timestamp(2_000n, 0));
    expect(isUncertain(interval, timestamp(2_000n, 1))).toBe(false);
  });
});

describe('uncertainty (property)', () => {
  const arbitraryTimestamp = fc
    .tuple(fc.bigInt({ min: 0n, max: 10_000n }), fc.integer({ min: 0, max: 3 }))
    .map(([wallNanos, logical]) => timestamp(wallNanos, logical));

  it('uncertain means readTs < value ≤ the limit, and an observation only shrinks the interval', () => {
    fc.assert(
      fc.property(
        arbitraryTimestamp,
        fc.bigInt({ min: 0n, max: 2_000n }),
        fc.option(arbitraryTimestamp, { nil: undefined }),
        arbitraryTimestamp,
        (readTs: Timestamp, maxOffsetNanos: bigint, observedTs: Timestamp | undefined, valueTs: Timestamp) => {
          const withObservation = uncertaintyInterval(readTs, maxOffsetNanos, observedTs);
          const withoutObservation = uncertaintyInterval(readTs, maxOffsetNanos);
          const limit = uncertaintyLimit(withObservation);
          const inside = valueTs.wallNanos > readTs.wallNanos || (valueTs.wallNanos === readTs.wallNanos && valueTs.logical > readTs.logical);
          const belowLimit = valueTs.wallNanos < limit.wallNanos || (valueTs.wallNanos === limit.wallNanos && valueTs.logical <= limit.logical);
          expect(isUncertain(withObservation, valueTs)).toBe(inside && belowLimit);
          if (isUncertain(withObservation, valueTs)) expect(isUncertain(withoutObservation, valueTs)).toBe(true);
          expect(limit.wallNanos - readTs.wallNanos).toBeLessThanOrEqual(maxOffsetNanos);
          expect(limit.wallNanos).toBeGreaterThanOrEqual(readTs.wallNanos);
        },
      ),
      { seed: 5, numRuns: 1_000 },
    );
  });
});

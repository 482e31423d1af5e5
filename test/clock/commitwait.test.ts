import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StaticClockBound } from '../../clock/clockbound.js';
import { commitWaitNanos, isCommitWaitOver } from '../../clock/commitwait.js';
import { ManualClock } from '../../clock/manual.js';
import { less, lessEq, maxTimestamp, timestamp, zeroTimestamp } from '../../clock/timestamp.js';

const logicalMax = 0xffff_ffff;

describe('commitWaitNanos', () => {
  it('is zero once earliest is past the commit timestamp', () => {
    expect(commitWaitNanos({ earliest: timestamp(1_001n, 0) }, timestamp(1_000n, logicalMax))).toBe(0n);
    expect(commitWaitNanos({ earliest: timestamp(5_000n, 0) }, timestamp(1_000n, 3))).toBe(0n);
    expect(commitWaitNanos({ earliest: timestamp(1_000n, 4) }, timestamp(1_000n, 3))).toBe(0n);
  });

  it('waits past the whole wall nanosecond of the commit timestamp', () => {
    // earliest equal to commitTs is not past it.
    expect(commitWaitNanos({ earliest: timestamp(1_000n, 0) }, timestamp(1_000n, 0))).toBe(1n);
    // (1_000, 0) < (1_000, 3): a clock at 1_000 may still issue (1_000, 1..3).
    expect(commitWaitNanos({ earliest: timestamp(1_000n, 0) }, timestamp(1_000n, 3))).toBe(1n);
    expect(commitWaitNanos({ earliest: timestamp(400n, 0) }, timestamp(1_000n, 0))).toBe(601n);
    expect(commitWaitNanos({ earliest: timestamp(400n, 9) }, timestamp(1_000n, logicalMax))).toBe(601n);
  });

  it('handles the ends of the timestamp range', () => {
    expect(commitWaitNanos({ earliest: zeroTimestamp }, zeroTimestamp)).toBe(1n);
    expect(commitWaitNanos({ earliest: timestamp(1n, 0) }, zeroTimestamp)).toBe(0n);
    expect(commitWaitNanos({ earliest: zeroTimestamp }, maxTimestamp)).toBe(1n << 64n);
  });

  it('is the least wait after which earliest is past commitTs (property)', () => {
    const arbitraryTimestamp = fc
      .tuple(fc.bigInt({ min: 0n, max: 1n << 40n }), fc.integer({ min: 0, max: logicalMax }))
      .map(([wallNanos, logical]) => timestamp(wallNanos, logical));
    fc.assert(
      fc.property(arbitraryTimestamp, arbitraryTimestamp, (earliest, commitTs) => {
        const waitNanos = commitWaitNanos({ earliest }, commitTs);
        expect(waitNanos).toBeGreaterThanOrEqual(0n);
        if (waitNanos === 0n) {
          expect(less(commitTs, earliest)).toBe(true);
          return;
        }
        expect(lessEq(earliest, commitTs)).toBe(true);
        // After the wait the bound's earliest is (earliest.wall + wait, 0): past commitTs …
        expect(less(commitTs, timestamp(earliest.wallNanos + waitNanos, 0))).toBe(true);
        // … and one nanosecond less would not be.
        expect(less(commitTs, timestamp(earliest.wallNanos + waitNanos - 1n, 0))).toBe(false);
      }),
      { seed: 4, numRuns: 1_000 },
    );
  });
});

describe('isCommitWaitOver', () => {
  it('turns true exactly when the physical clock passes commitTs by more than the max offset', () => {
    const physical = new ManualClock(1_000n);
    const bound = new StaticClockBound(physical, 500n);
    const commitTs = timestamp(1_000n, 2);
    expect(isCommitWaitOver(bound, commitTs)).toBe(false);
    const waitNanos = commitWaitNanos(bound.now(), commitTs);
    expect(waitNanos).toBe(501n);
    physical.advance(waitNanos - 1n);
    expect(isCommitWaitOver(bound, commitTs)).toBe(false);
    physical.advance(1n);
    expect(isCommitWaitOver(bound, commitTs)).toBe(true);
    // A clock that steps back re-opens the wait: callers must re-check after sleeping.
    physical.rewind(1n);
    expect(isCommitWaitOver(bound, commitTs)).toBe(false);
  });
});

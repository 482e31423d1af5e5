/**
 * The clock layer end to end, through its index: two nodes whose physical clocks are 400ns apart
 * under a 500ns max offset. A write on the fast node followed by a read on the slow node must not
 * be silently missed: without commit wait the read sees it as uncertain; after commit wait the
 * slow node's clock alone orders the read after the write.
 */
import { describe, expect, it } from 'vitest';
import {
  ClockOffsetError,
  HybridClock,
  ManualClock,
  StaticClockBound,
  commitWaitNanos,
  isCommitWaitOver,
  isUncertain,
  less,
  timestamp,
  uncertaintyInterval,
} from '../../clock/index.js';

const maxOffsetNanos = 500n;

function twoNodes(): { fastPhysical: ManualClock; slowPhysical: ManualClock; fast: HybridClock; slow: HybridClock } {
  const fastPhysical = new ManualClock(10_400n);
  const slowPhysical = new ManualClock(10_000n);
  return {
    fastPhysical,
    slowPhysical,
    fast: new HybridClock(fastPhysical, { maxOffsetNanos }),
    slow: new HybridClock(slowPhysical, { maxOffsetNanos }),
  };
}

describe('clock skew between two nodes', () => {
  it('a read on the slow node right after a write on the fast one finds the write uncertain', () => {
    const { fast, slow } = twoNodes();
    const commitTs = fast.now();
    const readTs = slow.now();
    expect(less(readTs, commitTs)).toBe(true); // the slow clock would order the read first
    expect(isUncertain(uncertaintyInterval(readTs, slow.maxOffsetNanos), commitTs)).toBe(true);
  });

  it('after commit wait on the fast node, the slow node reads above the commit timestamp', () => {
    const { fastPhysical, slowPhysical, fast, slow } = twoNodes();
    const commitTs = fast.now();
    const bound = StaticClockBound.fromHybridClock(fast);
    const waitNanos = commitWaitNanos(bound.now(), commitTs);
    expect(waitNanos).toBe(maxOffsetNanos + 1n);
    fastPhysical.advance(waitNanos);
    slowPhysical.advance(waitNanos);
    expect(isCommitWaitOver(bound, commitTs)).toBe(true);
    const readTs = slow.now();
    expect(less(commitTs, readTs)).toBe(true);
  });

  it('an observed timestamp from the slow node excludes values it wrote after the read began', () => {
    const { slowPhysical, slow } = twoNodes();
    const readTs = slow.now();
    const observedTs = slow.now();
    slowPhysical.advance(100n);
    const laterWriteTs = slow.now();
    expect(isUncertain(uncertaintyInterval(readTs, maxOffsetNanos), laterWriteTs)).toBe(true);
    expect(isUncertain(uncertaintyInterval(readTs, maxOffsetNanos, observedTs), laterWriteTs)).toBe(false);
  });

  it('a message from the fast node moves the slow clock past it; one from a rogue clock is refused', () => {
    const { fast, slow } = twoNodes();
    const sent = fast.now();
    slow.update(sent);
    expect(less(sent, slow.now())).toBe(true);
    expect(() => slow.update(timestamp(10_000n + maxOffsetNanos + 1n, 0))).toThrow(ClockOffsetError);
  });
});

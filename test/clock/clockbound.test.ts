import { describe, expect, it } from 'vitest';
import { StaticClockBound } from '../../clock/clockbound.js';
import { HybridClock } from '../../clock/hlc.js';
import { ManualClock } from '../../clock/manual.js';
import { timestamp } from '../../clock/timestamp.js';
import { AssertionError } from '../../src/base/assert.js';

const uint64Max = (1n << 64n) - 1n;

describe('StaticClockBound', () => {
  it('answers the physical clock ± the max offset, following the clock', () => {
    const physical = new ManualClock(10_000n);
    const bound = new StaticClockBound(physical, 500n);
    expect(bound.maxOffsetNanos).toBe(500n);
    expect(bound.now()).toEqual({ earliest: timestamp(9_500n, 0), latest: timestamp(10_500n, 0) });
    physical.advance(1_000n);
    expect(bound.now()).toEqual({ earliest: timestamp(10_500n, 0), latest: timestamp(11_500n, 0) });
    physical.rewind(2_000n); // not monotonic: it follows the clock back
    expect(bound.now().earliest).toEqual(timestamp(8_500n, 0));
  });

  it('clamps earliest at zero and latest at the largest wall time', () => {
    const physical = new ManualClock(200n);
    const bound = new StaticClockBound(physical, 500n);
    expect(bound.now()).toEqual({ earliest: timestamp(0n, 0), latest: timestamp(700n, 0) });
    physical.set(uint64Max - 100n);
    expect(bound.now()).toEqual({ earliest: timestamp(uint64Max - 600n, 0), latest: timestamp(uint64Max, 0) });
  });

  it('with a zero max offset, is the physical reading itself', () => {
    const bound = new StaticClockBound(new ManualClock(77n), 0n);
    expect(bound.now()).toEqual({ earliest: timestamp(77n, 0), latest: timestamp(77n, 0) });
  });

  it('returns a frozen interval', () => {
    expect(Object.isFrozen(new StaticClockBound(new ManualClock(1n), 1n).now())).toBe(true);
  });

  it('built from a HybridClock, reads its physical clock (not its wall time) and its max offset', () => {
    const physical = new ManualClock(10_000n);
    const clock = new HybridClock(physical, { maxOffsetNanos: 300n });
    clock.update(timestamp(10_300n, 0)); // the HLC leads the physical clock
    const bound = StaticClockBound.fromHybridClock(clock);
    expect(bound.maxOffsetNanos).toBe(300n);
    expect(bound.now()).toEqual({ earliest: timestamp(9_700n, 0), latest: timestamp(10_300n, 0) });
    physical.advance(50n);
    expect(bound.now().earliest).toEqual(timestamp(9_750n, 0));
    // Reading the bound does not tick the hybrid clock.
    expect(clock.now()).toEqual(timestamp(10_300n, 1));
  });

  it('asserts on a negative max offset and a broken physical clock', () => {
    expect(() => new StaticClockBound(new ManualClock(), -1n)).toThrow(AssertionError);
    expect(() => new StaticClockBound({ nowNanos: () => -1n }, 1n).now()).toThrow(AssertionError);
  });
});

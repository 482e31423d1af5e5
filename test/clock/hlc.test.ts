import { describe, expect, it } from 'vitest';
import { ClockOffsetError } from '../../clock/errors.js';
import { HybridClock, type BackwardClockJump } from '../../clock/hlc.js';
import { ManualClock } from '../../clock/manual.js';
import { timestamp, type Timestamp } from '../../clock/timestamp.js';
import { AssertionError } from '../../src/base/assert.js';
import { RangedbError } from '../../src/base/errors.js';
import { limits } from '../../src/base/limits.js';

const logicalMax = 0xffff_ffff;

function clockAt(physicalNanos: bigint, maxOffsetNanos = 100n): { physical: ManualClock; clock: HybridClock } {
  const physical = new ManualClock(physicalNanos);
  return { physical, clock: new HybridClock(physical, { maxOffsetNanos }) };
}

describe('HybridClock.now', () => {
  it('takes the physical time when it has moved forward', () => {
    const { physical, clock } = clockAt(1_000n);
    expect(clock.now()).toEqual(timestamp(1_000n, 0));
    physical.advance(500n);
    expect(clock.now()).toEqual(timestamp(1_500n, 0));
  });

  it('counts up the logical counter while the physical clock stalls', () => {
    const { clock } = clockAt(1_000n);
    expect(clock.now()).toEqual(timestamp(1_000n, 0));
    expect(clock.now()).toEqual(timestamp(1_000n, 1));
    expect(clock.now()).toEqual(timestamp(1_000n, 2));
  });

  it('stays monotonic when the physical clock steps backwards, until it catches up', () => {
    const { physical, clock } = clockAt(1_000n);
    expect(clock.now()).toEqual(timestamp(1_000n, 0));
    physical.rewind(600n);
    expect(clock.now()).toEqual(timestamp(1_000n, 1));
    physical.advance(600n); // back at 1_000: still not past the last wall time
    expect(clock.now()).toEqual(timestamp(1_000n, 2));
    physical.advance(1n);
    expect(clock.now()).toEqual(timestamp(1_001n, 0));
  });

  // Timestamps were frozen until the select-only profile showed Object.freeze (a runtime call V8
  // does not inline) on every one of the several a point read makes; they are immutable by type
  // now (clock/timestamp.ts). The type check of this file (tsc) is the assertion: assigning a
  // field must not compile.
  it('returns timestamps whose fields are readonly', () => {
    const { clock } = clockAt(1_000n);
    const mutate = (ts: Timestamp): void => {
      // @ts-expect-error a Timestamp's wall time is readonly
      ts.wallNanos = 0n;
      // @ts-expect-error a Timestamp's logical counter is readonly
      ts.logical = 0;
    };
    const first = clock.now();
    const second = clock.now();
    expect(second).toEqual(timestamp(1_000n, 1));
    expect(first).toEqual(timestamp(1_000n, 0)); // issuing the next reading left the first as it was
    expect(mutate).toBeTypeOf('function');
  });
});

describe('HybridClock logical overflow', () => {
  it('carries into the wall time when the logical counter is full', () => {
    const { physical, clock } = clockAt(1_000n);
    clock.update(timestamp(1_000n, logicalMax - 1));
    expect(clock.now()).toEqual(timestamp(1_000n, logicalMax));
    expect(clock.now()).toEqual(timestamp(1_001n, 0));
    // The wall time now leads the physical clock by the carry, and keeps counting from there.
    expect(clock.now()).toEqual(timestamp(1_001n, 1));
    physical.advance(1n);
    expect(clock.now()).toEqual(timestamp(1_001n, 2));
    physical.advance(1n);
    expect(clock.now()).toEqual(timestamp(1_002n, 0));
  });

  it('carries when a received timestamp has a full logical counter', () => {
    const { clock } = clockAt(1_000n);
    clock.update(timestamp(1_050n, logicalMax));
    expect(clock.now()).toEqual(timestamp(1_051n, 0));
  });
});

describe('HybridClock.update', () => {
  it('folds in a remote timestamp ahead of it: the next now() is just above it', () => {
    const { physical, clock } = clockAt(1_000n);
    expect(clock.now()).toEqual(timestamp(1_000n, 0));
    clock.update(timestamp(1_080n, 7));
    expect(clock.now()).toEqual(timestamp(1_080n, 8));
    physical.advance(50n); // 1_050: still behind the remote wall time
    expect(clock.now()).toEqual(timestamp(1_080n, 9));
    physical.advance(31n); // 1_081
    expect(clock.now()).toEqual(timestamp(1_081n, 0));
  });

  it('ignores a remote timestamp behind it', () => {
    const { clock } = clockAt(1_000n);
    expect(clock.now()).toEqual(timestamp(1_000n, 0));
    clock.update(timestamp(500n, 3));
    clock.update(timestamp(1_000n, 0)); // equal to the last reading
    expect(clock.now()).toEqual(timestamp(1_000n, 1));
  });

  it('moves past a remote timestamp even before the first now()', () => {
    const { clock } = clockAt(1_000n);
    clock.update(timestamp(1_000n, 5));
    expect(clock.now()).toEqual(timestamp(1_000n, 6));
  });

  it('accepts a remote exactly maxOffsetNanos ahead of the physical clock', () => {
    const { clock } = clockAt(1_000n, 100n);
    clock.update(timestamp(1_100n, logicalMax - 1));
    expect(clock.now()).toEqual(timestamp(1_100n, logicalMax));
  });

  it('rejects a remote more than maxOffsetNanos ahead with CLOCK_OFFSET, leaving the clock unchanged', () => {
    const { clock } = clockAt(1_000n, 100n);
    expect(clock.now()).toEqual(timestamp(1_000n, 0));
    let caught: unknown;
    try {
      clock.update(timestamp(1_101n, 0));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ClockOffsetError);
    expect(caught).toBeInstanceOf(RangedbError);
    const error = caught as ClockOffsetError;
    expect(error.code).toBe('CLOCK_OFFSET');
    expect(error.errorClass).toBe('unavailable');
    expect(error.sqlState).toBe('58000');
    expect(error.name).toBe('ClockOffsetError');
    expect(error.remoteWallNanos).toBe(1_101n);
    expect(error.physicalNanos).toBe(1_000n);
    expect(error.maxOffsetNanos).toBe(100n);
    expect(error.offsetNanos).toBe(101n);
    expect(error.message).toMatch(/101ns ahead.*maximum clock offset of 100ns/);
    expect(clock.now()).toEqual(timestamp(1_000n, 1));
  });

  it('measures the offset against the physical clock, not the hybrid clock', () => {
    const { physical, clock } = clockAt(1_000n, 100n);
    clock.update(timestamp(1_100n, 0)); // the HLC now leads the physical clock by 100
    // Only 1 ahead of the HLC, but 101 ahead of the physical clock.
    expect(() => clock.update(timestamp(1_101n, 0))).toThrow(ClockOffsetError);
    // After a backward step, the same remote is judged against the lower reading.
    physical.rewind(100n); // 900
    expect(() => clock.update(timestamp(1_050n, 0))).toThrow(ClockOffsetError);
    expect(clock.now()).toEqual(timestamp(1_100n, 1));
  });

  it('with a zero max offset, refuses anything ahead of the physical clock', () => {
    const { clock } = clockAt(1_000n, 0n);
    clock.update(timestamp(1_000n, 9));
    expect(() => clock.update(timestamp(1_001n, 0))).toThrow(ClockOffsetError);
    expect(clock.now()).toEqual(timestamp(1_000n, 10));
  });

  it('keeps its own copy of the remote timestamp', () => {
    const { clock } = clockAt(1_000n);
    const remote = { wallNanos: 1_050n, logical: 3 };
    clock.update(remote);
    remote.wallNanos = 5_000n;
    expect(clock.now()).toEqual(timestamp(1_050n, 4));
  });
});

describe('HybridClock backward jumps', () => {
  it('reports each step back of the physical clock once, and nothing else', () => {
    const jumps: BackwardClockJump[] = [];
    const physical = new ManualClock(1_000n);
    const clock = new HybridClock(physical, { maxOffsetNanos: 100n, onBackwardJump: (jump) => jumps.push(jump) });
    clock.now();
    clock.now(); // a stall is not a jump
    physical.advance(10n);
    clock.now();
    expect(jumps).toEqual([]);
    physical.rewind(300n); // 710
    clock.now();
    physical.advance(5n); // 715: forward again, below the old reading, but not a new step back
    clock.now();
    expect(jumps).toEqual([{ previousPhysicalNanos: 1_010n, physicalNanos: 710n }]);
    physical.rewind(15n); // 700, seen through physicalNow
    expect(clock.physicalNow()).toBe(700n);
    expect(jumps).toHaveLength(2);
    expect(jumps[1]).toEqual({ previousPhysicalNanos: 715n, physicalNanos: 700n });
  });

  it('survives a callback that throws or reads the clock', () => {
    const physical = new ManualClock(1_000n);
    let reentrant: Timestamp | undefined;
    let throwing = true;
    const clock = new HybridClock(physical, {
      maxOffsetNanos: 100n,
      onBackwardJump: () => {
        reentrant = clock.now();
        if (throwing) throw new Error('boom');
      },
    });
    expect(clock.now()).toEqual(timestamp(1_000n, 0));
    physical.rewind(1n);
    expect(() => clock.now()).toThrow('boom');
    expect(reentrant).toEqual(timestamp(1_000n, 1));
    expect(clock.now()).toEqual(timestamp(1_000n, 2));
    throwing = false;
    physical.rewind(1n);
    expect(clock.now()).toEqual(timestamp(1_000n, 4)); // the callback took 3
    expect(reentrant).toEqual(timestamp(1_000n, 3));
  });
});

describe('HybridClock accessors and arguments', () => {
  it('reports its max offset, defaulting to the cluster default', () => {
    expect(new HybridClock(new ManualClock()).maxOffsetNanos).toBe(limits.maxClockOffsetNanosDefault);
    expect(new HybridClock(new ManualClock(), { maxOffsetNanos: 250n }).maxOffsetNanos).toBe(250n);
  });

  it('physicalNow reads the physical clock without ticking the hybrid clock', () => {
    const { physical, clock } = clockAt(1_000n);
    clock.update(timestamp(1_090n, 0));
    expect(clock.physicalNow()).toBe(1_000n);
    expect(clock.physicalNow()).toBe(1_000n);
    expect(clock.now()).toEqual(timestamp(1_090n, 1));
    physical.advance(7n);
    expect(clock.physicalNow()).toBe(1_007n);
  });

  it('physicalPassed answers from the last physical reading, without reading the clock', () => {
    let reads = 0;
    const physical = new ManualClock(1_000n);
    const clock = new HybridClock({ nowNanos: () => (reads++, physical.nowNanos()) }, { maxOffsetNanos: 100n });
    expect(clock.physicalPassed(0n)).toBe(false); // nothing read yet: unknown
    clock.now();
    expect(clock.physicalPassed(999n)).toBe(true);
    expect(clock.physicalPassed(1_000n)).toBe(false); // strictly past, as commit wait needs
    physical.advance(5n);
    expect(clock.physicalPassed(1_000n)).toBe(false); // not read since: not known
    clock.update(timestamp(1_001n, 0));
    expect(clock.physicalPassed(1_004n)).toBe(true);
    physical.rewind(10n);
    clock.physicalNow();
    expect(clock.physicalPassed(1_000n)).toBe(false); // a step back: the last reading is what counts
    expect(reads).toBe(3);
  });

  it('asserts on a negative max offset and on a broken physical clock', () => {
    expect(() => new HybridClock(new ManualClock(), { maxOffsetNanos: -1n })).toThrow(AssertionError);
    const negative = new HybridClock({ nowNanos: () => -5n }, { maxOffsetNanos: 1n });
    expect(() => negative.now()).toThrow(AssertionError);
    const huge = new HybridClock({ nowNanos: () => 1n << 64n }, { maxOffsetNanos: 1n });
    expect(() => huge.physicalNow()).toThrow(/64 bits/);
  });
});

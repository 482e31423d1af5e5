import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/manual.js';
import { AssertionError } from '../../src/base/assert.js';

describe('ManualClock', () => {
  it('reads its start time until moved', () => {
    const clock = new ManualClock(1_000n);
    expect(clock.nowNanos()).toBe(1_000n);
    expect(clock.nowNanos()).toBe(1_000n);
    expect(new ManualClock().nowNanos()).toBe(0n);
  });

  it('advances, rewinds and sets, backwards on purpose too', () => {
    const clock = new ManualClock(1_000n);
    clock.advance(500n);
    expect(clock.nowNanos()).toBe(1_500n);
    clock.rewind(1_200n);
    expect(clock.nowNanos()).toBe(300n);
    clock.set(42n);
    expect(clock.nowNanos()).toBe(42n);
    clock.advance(0n);
    expect(clock.nowNanos()).toBe(42n);
  });

  it('refuses negative moves and readings outside 64 bits', () => {
    const clock = new ManualClock(10n);
    expect(() => clock.advance(-1n)).toThrow(AssertionError);
    expect(() => clock.rewind(-1n)).toThrow(AssertionError);
    expect(() => clock.rewind(11n)).toThrow(/negative/);
    expect(() => clock.set(1n << 64n)).toThrow(/64 bits/);
    expect(() => new ManualClock(-1n)).toThrow(AssertionError);
    // A refused move leaves the reading alone.
    expect(clock.nowNanos()).toBe(10n);
  });
});

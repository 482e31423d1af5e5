/**
 * `ManualClock`: a `PhysicalClock` that moves only when told to — for tests and the simulator,
 * which stack offsets, drift and jumps on top of it. Unlike a real clock it may be moved
 * backwards on purpose (`set`, `rewind`), to play the NTP step that `HybridClock` must survive.
 */
import { assert } from '../src/base/assert.js';
import type { PhysicalClock } from './physical.js';

const uint64Max = (1n << 64n) - 1n;

function assertInRange(nanos: bigint, what: string): void {
  assert(nanos >= 0n, () => `${what} is negative: ${nanos}`);
  assert(nanos <= uint64Max, () => `${what} does not fit 64 bits: ${nanos}`);
}

export class ManualClock implements PhysicalClock {
  private currentNanos: bigint;

  /** A clock that reads `startNanos` (nanoseconds since the Unix epoch) until moved. */
  constructor(startNanos = 0n) {
    assertInRange(startNanos, 'start time');
    this.currentNanos = startNanos;
  }

  nowNanos(): bigint {
    return this.currentNanos;
  }

  /** Sets the reading to `nanos`, forwards or backwards. */
  set(nanos: bigint): void {
    assertInRange(nanos, 'clock reading');
    this.currentNanos = nanos;
  }

  /** Moves the reading forwards by `nanos` (at least 0). */
  advance(nanos: bigint): void {
    assert(nanos >= 0n, () => `advance by a negative amount: ${nanos}; use rewind`);
    this.set(this.currentNanos + nanos);
  }

  /** Moves the reading backwards by `nanos` (at least 0): a clock step, as NTP may make. */
  rewind(nanos: bigint): void {
    assert(nanos >= 0n, () => `rewind by a negative amount: ${nanos}; use advance`);
    this.set(this.currentNanos - nanos);
  }
}

/**
 * `HybridClock`: a hybrid logical clock (HLC; Kulkarni et al., "Logical Physical Clocks", 2014;
 * CockroachDB's `hlc.Clock`). It stamps every transaction, MVCC version and lease in rangedb.
 *
 * An HLC reading is a `Timestamp`: a wall time that tracks the physical clock, plus a logical
 * counter that orders events the wall time cannot tell apart. It gives what neither part gives
 * alone:
 *
 * - like a Lamport clock, it respects causality: once a node has seen timestamp `t` (its own or a
 *   peer's, via `update`), every later `now()` on that node is greater than `t`;
 * - like a physical clock, it stays close to real time: the wall time is the largest physical
 *   reading or remote wall time seen, so it leads the local physical clock by at most the
 *   cluster's max clock offset (remotes further ahead are refused) — which is what lets
 *   uncertainty intervals and commit wait bound the damage clock skew can do.
 *
 * The rules, with `last` the highest timestamp issued or received so far:
 *
 * ```
 *   now():          wall := physical                  if physical > last.wall   (logical := 0)
 *                   last := next(last)                otherwise (logical + 1; carries into wall)
 *   update(remote): refuse if remote.wall − physical > maxOffsetNanos  (ClockOffsetError)
 *                   last := max(last, remote)
 * ```
 *
 * `update` is the HLC receive rule split in two: it folds the remote timestamp in, and the next
 * `now()` does the tick (CockroachDB's `Update`). A caller that wants a timestamp for the receive
 * event itself calls `update(remote)` then `now()`, and gets one greater than both `remote` and
 * every earlier reading; a caller that only forwards a message does not burn a logical tick.
 *
 * The physical clock is injected (`Env.clock`, or a `ManualClock` in tests and the simulator) and
 * may jump backwards (an NTP step). The HLC does not: while the physical clock is behind `last`,
 * `now()` keeps `last.wall` and counts up the logical counter; 2^32 readings inside one wall
 * nanosecond carry into the wall time. The optional `onBackwardJump` callback reports each step
 * back so the owner can log or count it; the clock itself logs nothing.
 *
 * The clock is sans-I/O and synchronous (DESIGN.md §2.1): no timers, no `await`, one owner per
 * node. Its state lives only in memory; monotonicity across a restart relies on the physical
 * clock having moved past the last reading before the restart (CockroachDB additionally
 * persists an upper bound and sleeps past it at startup; that belongs to the node, not here).
 */
import { assert } from '../src/base/assert.js';
import { limits } from '../src/base/limits.js';
import { ClockOffsetError } from './errors.js';
import type { PhysicalClock } from './physical.js';
import { less, maxTimestamp, next, timestamp, zeroTimestamp, type Timestamp } from './timestamp.js';

/** A step backwards of the physical clock, as seen between two consecutive readings. */
export interface BackwardClockJump {
  /** The previous physical reading, in nanoseconds. */
  readonly previousPhysicalNanos: bigint;
  /** The new, smaller physical reading, in nanoseconds. */
  readonly physicalNanos: bigint;
}

export interface HybridClockOptions {
  /**
   * The cluster-wide bound on the offset between any two nodes' clocks, in nanoseconds (at
   * least 0; `--max-offset`). Defaults to `limits.maxClockOffsetNanosDefault` (500ms). Zero means
   * the clocks are perfectly synchronized (e.g. one virtual clock in the simulator): remote
   * timestamps ahead of the local physical clock are refused and uncertainty intervals are empty.
   */
  readonly maxOffsetNanos?: bigint;
  /**
   * Called synchronously, after the clock has recorded the reading, each time the physical clock
   * reads less than it did the time before. It may call back into the clock. An exception it
   * throws propagates out of the clock method that read the physical clock, and that call then
   * has no effect on the clock's state.
   */
  readonly onBackwardJump?: (jump: BackwardClockJump) => void;
}

const uint64Max = (1n << 64n) - 1n;

export class HybridClock {
  private readonly physicalClock: PhysicalClock;
  private readonly configuredMaxOffsetNanos: bigint;
  private readonly onBackwardJump: ((jump: BackwardClockJump) => void) | undefined;
  /** The highest timestamp this clock has issued or received: the HLC's state. */
  private last: Timestamp = zeroTimestamp;
  /** The previous physical reading, only to detect backward jumps. */
  private lastPhysicalNanos: bigint | undefined = undefined;

  constructor(physicalClock: PhysicalClock, options: HybridClockOptions = {}) {
    const maxOffsetNanos = options.maxOffsetNanos ?? limits.maxClockOffsetNanosDefault;
    assert(maxOffsetNanos >= 0n, () => `maxOffsetNanos is negative: ${maxOffsetNanos}`);
    assert(maxOffsetNanos <= uint64Max, () => `maxOffsetNanos does not fit 64 bits: ${maxOffsetNanos}`);
    this.physicalClock = physicalClock;
    this.configuredMaxOffsetNanos = maxOffsetNanos;
    this.onBackwardJump = options.onBackwardJump;
  }

  /** The cluster-wide max clock offset this clock enforces, in nanoseconds. */
  get maxOffsetNanos(): bigint {
    return this.configuredMaxOffsetNanos;
  }

  /**
   * A new timestamp, strictly greater than every timestamp this clock has returned from `now()`
   * and every remote timestamp it has accepted through `update()`. Its wall time is the current
   * physical time unless the clock is already ahead of that (a stalled or stepped-back physical
   * clock, or a remote timestamp from a faster peer).
   */
  now(): Timestamp {
    const physicalNanos = this.readPhysical();
    const previous = this.last;
    if (physicalNanos > previous.wallNanos) {
      this.last = timestamp(physicalNanos, 0);
    } else {
      // Reachable only from a physical clock or a remote timestamp at the end of 64-bit time.
      assert(less(previous, maxTimestamp), 'hybrid clock has reached the largest timestamp');
      this.last = next(previous);
    }
    assert(less(previous, this.last), 'hybrid clock went backwards');
    return this.last;
  }

  /**
   * Folds `remote` (a timestamp another node's `HybridClock` issued, carried on a message) into
   * this clock, so every later `now()` is strictly greater than it.
   *
   * Throws `ClockOffsetError`, and leaves the clock unchanged, if `remote`'s wall time is more
   * than `maxOffsetNanos` ahead of the local physical clock (exactly `maxOffsetNanos` ahead is
   * accepted). A remote timestamp behind the clock changes nothing.
   *
   * Feed it only timestamps read from a clock — not, say, a transaction timestamp pushed into
   * the future on purpose — or the check refuses them and, if it did not, the clock would leap.
   */
  update(remote: Timestamp): void {
    const physicalNanos = this.readPhysical();
    if (remote.wallNanos - physicalNanos > this.configuredMaxOffsetNanos) {
      throw new ClockOffsetError(remote.wallNanos, physicalNanos, this.configuredMaxOffsetNanos);
    }
    // Copied (and range-checked) so a caller that mutates its object cannot move the clock.
    if (less(this.last, remote)) this.last = timestamp(remote.wallNanos, remote.logical);
  }

  /**
   * The local physical clock's reading, in nanoseconds since the Unix epoch, without ticking the
   * HLC. It may be behind earlier `now()` wall times; use it for physical-time bounds
   * (`StaticClockBound`, lease expirations measured in local time), never as a timestamp.
   */
  physicalNow(): bigint {
    return this.readPhysical();
  }

  /**
   * Whether the physical clock is known to have passed `wallNanos` without reading it again: the
   * last reading taken (by `now`, `update` or `physicalNow`) was above it. False says only that
   * the last reading does not show it — read the clock (`physicalNow`) to know. Commit wait's
   * rule 1 asks this of every commit; on a node that served the transaction's last request the
   * replica's reading of the clock answers it, and a reading costs about a microsecond (two clock
   * sources, a bigint, the backward-jump check).
   */
  physicalPassed(wallNanos: bigint): boolean {
    const last = this.lastPhysicalNanos;
    return last !== undefined && wallNanos < last;
  }

  private readPhysical(): bigint {
    const physicalNanos = this.physicalClock.nowNanos();
    assert(physicalNanos >= 0n, () => `physical clock reads a negative time: ${physicalNanos}`);
    assert(physicalNanos <= uint64Max, () => `physical clock reading does not fit 64 bits: ${physicalNanos}`);
    const previousPhysicalNanos = this.lastPhysicalNanos;
    this.lastPhysicalNanos = physicalNanos;
    if (previousPhysicalNanos !== undefined && physicalNanos < previousPhysicalNanos) {
      this.onBackwardJump?.({ previousPhysicalNanos, physicalNanos });
    }
    return physicalNanos;
  }
}

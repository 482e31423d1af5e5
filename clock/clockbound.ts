/**
 * `ClockBound`: a TrueTime-like clock (Spanner's `TT.now()`, AWS's ClockBound daemon). Instead of
 * one reading it answers with an interval `[earliest, latest]` that contains the true time —
 * the time every correct clock in the cluster is within bounds of — at the instant of the call.
 * Commit wait (`commitwait.ts`) uses `earliest`: once `earliest > commitTs`, no clock in the
 * cluster can still issue a timestamp at or below `commitTs`.
 *
 * ```
 *                 local physical clock
 *                          │
 *   ──────[────────────────●────────────────]──────▶ time
 *      earliest      − maxOffset │ + maxOffset      latest
 * ```
 *
 * The bounds are physical-time bounds carried as `Timestamp`s with logical 0: a wall nanosecond
 * `W` stands for every HLC reading `(W, *)`. Comparing them with HLC timestamps is sound: an
 * `earliest` of `(W, 0)` is past a timestamp `(W − 1, n)` for any `n`, never past `(W, n)`.
 *
 * Two implementations are planned behind the one interface, so commit wait shrinks as clock
 * synchronization improves without its callers changing:
 *
 * - `StaticClockBound` (here): the local physical clock ± the configured `--max-offset`. Always
 *   correct while the max-offset assumption holds, and pessimistic: 500ms by default.
 * - a measured bound (later, next to the RPC heartbeats that feed it): each heartbeat to a peer
 *   estimates that peer's offset as `remoteNanos − (sendNanos + receiveNanos) / 2` with error
 *   `± roundTripNanos / 2` (Cristian's algorithm, CockroachDB's `RemoteClockMonitor`); the
 *   uncertainty becomes the largest `|offset| + error` over a quorum of healthy peers, capped
 *   at `maxOffsetNanos`. A node whose offset from a majority exceeds the cap stops serving.
 *
 * Physical time, not the HLC's wall time, is the centre: the HLC may lead the physical clock
 * after hearing from a faster peer, and taking the slower reading only makes commit wait longer,
 * never wrong. `StaticClockBound.fromHybridClock` reads the same physical clock as the node's
 * `HybridClock` and enforces the same max offset, so the two cannot disagree.
 */
import { assert } from '../src/base/assert.js';
import type { HybridClock } from './hlc.js';
import type { PhysicalClock } from './physical.js';
import { lessEq, timestamp, type Timestamp } from './timestamp.js';

/** Bounds on the true time at one instant: `earliest ≤ true time ≤ latest`. */
export interface ClockInterval {
  readonly earliest: Timestamp;
  readonly latest: Timestamp;
}

export interface ClockBound {
  /**
   * An interval containing the true time now, with `earliest ≤ latest`. Successive calls are
   * not promised to be monotonic: the physical clock underneath may step backwards.
   */
  now(): ClockInterval;
  /** The largest half-width `now()` ever answers with, in nanoseconds: the cluster's max offset. */
  readonly maxOffsetNanos: bigint;
}

const uint64Max = (1n << 64n) - 1n;

/** The local physical clock ± a fixed max offset, clamped to the range of a `Timestamp`. */
export class StaticClockBound implements ClockBound {
  readonly maxOffsetNanos: bigint;
  private readonly physicalClock: PhysicalClock;

  constructor(physicalClock: PhysicalClock, maxOffsetNanos: bigint) {
    assert(maxOffsetNanos >= 0n, () => `maxOffsetNanos is negative: ${maxOffsetNanos}`);
    assert(maxOffsetNanos <= uint64Max, () => `maxOffsetNanos does not fit 64 bits: ${maxOffsetNanos}`);
    this.physicalClock = physicalClock;
    this.maxOffsetNanos = maxOffsetNanos;
  }

  /** The bound around `clock`'s physical clock, with `clock`'s max offset. */
  static fromHybridClock(clock: HybridClock): StaticClockBound {
    return new StaticClockBound({ nowNanos: () => clock.physicalNow() }, clock.maxOffsetNanos);
  }

  now(): ClockInterval {
    const physicalNanos = this.physicalClock.nowNanos();
    assert(physicalNanos >= 0n, () => `physical clock reads a negative time: ${physicalNanos}`);
    assert(physicalNanos <= uint64Max, () => `physical clock reading does not fit 64 bits: ${physicalNanos}`);
    const earliestNanos = physicalNanos - this.maxOffsetNanos;
    const latestNanos = physicalNanos + this.maxOffsetNanos;
    const earliest = timestamp(earliestNanos < 0n ? 0n : earliestNanos, 0);
    const latest = timestamp(latestNanos > uint64Max ? uint64Max : latestNanos, 0);
    assert(lessEq(earliest, latest), 'clock bound interval is inverted');
    return Object.freeze({ earliest, latest });
  }
}

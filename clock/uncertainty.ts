/**
 * Uncertainty intervals (CockroachDB's `uncertainty.Interval`; the read-side answer to clock
 * skew, where commit wait is the write-side one).
 *
 * A transaction reads at `readTs`, taken from its gateway's clock. A value with a timestamp just
 * above `readTs` may have been written on a node whose clock runs ahead, *before* the read began
 * in real time; ignoring it would break real-time order, seeing it would break snapshot order.
 * Since clocks differ by at most `maxOffsetNanos`, such a value's timestamp is at most
 * `readTs + maxOffsetNanos`. A read that meets a value inside the uncertainty interval
 * `(readTs, limit]` cannot tell which happened first, so it fails with
 * `ReadWithinUncertaintyInterval` and the transaction moves its read timestamp above the value
 * (refreshing its reads, or restarting):
 *
 * ```
 *          visible           │     uncertain      │      invisible
 *   ─────────────────────────●════════════════════●─────────────────────▶ value timestamp
 *                         readTs                limit = localLimit ?? globalLimit
 *                     (visible, not uncertain)   (uncertain)
 * ```
 *
 * - `globalLimit` = the transaction's start timestamp + `maxOffsetNanos`. It is fixed when the
 *   transaction starts and does not grow when the read timestamp is pushed, so the transaction
 *   keeps it and passes it to `uncertaintyIntervalWithGlobalLimit`.
 * - `localLimit`: an *observed timestamp* — the reading of a node's clock taken the first time
 *   the transaction visited that node — lowers the limit for values written by that node's
 *   leaseholder. Anything that node writes later gets a higher timestamp, so a value above the
 *   observation was written after the transaction started: it is in the future, not uncertain.
 *   The caller passes `max(observedTs, leaseStart)`: values written under an earlier lease were
 *   stamped by another node's clock, about which the observation says nothing. The local limit
 *   never drops below `readTs` (an empty interval) and never rises above `globalLimit`.
 *
 * CockroachDB also keeps, for each value, the local clock time at which it was written, so that
 * a value written at a future timestamp is judged by when it was written. rangedb's MVCC stores
 * only the version timestamp, which stands for both.
 */
import { assert } from '../src/base/assert.js';
import { less, lessEq, max, maxTimestamp, min, timestamp, type Timestamp } from './timestamp.js';

/** The timestamps a read at `readTs` treats as uncertain: `(readTs, localLimit ?? globalLimit]`. */
export interface UncertaintyInterval {
  readonly readTs: Timestamp;
  /** The cluster-wide limit: values above it were written after the read began. At least `readTs`. */
  readonly globalLimit: Timestamp;
  /** The limit for one node's values, from an observed timestamp; within `[readTs, globalLimit]`. */
  readonly localLimit?: Timestamp;
}

const uint64Max = (1n << 64n) - 1n;

/**
 * The uncertainty interval of a read at `readTs` that started at `readTs`, with `observedTs`
 * (if any) the reading of the serving node's clock when the transaction first visited it.
 * `globalLimit` is `readTs` moved `maxOffsetNanos` forward in wall time (logical kept; clamped to
 * the largest timestamp), so a zero max offset gives an empty interval.
 */
export function uncertaintyInterval(readTs: Timestamp, maxOffsetNanos: bigint, observedTs?: Timestamp): UncertaintyInterval {
  assert(maxOffsetNanos >= 0n, () => `maxOffsetNanos is negative: ${maxOffsetNanos}`);
  const limitWallNanos = readTs.wallNanos + maxOffsetNanos;
  const globalLimit = limitWallNanos > uint64Max ? maxTimestamp : timestamp(limitWallNanos, readTs.logical);
  return uncertaintyIntervalWithGlobalLimit(readTs, globalLimit, observedTs);
}

/**
 * The uncertainty interval of a read at `readTs` by a transaction whose global limit was fixed
 * when it started (`startTs + maxOffsetNanos`), before its read timestamp was pushed. A
 * `globalLimit` below `readTs` is raised to `readTs`: nothing is uncertain any more.
 */
export function uncertaintyIntervalWithGlobalLimit(readTs: Timestamp, globalLimit: Timestamp, observedTs?: Timestamp): UncertaintyInterval {
  const effectiveGlobalLimit = max(globalLimit, readTs);
  if (observedTs === undefined) return Object.freeze({ readTs, globalLimit: effectiveGlobalLimit });
  const localLimit = min(effectiveGlobalLimit, max(observedTs, readTs));
  assert(lessEq(readTs, localLimit), 'local uncertainty limit below the read timestamp');
  assert(lessEq(localLimit, effectiveGlobalLimit), 'local uncertainty limit above the global limit');
  return Object.freeze({ readTs, globalLimit: effectiveGlobalLimit, localLimit });
}

/** The upper end of the interval: the highest timestamp that is still uncertain (if above `readTs`). */
export function uncertaintyLimit(interval: UncertaintyInterval): Timestamp {
  const limit = interval.localLimit ?? interval.globalLimit;
  assert(lessEq(interval.readTs, limit), 'uncertainty limit below the read timestamp');
  return limit;
}

/**
 * Whether a value at `valueTs` is uncertain for the read: `readTs < valueTs ≤ limit`. Values at
 * or below `readTs` are simply visible; values above the limit are simply invisible.
 */
export function isUncertain(interval: UncertaintyInterval, valueTs: Timestamp): boolean {
  return less(interval.readTs, valueTs) && lessEq(valueTs, uncertaintyLimit(interval));
}

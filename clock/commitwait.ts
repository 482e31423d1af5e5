/**
 * Commit wait (Spanner, "Spanner: Google's Globally-Distributed Database", §4.1.2; CockroachDB's
 * `TxnCoordSender.maybeCommitWait`): the rule that turns serializability into strict
 * serializability (linearizability of transactions) despite clock skew.
 *
 * A transaction commits at `commitTs`, a timestamp chosen from a clock that may run ahead of
 * other nodes' clocks. If the client were told "committed" at once, it could start a second
 * transaction on a node whose clock is behind, which would pick a timestamp below `commitTs`
 * and fail to see the first transaction's writes — real-time order broken. So the coordinator
 * holds the acknowledgement until `ClockBound.now().earliest > commitTs`: from then on every
 * clock in the cluster reads past `commitTs`, and any transaction that starts after the
 * acknowledgement is ordered after the commit. With `StaticClockBound` the wait ends once the
 * local physical clock passes `commitTs` by `maxOffsetNanos`; it overlaps with intent
 * resolution (CockroachDB skips it for read-only transactions, which wrote nothing to order).
 *
 * The functions here are pure arithmetic; the waiting itself (a timer from `Env`) belongs to the
 * transaction coordinator, which must re-check `isCommitWaitOver` after every sleep — a physical
 * clock can run slow or step back, so a computed duration is an estimate, never a guarantee:
 *
 * ```
 *   while (!isCommitWaitOver(clockBound, commitTs)) {
 *     const waitNanos = commitWaitNanos(clockBound.now(), commitTs);
 *     await env.timers.sleep(Number((waitNanos + 999_999n) / 1_000_000n)); // round up to ms
 *   }
 * ```
 */
import { assert } from '../src/base/assert.js';
import type { ClockBound, ClockInterval } from './clockbound.js';
import { less, type Timestamp } from './timestamp.js';

/**
 * How long, in nanoseconds of physical time, until `bound.earliest > commitTs`: 0 if it already
 * is. Once the wall time has to move, the earliest timestamp past `commitTs` is
 * `(commitTs.wallNanos + 1, 0)`, since any reading inside `commitTs`'s own wall nanosecond may
 * still be at or below it.
 */
export function commitWaitNanos(bound: Pick<ClockInterval, 'earliest'>, commitTs: Timestamp): bigint {
  if (less(commitTs, bound.earliest)) return 0n;
  const waitNanos = commitTs.wallNanos + 1n - bound.earliest.wallNanos;
  assert(waitNanos > 0n, () => `commit wait must be positive when not over: ${waitNanos}`);
  return waitNanos;
}

/** Whether every clock bounded by `clockBound` is now past `commitTs`: commit wait is over. */
export function isCommitWaitOver(clockBound: ClockBound, commitTs: Timestamp): boolean {
  return less(commitTs, clockBound.now().earliest);
}

/**
 * Commit wait (Spanner's rule; CockroachDB's `TxnCoordSender.maybeCommitWait`), in two strengths:
 *
 * 1. **Future-time commits, always.** A commit is acknowledged only once the node's hybrid clock
 *    reads past the commit timestamp. Most commits need no wait: their timestamp was taken from
 *    this clock. A transaction pushed *into the future* does — a reader pushes the intents it
 *    meets above its global uncertainty limit (up to the max clock offset ahead of the clock),
 *    a write lands above a future-time value (WriteTooOld), a refused EndTxn reports such a push
 *    (`TransactionRetryError.pushedTo`) and the coordinator refreshes or restarts there. Were
 *    such a commit acknowledged at once, a transaction its client starts next would begin below
 *    the commit timestamp, and its observed timestamp (kv/eval `observedTimestamp`: "a value
 *    above my start was written after I began") would hide the write from its uncertainty check:
 *    a stale read of an acknowledged write, which the randomized serializability test saw as a
 *    final table state disagreeing with the commit order. The same holds for a read-only
 *    transaction whose reads moved into the future (an uncertainty restart on a future-time
 *    value): without the wait a later read could miss what it returned (monotonic reads).
 *    `Txn` calls `waitForClock` after every commit, read-only ones included.
 * 2. **Strict serializability, on request**: a writing commit is acknowledged only once
 *    `ClockBound.now().earliest > commitTs`, so every transaction that starts after the
 *    acknowledgement — on any node, whatever its clock offset within the bound — gets a
 *    timestamp above `commitTs` and sees the writes. Arithmetic in clock/commitwait.ts; this
 *    interceptor does it for a batch whose EndTxn came back COMMITTED from a transaction that
 *    holds locks — a read-only transaction's EndTxn, elided by the committer, orders nothing,
 *    so it never waits this long (CockroachDB's `maybeCommitWait` skips it the same way).
 *
 *    It sits **above the committer** (txn.ts): what it sees is the commit's final answer. A
 *    parallel commit's STAGING answer is not a commit — the attempt may be pushed, refreshed and
 *    staged again at a later timestamp — so waiting on it would wait on a timestamp the
 *    transaction may not commit at. Above, it waits once, on the commit timestamp the committer
 *    decided (the staging timestamp of the implicitly committed attempt), and only after the
 *    committer set the explicit commit going: the STAGING record is not held up by the wait
 *    (waiters on its intents would be), while the client is still acknowledged only after it.
 *
 * Both re-check the clock after every sleep (a clock may run slow or step back: a computed
 * duration is only an estimate) and sleep on the injected timers. The time waited (physical
 * nanoseconds of the node's clock) is kept in `lastWaitNanos`.
 */
import { assert } from '../src/base/assert.js';
import type { ClockBound } from '../clock/clockbound.js';
import { commitWaitNanos, isCommitWaitOver } from '../clock/commitwait.js';
import { less, type Timestamp } from '../clock/timestamp.js';
import type { BatchRequest, BatchResponse } from '../kv/api/index.js';
import type { Timers } from '../src/env/env.js';
import type { SendFn, TxnInterceptor } from './interceptor.js';

export interface CommitWaiterDeps {
  readonly clockBound: ClockBound;
  readonly timers: Timers;
  /** The node's physical clock, in nanoseconds (to report the time waited). */
  readonly physicalNowNanos: () => bigint;
  /** A reading of the node's hybrid clock (`HybridClock.now`): what a transaction begun now starts at. */
  readonly clockNow: () => Timestamp;
  readonly strictSerializable: boolean;
  /** Whether the transaction wrote or locked anything (the committer's lock spans); default: yes. */
  readonly holdsLocks?: () => boolean;
}

export class CommitWaiter implements TxnInterceptor {
  /** Nanoseconds the last commit waited (0 if it did not). */
  lastWaitNanos = 0n;

  constructor(private readonly deps: CommitWaiterDeps) {}

  async send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const response = await next(batch);
    if (!this.deps.strictSerializable) return response;
    const last = response.responses[response.responses.length - 1];
    if (last?.kind !== 'endTxn' || (this.deps.holdsLocks?.() ?? true) === false) return response;
    // Never STAGING here: the committer below answers a parallel commit as committed once it is.
    assert(last.txn.status !== 'STAGING', 'commit wait sees the final answer of a commit');
    if (last.txn.status === 'COMMITTED') await this.wait(last.txn.writeTimestamp);
    return response;
  }

  /**
   * Rule 1: resolves once the node's hybrid clock reads past `commitTs` — at once unless the
   * transaction was pushed into the future. Adds the time waited to `lastWaitNanos`.
   */
  async waitForClock(commitTs: Timestamp): Promise<void> {
    // The hybrid clock never reads below the physical one: a commit below the physical reading
    // is over without ticking the hybrid clock (the common case, every commit pays this check).
    if (commitTs.wallNanos < this.deps.physicalNowNanos()) return;
    if (less(commitTs, this.deps.clockNow())) return;
    const startNanos = this.deps.physicalNowNanos();
    for (;;) {
      const now = this.deps.clockNow();
      if (less(commitTs, now)) break;
      await this.sleepNanos(commitWaitNanos({ earliest: now }, commitTs));
    }
    this.lastWaitNanos += this.since(startNanos);
  }

  private async wait(commitTs: Timestamp): Promise<void> {
    const startNanos = this.deps.physicalNowNanos();
    while (!isCommitWaitOver(this.deps.clockBound, commitTs)) await this.sleepNanos(commitWaitNanos(this.deps.clockBound.now(), commitTs));
    this.lastWaitNanos = this.since(startNanos);
  }

  /** Sleeps `nanos`, rounded up to whole milliseconds (at least one). */
  private sleepNanos(nanos: bigint): Promise<void> {
    return this.deps.timers.sleep(Math.max(1, Number((nanos + 999_999n) / 1_000_000n)));
  }

  private since(startNanos: bigint): bigint {
    const waited = this.deps.physicalNowNanos() - startNanos;
    return waited > 0n ? waited : 0n;
  }
}

/**
 * Commit wait (Spanner's rule; CockroachDB's `TxnCoordSender.maybeCommitWait`): with strict
 * serializability on, a commit is acknowledged only once `ClockBound.now().earliest > commitTs`,
 * so every transaction that starts after the acknowledgement — on any node, whatever its clock
 * offset within the bound — gets a timestamp above `commitTs` and sees the writes. Arithmetic in
 * clock/commitwait.ts; this interceptor does the waiting with the injected timers and re-checks
 * the bound after every sleep (a clock may run slow or step back: a computed duration is only
 * an estimate).
 *
 * It waits only for a batch whose EndTxn came back COMMITTED — a read-only transaction's EndTxn
 * is elided by the committer above and orders nothing, so it never waits. With strict
 * serializability off it passes every batch through untouched. The time waited (physical
 * nanoseconds of the node's clock) is kept in `lastWaitNanos`.
 */
import type { ClockBound } from '../clock/clockbound.js';
import { commitWaitNanos, isCommitWaitOver } from '../clock/commitwait.js';
import type { Timestamp } from '../clock/timestamp.js';
import type { BatchRequest, BatchResponse } from '../kv/api/index.js';
import type { Timers } from '../src/env/env.js';
import type { SendFn, TxnInterceptor } from './interceptor.js';

export interface CommitWaiterDeps {
  readonly clockBound: ClockBound;
  readonly timers: Timers;
  /** The node's physical clock, in nanoseconds (to report the time waited). */
  readonly physicalNowNanos: () => bigint;
  readonly strictSerializable: boolean;
}

export class CommitWaiter implements TxnInterceptor {
  /** Nanoseconds the last commit waited (0 if it did not). */
  lastWaitNanos = 0n;

  constructor(private readonly deps: CommitWaiterDeps) {}

  async send(batch: BatchRequest, next: SendFn): Promise<BatchResponse> {
    const response = await next(batch);
    if (!this.deps.strictSerializable) return response;
    const last = response.responses[response.responses.length - 1];
    if (last?.kind === 'endTxn' && last.txn.status === 'COMMITTED') await this.wait(last.txn.writeTimestamp);
    return response;
  }

  private async wait(commitTs: Timestamp): Promise<void> {
    const startNanos = this.deps.physicalNowNanos();
    while (!isCommitWaitOver(this.deps.clockBound, commitTs)) {
      const waitNanos = commitWaitNanos(this.deps.clockBound.now(), commitTs);
      await this.deps.timers.sleep(Math.max(1, Number((waitNanos + 999_999n) / 1_000_000n)));
    }
    const waited = this.deps.physicalNowNanos() - startNanos;
    this.lastWaitNanos = waited > 0n ? waited : 0n;
  }
}

/**
 * Transaction recovery (CockroachDB's `txnrecovery.Manager`): decides a STAGING transaction
 * whose coordinator cannot be waited on — its record expired, or a deadlock runs through it —
 * from its in-flight writes alone. Parallel commits' correctness rests on this rule:
 *
 *   a STAGING transaction is committed iff every in-flight write landed at or below the
 *   record's (staging) timestamp — "implicitly committed" — whether or not anyone knows it yet.
 *
 * ```
 *   record STAGING(epoch e, ts T, in-flight W)
 *     QueryIntent(w, prevent) for every w ∈ W, in one batch (each range answers in parallel)
 *        all found at ≤ T ──► RecoverTxn(implicitlyCommitted) ──► COMMITTED
 *        one missing      ──► (its key's timestamp cache now ≥ T: the write, if still on
 *                              its way, lands above T and can never complete the commit)
 *                         ──► RecoverTxn(aborted)               ──► ABORTED
 * ```
 *
 * The prevention is what makes the abort safe while the coordinator may still be running: it
 * turns "not there yet" into "never there at ≤ T". RecoverTxn re-reads the record under its
 * latch and returns it unchanged if it moved on (finalized, restarted, re-staged), so a recovery
 * racing the coordinator's explicit commit, or another recovery, is harmless.
 *
 * A rollback that meets a STAGING record runs the same recovery before it goes on (`rollingBack`):
 * an EndTxn(commit=false) is no proof that the transaction is not implicitly committed.
 *
 * One recovery per transaction at a time (the single-flight pattern): the pushers of all the
 * transaction's intents share it. The map is bounded by the transactions being recovered at once.
 */
import type { TxnId } from '../../src/base/ids.js';
import type { Timestamp } from '../../clock/timestamp.js';
import { batchHeader, batchRequest, queryIntentRequest, recoverTxnRequest, txnMeta, type BatchRequest, type Sender, type Transaction } from '../api/index.js';
import { IndeterminateCommitError } from '../eval/index.js';

/**
 * Most recoveries a rollback runs before it gives up with the `IndeterminateCommitError`: one
 * decides the record it met; a second is needed only if the coordinator re-staged meanwhile.
 */
export const rollbackRecoveriesMax = 3;

/** Whether `batch` rolls a transaction back (ends with EndTxn, commit=false). */
export function isRollback(batch: BatchRequest): boolean {
  const last = batch.requests[batch.requests.length - 1];
  return last?.kind === 'endTxn' && !last.commit;
}

export class TxnRecoveryManager {
  private readonly inFlight = new Map<TxnId, Promise<Transaction>>();
  /** Recoveries run to a decision so far (metrics, tests). */
  recoveries = 0;

  /** `db` sends across ranges (the store's DistSender); `now` reads the node's hybrid clock. */
  constructor(
    private readonly db: () => Sender,
    private readonly now: () => Timestamp,
  ) {}

  /** Recovers `record` (STAGING) and resolves with the record as RecoverTxn left it. */
  recover(record: Transaction): Promise<Transaction> {
    const running = this.inFlight.get(record.id);
    if (running !== undefined) return running;
    const recovery = this.run(record).finally(() => this.inFlight.delete(record.id));
    this.inFlight.set(record.id, recovery);
    return recovery;
  }

  /**
   * Sends a rollback with `send`; when it meets a STAGING record (`IndeterminateCommitError`,
   * kv/eval end-txn.ts: the transaction may be implicitly committed), recovers the record first
   * and sends it again — at most `rollbackRecoveriesMax` times, then the error is thrown. The
   * rollback's answer after a recovery that committed is a `TransactionStatusError(COMMITTED)`:
   * the writes the coordinator gave up on are kept, and it learns so.
   */
  async rollingBack<T>(send: () => Promise<T>): Promise<T> {
    for (let recoveries = 0; ; recoveries++) {
      try {
        return await send();
      } catch (error) {
        if (!(error instanceof IndeterminateCommitError) || recoveries >= rollbackRecoveriesMax) throw error;
        await this.recover(error.record);
      }
    }
  }

  private async run(record: Transaction): Promise<Transaction> {
    const meta = txnMeta(record);
    let implicitlyCommitted = true;
    if (record.inFlightWrites.length > 0) {
      const now = this.now();
      const queries = record.inFlightWrites.map((write) => queryIntentRequest(write.key, { txn: meta, sequence: write.sequence, prevent: true }));
      const response = await this.db().send(batchRequest(batchHeader({ timestamp: now, now }), queries));
      implicitlyCommitted = response.responses.every((answer) => answer.kind === 'queryIntent' && answer.foundIntent);
    }
    const now = this.now();
    const response = await this.db().send(batchRequest(batchHeader({ timestamp: now, now }), [recoverTxnRequest(meta, implicitlyCommitted)] as const));
    this.recoveries++;
    return response.responses[0].recoveredTxn;
  }
}

/**
 * PushTxn: one transaction (or a non-transactional request) blocked by another's intent asks
 * that the pushee move out of its way — `timestamp`: move its write timestamp to at least
 * `pushTo`; `abort`: abort it; `touch`: only find out whether it is finished or abandoned.
 *
 * The push succeeds, in this order, when:
 * 1. the pushee is finalized (COMMITTED or ABORTED): nothing is written, the record is returned;
 * 2. a timestamp push finds the pushee already at or above `pushTo`;
 * 3. the pushee is expired — its last heartbeat (its `minTimestamp` if it never heartbeat) is
 *    more than `txnLivenessThresholdNanos` before `now`: it is aborted whatever the push type
 *    (its coordinator is presumed dead; CockroachDB does the same);
 * 4. `force` (deadlock breaking) or the pusher's priority is strictly higher (`touch` excepted);
 * otherwise it fails with `TransactionPushError` and the pusher waits in the txn wait queue.
 *
 * A STAGING pushee (a parallel commit in progress) may already be implicitly committed — every
 * in-flight write landed at or below the staging timestamp — so its record can be neither pushed
 * nor aborted as it stands:
 * - its coordinator is alive (heartbeat within the threshold; writing the STAGING record counts
 *   as one): the push fails and the pusher waits — the commit is made explicit (or the
 *   transaction re-stages or restarts) within a round trip, whatever the priorities;
 * - it is expired, or the push is forced (a deadlock through the STAGING transaction's own
 *   in-flight write, waiting on a lock of the pusher): `IndeterminateCommitError`, and the pusher
 *   runs transaction recovery (kv/replica/txn-recovery.ts), which decides the record from its
 *   in-flight writes, then pushes again;
 * - the pushee's intent names a later epoch than the STAGING record: the coordinator restarted
 *   after a parallel commit that failed (a staged attempt it gave up can never be implicitly
 *   committed: its writes failed or landed above the staging timestamp), so the record is
 *   treated as PENDING at that epoch (CockroachDB's `Transaction.Update` does the same).
 *
 * A successful push writes the record (PENDING with the new timestamp, or ABORTED), creating it
 * if the pushee had none, so the pushee's own EndTxn sees it.
 */
import { limits } from '../../src/base/limits.js';
import { addNanos, isZero, lessEq, less, max, type Timestamp } from '../../clock/timestamp.js';
import { isFinalized, pushTxnResponse, updateTransaction, type PushTxnRequest, type Transaction } from '../api/index.js';
import { checkRequestInRange, type Evaluator } from './context.js';
import { IndeterminateCommitError, TransactionPushError } from './errors.js';
import { readTxnRecord, synthesizeTxnRecord, writeTxnRecord } from './txn-record.js';

/** Whether `record` has had no heartbeat within the liveness threshold before `now`. */
export function isExpired(record: Transaction, now: Timestamp): boolean {
  const lastActive = isZero(record.lastHeartbeat) ? record.minTimestamp : max(record.lastHeartbeat, record.minTimestamp);
  return less(addNanos(lastActive, limits.txnLivenessThresholdNanos), now);
}

type PushDecision = 'noop' | 'abort' | 'pushTimestamp' | 'fail' | 'recover';

function decide(request: PushTxnRequest, record: Transaction, now: Timestamp): PushDecision {
  if (isFinalized(record.status)) return 'noop';
  // Before the timestamp rule: a reader below the staging timestamp that let the intent be
  // would still meet it (it lies at or below the reader) and push again, round after round.
  if (record.status === 'STAGING') return isExpired(record, now) || request.force ? 'recover' : 'fail';
  if (request.pushType === 'timestamp' && lessEq(request.pushTo, record.writeTimestamp)) return 'noop';
  if (isExpired(record, now)) return 'abort';
  if (request.pushType === 'touch') return 'fail';
  const pusherPriority = request.pusher?.priority ?? 0;
  if (!request.force && pusherPriority <= record.priority) return 'fail';
  return request.pushType === 'abort' ? 'abort' : 'pushTimestamp';
}

export const evalPushTxn: Evaluator<'pushTxn'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const existing = readTxnRecord(rw, request.key, request.pushee.id);
  // The pushee's metadata may be newer than its record (a restart, a higher priority it took).
  const found = existing ?? synthesizeTxnRecord(request.pushee);
  // A STAGING record of an epoch the pushee has left behind (see the module comment).
  const record = found.status === 'STAGING' && request.pushee.epoch > found.epoch ? updateTransaction(found, { status: 'PENDING', epoch: request.pushee.epoch, inFlightWrites: [] }) : found;
  const decision = decide(request, record, ctx.now);
  if (decision === 'fail') throw new TransactionPushError(request.pushee.id, request.pushType, record.status);
  if (decision === 'recover') throw new IndeterminateCommitError(record);
  if (decision === 'noop') return Promise.resolve({ response: pushTxnResponse(record) });
  const pushed =
    decision === 'abort'
      ? updateTransaction(record, { status: 'ABORTED' })
      : updateTransaction(record, { writeTimestamp: max(record.writeTimestamp, request.pushTo) });
  writeTxnRecord(rw, pushed);
  return Promise.resolve({ response: pushTxnResponse(pushed), sideEffects: [Object.freeze({ kind: 'txnUpdated', txn: pushed })] });
};

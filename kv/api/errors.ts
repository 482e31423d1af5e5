/**
 * The KV errors of DESIGN.md §2.5, each a `RangedbError` with a stable `code`, a class that says
 * how the caller reacts, and a SQLSTATE:
 *
 * | class       | errors                                                        | who handles it        |
 * |-------------|---------------------------------------------------------------|-----------------------|
 * | `routing`   | NotLeaseholder, RangeKeyMismatch, RangeNotFound               | DistSender: re-route  |
 * | `retryable` | TransactionRetry, TransactionAborted, WriteTooOld,            | txn/: refresh or      |
 * |             | ReadWithinUncertaintyInterval, IntentMissing                  | restart; SQL: 40001   |
 * | `ambiguous` | AmbiguousResult                                               | surfaced, never retried|
 * | `conflict`  | WriteIntent (push, resolve, retry), LockConflict (NOWAIT)     | concurrency manager   |
 * | `input`     | ConditionFailed, BatchTimestampBeforeGC                       | SQL: unique violation,|
 * |             |                                                               | 72000 snapshot too old|
 * | `internal`  | TransactionStatus                                             | reported              |
 *
 * The MVCC conflicts are defined in kv/storage/mvcc/errors.ts and the NOWAIT conflict in
 * kv/concurrency/errors.ts; they are re-exported here, not redefined, so that sql/ and txn/,
 * which may import only kv/api, can match on the same classes the evaluator throws.
 *
 * Messages follow CockroachDB's, which drivers and users search for: a 40001 from the
 * coordinator reads `restart transaction: TransactionRetryWithProtoRefreshError: …`.
 */
import { formatTimestamp, type Timestamp } from '../../clock/timestamp.js';
import { RangedbError } from '../../src/base/errors.js';
import { shortTxnId, type RangeId, type StoreId, type TxnId } from '../../src/base/ids.js';
import type { Lease, RangeDescriptor, ReplicaDescriptor } from './descriptor.js';
import { prettyKey } from './pretty.js';
import { spanEnd, type Span } from './span.js';
import type { TransactionStatus } from './transaction.js';

export { ConditionFailedError, ReadWithinUncertaintyIntervalError, WriteIntentError, WriteTooOldError, type Intent } from '../storage/mvcc/errors.js';
export { LockConflictError } from '../concurrency/errors.js';

const retryPrefix = 'restart transaction: TransactionRetryWithProtoRefreshError: ';

export function formatReplica(replica: ReplicaDescriptor): string {
  return `(n${replica.nodeId},s${replica.storeId}):${replica.replicaId}`;
}

// ─── routing ─────────────────────────────────────────────────────────────────────────────────

/**
 * The replica that received the request does not hold the range's lease. `lease` is the lease
 * it knows of (a hint where to go), undefined when it knows of none.
 */
export class NotLeaseholderError extends RangedbError {
  readonly code = 'NOT_LEASEHOLDER';
  readonly errorClass = 'routing';
  // DistSender retries these; one that escapes its retry budget is an internal error.
  override readonly sqlState = 'XX000';

  constructor(
    readonly rangeId: RangeId,
    readonly replica: ReplicaDescriptor,
    readonly lease: Lease | undefined,
  ) {
    const current = lease === undefined ? 'lease holder unknown' : `current lease is repl=${formatReplica(lease.replica)} seq=${lease.sequence}`;
    super(`[NotLeaseHolderError] r${rangeId}: replica ${formatReplica(replica)} not lease holder; ${current}`);
  }
}

/**
 * The request's span is not (entirely) in the range it was sent to: the sender's range cache is
 * stale. `actualRanges` are the descriptors the receiving store knows for those keys (the range
 * it has first), so the sender can update its cache without another meta lookup.
 */
export class RangeKeyMismatchError extends RangedbError {
  readonly code = 'RANGE_KEY_MISMATCH';
  readonly errorClass = 'routing';
  override readonly sqlState = 'XX000';

  constructor(
    readonly requestSpan: Span,
    readonly rangeId: RangeId,
    readonly actualRanges: readonly RangeDescriptor[],
  ) {
    const first = actualRanges[0];
    const bounds = first === undefined ? `r${rangeId} (unknown bounds)` : `r${first.rangeId} ${prettyKey(first.startKey)}-${prettyKey(first.endKey)}`;
    super(`key range ${prettyKey(requestSpan.key)}-${prettyKey(spanEnd(requestSpan))} outside of bounds of range ${bounds}`);
  }
}

/** The store has no replica of the range (removed, or not yet created by a snapshot). */
export class RangeNotFoundError extends RangedbError {
  readonly code = 'RANGE_NOT_FOUND';
  readonly errorClass = 'routing';
  override readonly sqlState = 'XX000';

  constructor(
    readonly rangeId: RangeId,
    readonly storeId: StoreId | undefined,
  ) {
    super(`r${rangeId} was not found${storeId === undefined ? '' : ` on s${storeId}`}`);
  }
}

// ─── retryable ───────────────────────────────────────────────────────────────────────────────

/** Why a transaction must restart (CockroachDB's `TransactionRetryReason`). */
export type TransactionRetryReason =
  /** A write met a newer committed value and the read refresh at the pushed timestamp failed. */
  | 'RETRY_WRITE_TOO_OLD'
  /** The write timestamp was pushed (timestamp cache, a push) and the read spans did not refresh. */
  | 'RETRY_SERIALIZABLE'
  /** A pipelined write turned out not to have been replicated (its intent is missing). */
  | 'RETRY_ASYNC_WRITE_FAILURE'
  /** The write timestamp moved past the transaction's commit deadline. */
  | 'RETRY_COMMIT_DEADLINE_EXCEEDED'
  | 'RETRY_REASON_UNKNOWN';

export const transactionRetryReasons: readonly TransactionRetryReason[] = Object.freeze([
  'RETRY_WRITE_TOO_OLD',
  'RETRY_SERIALIZABLE',
  'RETRY_ASYNC_WRITE_FAILURE',
  'RETRY_COMMIT_DEADLINE_EXCEEDED',
  'RETRY_REASON_UNKNOWN',
]);

/** The transaction must restart at a new epoch, keeping its id, priority and record. */
export class TransactionRetryError extends RangedbError {
  readonly code = 'TRANSACTION_RETRY';
  readonly errorClass = 'retryable';
  override readonly sqlState = '40001'; // serialization_failure

  constructor(
    readonly reason: TransactionRetryReason,
    readonly detail: string,
    /**
     * The write timestamp the server found the transaction pushed to, when it knows it (an
     * EndTxn refused with RETRY_SERIALIZABLE: the commit batch's own writes were pushed, or a
     * pusher moved the record). The coordinator refreshes its reads up to it and tries again
     * instead of restarting (CockroachDB carries the whole transaction in the error). It may lie
     * ahead of the clock: such a commit waits for the clock (txn/commit-wait.ts).
     */
    readonly pushedTo?: Timestamp,
  ) {
    super(`${retryPrefix}TransactionRetryError: retry txn (${reason}${detail === '' ? '' : ` - ${detail}`})`);
  }
}

/** Why a transaction was aborted (CockroachDB's `TransactionAbortedReason`). */
export type TransactionAbortedReason =
  /** Its record was found ABORTED (a pusher aborted it, or it was abandoned). */
  | 'ABORT_REASON_ABORTED_RECORD_FOUND'
  /** It pushed another transaction and lost (deadlock victim, lower priority). */
  | 'ABORT_REASON_PUSHER_ABORTED'
  /** Its record would be created below the range's timestamp-cache floor for records. */
  | 'ABORT_REASON_TIMESTAMP_CACHE_REJECTED'
  /** A read found the abort span poisoned by the resolution of its own aborted intents. */
  | 'ABORT_REASON_ABORT_SPAN'
  /** The client rolled back while requests were in flight. */
  | 'ABORT_REASON_CLIENT_REJECT'
  /** A new lease could not rule out that the record was created and removed under the old one. */
  | 'ABORT_REASON_NEW_LEASE_PREVENTS_TXN'
  | 'ABORT_REASON_UNKNOWN';

export const transactionAbortedReasons: readonly TransactionAbortedReason[] = Object.freeze([
  'ABORT_REASON_ABORTED_RECORD_FOUND',
  'ABORT_REASON_PUSHER_ABORTED',
  'ABORT_REASON_TIMESTAMP_CACHE_REJECTED',
  'ABORT_REASON_ABORT_SPAN',
  'ABORT_REASON_CLIENT_REJECT',
  'ABORT_REASON_NEW_LEASE_PREVENTS_TXN',
  'ABORT_REASON_UNKNOWN',
]);

/** The transaction is aborted: its intents are gone or going; it restarts as a new transaction. */
export class TransactionAbortedError extends RangedbError {
  readonly code = 'TRANSACTION_ABORTED';
  readonly errorClass = 'retryable';
  override readonly sqlState = '40001';

  constructor(
    readonly reason: TransactionAbortedReason,
    readonly txnId: TxnId | undefined,
  ) {
    super(`${retryPrefix}TransactionAbortedError(${reason})${txnId === undefined ? '' : `: txn ${shortTxnId(txnId)}`}`);
  }
}

/**
 * A write the transaction pipelined (or a STAGING commit's in-flight write) has no intent where
 * one was expected: the write was lost, or the transaction was aborted and its intents removed.
 * The coordinator turns it into `RETRY_ASYNC_WRITE_FAILURE`.
 */
export class IntentMissingError extends RangedbError {
  readonly code = 'INTENT_MISSING';
  readonly errorClass = 'retryable';
  override readonly sqlState = '40001';

  constructor(
    readonly key: Uint8Array,
    readonly txnId: TxnId,
  ) {
    super(`${retryPrefix}IntentMissingError: intent of txn ${shortTxnId(txnId)} missing at ${prettyKey(key)}`);
  }
}

// ─── ambiguous ───────────────────────────────────────────────────────────────────────────────

/**
 * The outcome of a write (usually a commit) is unknown: the request was sent, and the
 * connection, the leaseholder or the proposal was lost before an answer. It may have applied.
 * Never retried blindly (that could apply twice); the SQL client sees 40003.
 */
export class AmbiguousResultError extends RangedbError {
  readonly code = 'AMBIGUOUS_RESULT';
  readonly errorClass = 'ambiguous';
  override readonly sqlState = '40003'; // statement_completion_unknown

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`result is ambiguous: ${reason}`, options);
  }
}

// ─── input ───────────────────────────────────────────────────────────────────────────────────

/**
 * A batch read (or would write) at or below the range's GC threshold: the versions it needs may
 * have been garbage collected (kv/storage/mvcc/gc.ts keeps only what reads above the threshold
 * can see), so it is refused rather than answered from a partial history. CockroachDB's
 * `BatchTimestampBeforeGCError`, with its message; SQLSTATE 72000 is PostgreSQL's
 * snapshot_too_old, the same condition (a snapshot older than the data kept for it). Not
 * retryable: the same timestamp stays too old. An AS OF SYSTEM TIME older than the GC window
 * meets it.
 */
export class BatchTimestampBeforeGCError extends RangedbError {
  readonly code = 'BATCH_TIMESTAMP_BEFORE_GC';
  readonly errorClass = 'input';
  override readonly sqlState = '72000'; // snapshot_too_old

  constructor(
    readonly timestamp: Timestamp,
    readonly threshold: Timestamp,
  ) {
    super(`batch timestamp ${formatTimestamp(timestamp)} must be after replica GC threshold ${formatTimestamp(threshold)}`);
  }
}

// ─── internal ────────────────────────────────────────────────────────────────────────────────

/**
 * A request acted on a transaction in a status that forbids it: a write or heartbeat of a
 * COMMITTED transaction, a commit of one that is already finalized. A coordinator bug or a
 * replay; not retryable.
 */
export class TransactionStatusError extends RangedbError {
  readonly code = 'TRANSACTION_STATUS';
  readonly errorClass = 'internal';
  override readonly sqlState = '25000'; // invalid_transaction_state

  constructor(
    readonly txnId: TxnId,
    readonly status: TransactionStatus,
    readonly detail: string,
  ) {
    super(`TransactionStatusError: txn ${shortTxnId(txnId)} is ${status}: ${detail}`);
  }
}

export const isRoutingError = (error: unknown): error is RangedbError => error instanceof RangedbError && error.errorClass === 'routing';
export const isRetryableError = (error: unknown): error is RangedbError => error instanceof RangedbError && error.errorClass === 'retryable';
export const isAmbiguousError = (error: unknown): error is AmbiguousResultError => error instanceof AmbiguousResultError;

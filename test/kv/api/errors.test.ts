/** KV errors: stable codes, classes, SQLSTATEs and CockroachDB-style messages; MVCC errors re-exported, not copied. */
import { describe, expect, it } from 'vitest';
import { RangedbError } from '../../../src/base/errors.js';
import { nodeId, rangeId, replicaId, storeId } from '../../../src/base/ids.js';
import { timestamp } from '../../../clock/timestamp.js';
import * as mvccErrors from '../../../kv/storage/mvcc/errors.js';
import * as concurrencyErrors from '../../../kv/concurrency/errors.js';
import {
  AmbiguousResultError,
  ConditionFailedError,
  IntentMissingError,
  LockConflictError,
  NotLeaseholderError,
  RangeKeyMismatchError,
  RangeNotFoundError,
  ReadWithinUncertaintyIntervalError,
  TransactionAbortedError,
  TransactionRetryError,
  TransactionStatusError,
  WriteIntentError,
  WriteTooOldError,
  isAmbiguousError,
  isRetryableError,
  isRoutingError,
  lease,
  rangeDescriptor,
  span,
  tableKey,
  transactionAbortedReasons,
  transactionRetryReasons,
  intValue,
  type ReplicaDescriptor,
  type RKey,
} from '../../../kv/api/index.js';
import { enc, txnA } from './fixtures.js';

const r1: ReplicaDescriptor = { nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' };
const r2: ReplicaDescriptor = { nodeId: nodeId(2), storeId: storeId(2), replicaId: replicaId(2), type: 'voter' };
const desc = rangeDescriptor({ rangeId: rangeId(7), startKey: enc('b') as RKey, endKey: enc('m') as RKey, replicas: [r1, r2], nextReplicaId: replicaId(3), generation: 1 });

const cases: readonly [RangedbError, string, string, string, RegExp][] = [
  [new NotLeaseholderError(rangeId(7), r1, lease({ replica: r2, start: timestamp(1n), expiration: undefined, epoch: 3, sequence: 4 })), 'NOT_LEASEHOLDER', 'routing', 'XX000', /^\[NotLeaseHolderError\] r7: replica \(n1,s1\):1 not lease holder; current lease is repl=\(n2,s2\):2 seq=4$/],
  [new NotLeaseholderError(rangeId(7), r1, undefined), 'NOT_LEASEHOLDER', 'routing', 'XX000', /lease holder unknown$/],
  [new RangeKeyMismatchError(span(enc('a'), enc('c')), rangeId(7), [desc]), 'RANGE_KEY_MISMATCH', 'routing', 'XX000', /^key range \/"a"-\/"c" outside of bounds of range r7 \/"b"-\/"m"$/],
  [new RangeKeyMismatchError(span(tableKey(52, 1, [intValue(1n)])), rangeId(9), []), 'RANGE_KEY_MISMATCH', 'routing', 'XX000', /^key range \/Table\/52\/1\/1-.* outside of bounds of range r9 \(unknown bounds\)$/],
  [new RangeNotFoundError(rangeId(7), storeId(2)), 'RANGE_NOT_FOUND', 'routing', 'XX000', /^r7 was not found on s2$/],
  [new TransactionRetryError('RETRY_SERIALIZABLE', 'failed to refresh reads'), 'TRANSACTION_RETRY', 'retryable', '40001', /^restart transaction: TransactionRetryWithProtoRefreshError: TransactionRetryError: retry txn \(RETRY_SERIALIZABLE - failed to refresh reads\)$/],
  [new TransactionRetryError('RETRY_WRITE_TOO_OLD', ''), 'TRANSACTION_RETRY', 'retryable', '40001', /retry txn \(RETRY_WRITE_TOO_OLD\)$/],
  [new TransactionAbortedError('ABORT_REASON_ABORTED_RECORD_FOUND', txnA.id), 'TRANSACTION_ABORTED', 'retryable', '40001', /^restart transaction: TransactionRetryWithProtoRefreshError: TransactionAbortedError\(ABORT_REASON_ABORTED_RECORD_FOUND\): txn 01234567$/],
  [new IntentMissingError(enc('k'), txnA.id), 'INTENT_MISSING', 'retryable', '40001', /intent of txn 01234567 missing at \/"k"$/],
  [new AmbiguousResultError('connection lost during commit'), 'AMBIGUOUS_RESULT', 'ambiguous', '40003', /^result is ambiguous: connection lost during commit$/],
  [new TransactionStatusError(txnA.id, 'COMMITTED', 'cannot write'), 'TRANSACTION_STATUS', 'internal', '25000', /^TransactionStatusError: txn 01234567 is COMMITTED: cannot write$/],
  [new LockConflictError(enc('k'), txnA), 'LOCK_CONFLICT', 'conflict', '55P03', /could not obtain lock/],
];

describe('KV errors', () => {
  it.each(cases.map((c) => [c[1], ...c] as const))('%s', (_, error, code, errorClass, sqlState, message) => {
    expect(error).toBeInstanceOf(RangedbError);
    expect(error.code).toBe(code);
    expect(error.errorClass).toBe(errorClass);
    expect(error.sqlState).toBe(sqlState);
    expect(error.message).toMatch(message);
    expect(error.name).toBe(error.constructor.name);
    expect(isRoutingError(error)).toBe(errorClass === 'routing');
    expect(isRetryableError(error)).toBe(errorClass === 'retryable');
    expect(isAmbiguousError(error)).toBe(errorClass === 'ambiguous');
  });

  it('keeps codes unique', () => {
    const byClass = new Map<string, string>();
    for (const [error, code] of cases) {
      const seen = byClass.get(code);
      expect(seen === undefined || seen === error.constructor.name).toBe(true);
      byClass.set(code, error.constructor.name);
    }
  });

  it('re-exports the MVCC and lock-table errors instead of redefining them', () => {
    expect(WriteTooOldError).toBe(mvccErrors.WriteTooOldError);
    expect(ReadWithinUncertaintyIntervalError).toBe(mvccErrors.ReadWithinUncertaintyIntervalError);
    expect(WriteIntentError).toBe(mvccErrors.WriteIntentError);
    expect(ConditionFailedError).toBe(mvccErrors.ConditionFailedError);
    expect(LockConflictError).toBe(concurrencyErrors.LockConflictError);
    expect(isRetryableError(new WriteTooOldError(enc('k'), timestamp(1n), timestamp(2n)))).toBe(true);
  });

  it('lists each reason once', () => {
    expect(new Set(transactionRetryReasons).size).toBe(transactionRetryReasons.length);
    expect(new Set(transactionAbortedReasons).size).toBe(transactionAbortedReasons.length);
    expect(transactionRetryReasons).toContain('RETRY_COMMIT_DEADLINE_EXCEEDED');
    expect(transactionAbortedReasons).toContain('ABORT_REASON_TIMESTAMP_CACHE_REJECTED');
  });
});

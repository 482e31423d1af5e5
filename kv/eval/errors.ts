/**
 * Errors raised by command evaluation itself (the MVCC conflicts and kv/api's routing and
 * retryable errors are used as they are).
 */
import { RangedbError } from '../../src/base/errors.js';
import { shortTxnId, type TxnId } from '../../src/base/ids.js';
import type { PushType, Transaction, TransactionStatus } from '../api/index.js';

/**
 * A PushTxn lost: the pushee is live (heartbeat within `txnLivenessThresholdNanos`), not
 * finalized, and has at least the pusher's priority. The pusher waits in the pushee's txn wait
 * queue (kv/concurrency) and pushes again when the record changes (CockroachDB's
 * `TransactionPushError`).
 */
export class TransactionPushError extends RangedbError {
  readonly code = 'TRANSACTION_PUSH';
  readonly errorClass = 'conflict';
  override readonly sqlState = '40001';

  constructor(
    readonly pusheeId: TxnId,
    readonly pushType: PushType,
    readonly pusheeStatus: TransactionStatus,
  ) {
    const why = pusheeStatus === 'STAGING' ? 'its parallel commit awaits recovery' : 'live and not of lower priority';
    super(`failed to push txn ${shortTxnId(pusheeId)} (${pushType}): pushee is ${pusheeStatus}, ${why}`);
  }
}

/** An increment found a value that is not an 8-byte big-endian integer. */
export class NonIntegerValueError extends RangedbError {
  readonly code = 'NON_INTEGER_VALUE';
  readonly errorClass = 'input';
  override readonly sqlState = '22P02'; // invalid_text_representation

  constructor(readonly valueBytes: number) {
    super(`key does not hold an integer: value has ${valueBytes} bytes, not 8`);
  }
}

/** An increment would leave the signed 64-bit range. */
export class IntegerOverflowError extends RangedbError {
  readonly code = 'INTEGER_OVERFLOW';
  readonly errorClass = 'input';
  override readonly sqlState = '22003'; // numeric_value_out_of_range

  constructor(
    readonly current: bigint,
    readonly increment: bigint,
  ) {
    super(`key with value ${current} incremented by ${increment} results in overflow`);
  }
}

/**
 * A push won against a STAGING transaction — its record expired (the coordinator stopped
 * heartbeating) or the push is forced to break a deadlock — but a STAGING record cannot be
 * pushed or aborted as it stands: the transaction may already be implicitly committed (every
 * in-flight write landed at or below the staging timestamp). The pusher runs transaction
 * recovery (QueryIntent with prevention for each in-flight write, then RecoverTxn) and pushes
 * again (CockroachDB's `IndeterminateCommitError`).
 */
export class IndeterminateCommitError extends RangedbError {
  readonly code = 'INDETERMINATE_COMMIT';
  readonly errorClass = 'conflict';
  override readonly sqlState = '40001';

  constructor(readonly record: Transaction) {
    super(`txn ${shortTxnId(record.id)} is STAGING with ${record.inFlightWrites.length} in-flight writes: its commit is indeterminate until recovered`);
  }
}

/**
 * The typed errors MVCC operations return (DESIGN.md §2.5). Each carries what the layer above
 * needs to act: the conflicting intents to push, the timestamp to retry at, the actual value
 * that failed a condition.
 */
import { RangedbError } from '../../../src/base/errors.js';
import { shortTxnId } from '../../../src/base/ids.js';
import { formatTimestamp, type Timestamp } from '../../../clock/timestamp.js';
import type { TxnMeta } from './txn.js';

/** An intent found by a read or write: the key and the transaction holding it. */
export interface Intent {
  readonly key: Uint8Array;
  readonly txn: TxnMeta;
}

/**
 * The operation met intents of other transactions: it must wait for them, push them, or resolve
 * them, then retry. Carries up to `writeIntentErrorIntentsMax` intents.
 */
export class WriteIntentError extends RangedbError {
  readonly code = 'WRITE_INTENT';
  readonly errorClass = 'conflict';
  override readonly sqlState = '40001';

  constructor(readonly intents: readonly Intent[]) {
    super(`conflicting intents on ${intents.length} key(s), first held by txn ${intents[0] === undefined ? '?' : shortTxnId(intents[0].txn.id)}`);
  }
}

/**
 * A write found a committed version at or above its timestamp — or a locking read one above its
 * read timestamp. The writer must move its timestamp to `actualTimestamp` (just above the
 * newest such version) and retry. `keys` are every key that had such a version (a locking
 * read's, which the replica locks anyway so that the retry finds them unchanged); `[key]` for
 * a write.
 */
export class WriteTooOldError extends RangedbError {
  readonly code = 'WRITE_TOO_OLD';
  readonly errorClass = 'retryable';
  override readonly sqlState = '40001';

  constructor(
    readonly key: Uint8Array,
    readonly requestedTimestamp: Timestamp,
    readonly actualTimestamp: Timestamp,
    readonly keys: readonly Uint8Array[] = [key],
  ) {
    super(`write at ${formatTimestamp(requestedTimestamp)} too old; must write at or above ${formatTimestamp(actualTimestamp)}`);
  }
}

/**
 * A read found a value in its uncertainty interval `(readTimestamp, uncertaintyLimit]`: the value
 * may have been written before the read began in real time, so the read must restart above it.
 */
export class ReadWithinUncertaintyIntervalError extends RangedbError {
  readonly code = 'READ_WITHIN_UNCERTAINTY_INTERVAL';
  readonly errorClass = 'retryable';
  override readonly sqlState = '40001';

  constructor(
    readonly key: Uint8Array,
    readonly readTimestamp: Timestamp,
    readonly valueTimestamp: Timestamp,
    readonly uncertaintyLimit: Timestamp,
  ) {
    super(
      `read at ${formatTimestamp(readTimestamp)} encountered value at ${formatTimestamp(valueTimestamp)} ` +
        `within uncertainty interval (limit ${formatTimestamp(uncertaintyLimit)})`,
    );
  }
}

/** A conditional put found a different value than expected; `actualValue` is what it found. */
export class ConditionFailedError extends RangedbError {
  readonly code = 'CONDITION_FAILED';
  readonly errorClass = 'input';
  override readonly sqlState = '23505';

  constructor(
    readonly key: Uint8Array,
    readonly actualValue: Uint8Array | undefined,
  ) {
    super(actualValue === undefined ? 'unexpected value: key is absent' : `unexpected value: found ${actualValue.length} bytes`);
  }
}

/**
 * A transaction's write replayed at a sequence number it already wrote, with a different value:
 * the request is not a retry of the original, so it cannot be applied idempotently.
 */
export class IdempotencyMismatchError extends RangedbError {
  readonly code = 'IDEMPOTENCY_MISMATCH';
  readonly errorClass = 'internal';

  constructor(
    readonly key: Uint8Array,
    readonly sequence: number,
  ) {
    super(`transaction rewrote sequence ${sequence} with a different value`);
  }
}

/** A transaction met its own intent from a newer epoch: it is a stale incarnation of itself. */
export class TxnEpochRegressionError extends RangedbError {
  readonly code = 'TXN_EPOCH_REGRESSION';
  readonly errorClass = 'internal';

  constructor(
    readonly key: Uint8Array,
    readonly txnEpoch: number,
    readonly intentEpoch: number,
  ) {
    super(`transaction at epoch ${txnEpoch} found its own intent at newer epoch ${intentEpoch}`);
  }
}

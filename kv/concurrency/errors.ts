/**
 * The typed errors of the concurrency manager (DESIGN.md §2.5). Limit errors are thrown (the
 * request is refused and nothing changed); a conflict under the `error` wait policy (NOWAIT) is
 * returned as a decision carrying the same error class.
 */
import { RangedbError } from '../../src/base/errors.js';
import { shortTxnId } from '../../src/base/ids.js';
import type { TxnMeta } from '../storage/mvcc/txn.js';

/** A request with wait policy `error` (NOWAIT) met a lock held by another transaction. */
export class LockConflictError extends RangedbError {
  readonly code = 'LOCK_CONFLICT';
  readonly errorClass = 'conflict';
  override readonly sqlState = '55P03'; // lock_not_available

  constructor(
    readonly key: Uint8Array,
    readonly holder: TxnMeta,
  ) {
    super(`could not obtain lock: key is locked by txn ${shortTxnId(holder.id)}`);
  }
}

/** Too many locking requests already wait on one key's lock (`lockWaitQueueLengthMax`). */
export class LockWaitQueueFullError extends RangedbError {
  readonly code = 'LOCK_WAIT_QUEUE_FULL';
  readonly errorClass = 'unavailable';
  override readonly sqlState = '55P03';

  constructor(
    readonly key: Uint8Array,
    readonly queueLengthMax: number,
  ) {
    super(`lock wait queue is full (${queueLengthMax} waiters)`);
  }
}

/** The lock table tracks `lockTableKeysMax` keys and none can be evicted. */
export class LockTableFullError extends RangedbError {
  readonly code = 'LOCK_TABLE_FULL';
  readonly errorClass = 'unavailable';
  override readonly sqlState = '53200'; // out_of_memory

  constructor(readonly keysMax: number) {
    super(`lock table is full (${keysMax} keys)`);
  }
}

/** Too many requests already wait for latches (`latchWaitersMax`). */
export class LatchWaitersFullError extends RangedbError {
  readonly code = 'LATCH_WAITERS_FULL';
  readonly errorClass = 'unavailable';
  override readonly sqlState = '53000'; // insufficient_resources

  constructor(readonly waitersMax: number) {
    super(`too many requests waiting for latches (${waitersMax})`);
  }
}

/** Too many pushers already wait in the transaction wait queue (`txnWaitQueuePushersMax`). */
export class TxnWaitQueueFullError extends RangedbError {
  readonly code = 'TXN_WAIT_QUEUE_FULL';
  readonly errorClass = 'unavailable';
  override readonly sqlState = '53000';

  constructor(readonly pushersMax: number) {
    super(`too many pushers waiting on transactions (${pushersMax})`);
  }
}

/**
 * What MVCC needs to know about a transaction: its metadata (stored in every intent it writes)
 * and its read view (which of its own writes it may see).
 *
 * Sequence numbers order a transaction's writes; a read at sequence `s` sees the transaction's
 * own latest write with sequence ≤ s (so a statement does not see its own writes, and a savepoint
 * rollback can hide writes). The epoch counts restarts: intents from an older epoch are dead.
 */
import type { TxnId } from '../../../src/base/ids.js';
import type { Timestamp } from '../../../clock/timestamp.js';
import { assert } from '../../../src/base/assert.js';

/** Stored in each intent: enough to find and push the transaction. */
export interface TxnMeta {
  readonly id: TxnId;
  /** The transaction record's key (its anchor). */
  readonly key: Uint8Array;
  /** Restart counter; intents of an older epoch are discarded. */
  readonly epoch: number;
  /** The timestamp the transaction's intents are written at (the provisional commit time). */
  readonly writeTimestamp: Timestamp;
  /** The transaction's original timestamp; no intent of it is below this. */
  readonly minTimestamp: Timestamp;
  /** Conflict-resolution priority (higher wins a push). */
  readonly priority: number;
  /** Sequence number of the write (in an intent) or of the reader's view (in a request). */
  readonly sequence: number;
}

/** An inclusive range of sequence numbers rolled back by a savepoint. */
export interface SequenceRange {
  readonly start: number;
  readonly end: number;
}

/** A transaction as an MVCC operation sees it. */
export interface MvccTxn {
  readonly meta: TxnMeta;
  /** The timestamp the transaction reads at. */
  readonly readTimestamp: Timestamp;
  /** Sequence ranges whose writes were rolled back; sorted, non-overlapping. */
  readonly ignoredSequences: readonly SequenceRange[];
}

export function isIgnored(sequence: number, ignored: readonly SequenceRange[]): boolean {
  for (const range of ignored) {
    if (sequence < range.start) return false;
    if (sequence <= range.end) return true;
  }
  return false;
}

export function checkTxn(txn: MvccTxn): void {
  assert(Number.isSafeInteger(txn.meta.epoch) && txn.meta.epoch >= 0, 'epoch must be a non-negative integer');
  assert(Number.isSafeInteger(txn.meta.sequence) && txn.meta.sequence >= 0, 'sequence must be a non-negative integer');
}

/**
 * `Transaction`: the transaction record and the proto every transactional request carries
 * (CockroachDB's `roachpb.Transaction`). It extends the MVCC `TxnMeta` stored in each intent
 * with what the coordinator and the record need: status, read timestamp, the global uncertainty
 * limit, savepoint rollbacks, and the lock spans and in-flight writes of a commit.
 *
 *     PENDING ──► STAGING ──► COMMITTED          (parallel commit: STAGING becomes COMMITTED
 *        │           │                            once every in-flight write is proven)
 *        └───────────┴──────► ABORTED
 *
 * COMMITTED and ABORTED are final: a record never leaves them (`isFinalized`). Values are frozen.
 */
import { assert } from '../../src/base/assert.js';
import { compare, type Timestamp } from '../../clock/timestamp.js';
import type { MvccTxn, SequenceRange, TxnMeta } from '../storage/mvcc/txn.js';
import type { Span } from './span.js';

export type { SequenceRange, TxnMeta };

export type TransactionStatus = 'PENDING' | 'STAGING' | 'COMMITTED' | 'ABORTED';

export const transactionStatuses: readonly TransactionStatus[] = Object.freeze(['PENDING', 'STAGING', 'COMMITTED', 'ABORTED']);

/** A write of a STAGING transaction whose replication is not yet known (parallel commits). */
export interface SequencedWrite {
  readonly key: Uint8Array;
  readonly sequence: number;
}

export interface Transaction extends TxnMeta {
  /** For logs and `rangedb_internal` tables; not unique. */
  readonly name: string;
  readonly status: TransactionStatus;
  /** The timestamp the transaction reads at; ≤ `writeTimestamp`. A refresh moves it up. */
  readonly readTimestamp: Timestamp;
  /**
   * `minTimestamp + maxOffset`: a value above `readTimestamp` and at or below this limit may have
   * been written before the transaction began in real time (uncertainty intervals, DESIGN §5).
   */
  readonly globalUncertaintyLimit: Timestamp;
  /** Sequence ranges rolled back by savepoints; sorted, non-overlapping. */
  readonly ignoredSequences: readonly SequenceRange[];
  /** Spans of every lock (intent) the transaction wrote whose replication is proven. */
  readonly lockSpans: readonly Span[];
  /** Writes in flight at a STAGING commit; empty otherwise. */
  readonly inFlightWrites: readonly SequencedWrite[];
  /** The last heartbeat the record received (zero if none), for abandonment detection. */
  readonly lastHeartbeat: Timestamp;
}

export function isFinalized(status: TransactionStatus): boolean {
  return status === 'COMMITTED' || status === 'ABORTED';
}

/** `fields`, frozen (in place: pass a fresh object); asserts the invariants between its fields. */
export function transaction(fields: Transaction): Transaction {
  assert(Number.isSafeInteger(fields.epoch) && fields.epoch >= 0, 'epoch must be a non-negative integer');
  assert(Number.isSafeInteger(fields.sequence) && fields.sequence >= 0, 'sequence must be a non-negative integer');
  assert(compare(fields.minTimestamp, fields.readTimestamp) <= 0, 'minTimestamp must be ≤ readTimestamp');
  assert(compare(fields.readTimestamp, fields.writeTimestamp) <= 0, 'readTimestamp must be ≤ writeTimestamp');
  assert(compare(fields.minTimestamp, fields.globalUncertaintyLimit) <= 0, 'globalUncertaintyLimit must be ≥ minTimestamp');
  for (let i = 0; i < fields.ignoredSequences.length; i++) {
    const range = fields.ignoredSequences[i]!;
    assert(range.start <= range.end, 'ignored sequence range must have start ≤ end');
    assert(i === 0 || fields.ignoredSequences[i - 1]!.end < range.start, 'ignored sequences must be sorted and disjoint');
  }
  // Callers build `fields` fresh (`transaction({ ...txn, status })`) or pass a frozen proto:
  // freezing it in place saves a second copy of fifteen fields on every proto update.
  return Object.isFrozen(fields) ? fields : Object.freeze(fields);
}

/**
 * `txn` with `changes` applied, frozen and checked like `transaction`. Prefer it to
 * `transaction({ ...txn, … })`: V8 copies a frozen object by spread on its slow path (about a
 * microsecond for a proto, several per transaction), while this builds the literal directly.
 */
export function updateTransaction(txn: Transaction, changes: Partial<Transaction>): Transaction {
  return transaction({
    id: changes.id ?? txn.id,
    key: changes.key ?? txn.key,
    epoch: changes.epoch ?? txn.epoch,
    writeTimestamp: changes.writeTimestamp ?? txn.writeTimestamp,
    minTimestamp: changes.minTimestamp ?? txn.minTimestamp,
    priority: changes.priority ?? txn.priority,
    sequence: changes.sequence ?? txn.sequence,
    name: changes.name ?? txn.name,
    status: changes.status ?? txn.status,
    readTimestamp: changes.readTimestamp ?? txn.readTimestamp,
    globalUncertaintyLimit: changes.globalUncertaintyLimit ?? txn.globalUncertaintyLimit,
    ignoredSequences: changes.ignoredSequences ?? txn.ignoredSequences,
    lockSpans: changes.lockSpans ?? txn.lockSpans,
    inFlightWrites: changes.inFlightWrites ?? txn.inFlightWrites,
    lastHeartbeat: changes.lastHeartbeat ?? txn.lastHeartbeat,
  } satisfies Record<keyof Transaction, unknown>);
}

/** The metadata an intent of this transaction records (MVCC's `TxnMeta`). */
export function txnMeta(txn: Transaction): TxnMeta {
  return Object.freeze({ id: txn.id, key: txn.key, epoch: txn.epoch, writeTimestamp: txn.writeTimestamp, minTimestamp: txn.minTimestamp, priority: txn.priority, sequence: txn.sequence });
}

/** The transaction as an MVCC read or write sees it. */
export function mvccTxn(txn: Transaction): MvccTxn {
  return Object.freeze({ meta: txnMeta(txn), readTimestamp: txn.readTimestamp, ignoredSequences: txn.ignoredSequences });
}

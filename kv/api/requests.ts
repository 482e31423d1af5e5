/**
 * The requests of the KV API (CockroachDB's `kvpb` requests): one interface per command, a
 * discriminated union on `kind`, and a `BatchRequest` that carries several of them under one
 * header. Every value is frozen by its factory (kysely style); `responses.ts` mirrors each kind.
 *
 * Keys in requests are user-visible (global) keys; requests that address a transaction record
 * (`endTxn`, `heartbeatTxn`, `pushTxn`, `queryTxn`, `recoverTxn`) carry the record's anchor key as `key`, and
 * `requestKeys` (keys.ts) maps that to the range-local record key they latch.
 */
import type { RangeId, TxnId } from '../../src/base/ids.js';
import type { Timestamp } from '../../clock/timestamp.js';
import type { RangeDescriptor } from './descriptor.js';
import type { Span } from './span.js';
import type { SequenceRange, SequencedWrite, Transaction, TransactionStatus, TxnMeta } from './transaction.js';

/** What a request does when it meets a lock: wait in the lock's queue, fail (`NOWAIT`), or skip the key. */
export type WaitPolicy = 'block' | 'error' | 'skipLocked';

/** `consistent` reads go to the leaseholder and see intents; the others read what the replica has. */
export type ReadConsistency = 'consistent' | 'readUncommitted' | 'inconsistent';

/** The lock a read takes (`SELECT … FOR SHARE | FOR UPDATE`); `none` for plain reads. */
export type LockStrength = 'none' | 'shared' | 'exclusive';

export interface BatchHeader {
  /** The timestamp of a non-transactional batch; for a transactional one, the txn's read timestamp. */
  readonly timestamp: Timestamp;
  /** The transaction the batch belongs to; undefined for a non-transactional batch. */
  readonly txn: Transaction | undefined;
  /** The range the sender believes holds every key of the batch; set by DistSender. */
  readonly rangeId: RangeId | undefined;
  readonly waitPolicy: WaitPolicy;
  /** The sender's clock reading, so the receiver's hybrid clock moves past it. */
  readonly now: Timestamp;
  readonly readConsistency: ReadConsistency;
  /** Most keys all scans of the batch return together (0 = no limit); the rest is a resume span. */
  readonly maxSpanRequestKeys: number;
  /** Bytes after which scans stop and return a resume span (0 = no limit). */
  readonly targetBytes: number;
}

// ─── reads ───────────────────────────────────────────────────────────────────────────────────

export interface GetRequest {
  readonly kind: 'get';
  readonly key: Uint8Array;
  readonly keyLocking: LockStrength;
  /**
   * A locking read that takes no lock: it meets locks and newer values exactly as a read of
   * `keyLocking` would (queues, fails or skips per the wait policy; WriteTooOld on a value above
   * its read timestamp), but the replica acquires nothing on the keys it returns. SKIP LOCKED's
   * first pass (sql/exec's LockRows): the scan skips what others lock, and only the rows the
   * query keeps are then locked, by locking Gets. Absent: false.
   */
  readonly lockProbe?: boolean;
}

export interface ScanRequest {
  readonly kind: 'scan';
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
  readonly keyLocking: LockStrength;
  /** See `GetRequest.lockProbe`. */
  readonly lockProbe?: boolean;
}

export interface ReverseScanRequest {
  readonly kind: 'reverseScan';
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
  readonly keyLocking: LockStrength;
  /** See `GetRequest.lockProbe`. */
  readonly lockProbe?: boolean;
}

// ─── writes ──────────────────────────────────────────────────────────────────────────────────

/**
 * Fields every data write shares (CockroachDB's `RequestHeader.Sequence`). `sequence` is the
 * write's sequence number within its transaction's epoch, assigned by the coordinator: kv/eval
 * writes the intent at it, so one batch can write a key twice (at 1, then 2) and a retried write
 * at a sequence already written is recognised as a replay. Absent, the header transaction's
 * `sequence` is used; ignored for a non-transactional batch.
 */
export interface WriteRequestFields {
  readonly sequence?: number;
}

export interface PutRequest extends WriteRequestFields {
  readonly kind: 'put';
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Writes `value` only if the current value is `expectedValue` (undefined = absent). */
export interface ConditionalPutRequest extends WriteRequestFields {
  readonly kind: 'conditionalPut';
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly expectedValue: Uint8Array | undefined;
  /** Also succeed when the key is absent, whatever `expectedValue` says. */
  readonly allowIfDoesNotExist: boolean;
}

/** Adds `increment` to the key's value, a signed 64-bit integer (absent = 0). */
export interface IncrementRequest extends WriteRequestFields {
  readonly kind: 'increment';
  readonly key: Uint8Array;
  readonly increment: bigint;
}

export interface DeleteRequest extends WriteRequestFields {
  readonly kind: 'delete';
  readonly key: Uint8Array;
}

export interface DeleteRangeRequest extends WriteRequestFields {
  readonly kind: 'deleteRange';
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
  /** Return the keys deleted (SQL's `DELETE … RETURNING` needs them). */
  readonly returnKeys: boolean;
}

// ─── transactions ────────────────────────────────────────────────────────────────────────────

/** What a split or merge commit does to the ranges at apply time (the commit trigger). */
export type CommitTrigger =
  | { readonly kind: 'split'; readonly left: RangeDescriptor; readonly right: RangeDescriptor }
  | { readonly kind: 'merge'; readonly left: RangeDescriptor; readonly right: RangeDescriptor };

/** Commits or aborts the header's transaction: writes its record at `transactionKey(key, id)`. */
export interface EndTxnRequest {
  readonly kind: 'endTxn';
  /** The transaction's anchor key. */
  readonly key: Uint8Array;
  readonly commit: boolean;
  /** The commit fails if the write timestamp is not below it (SQL's transaction deadline). */
  readonly deadline: Timestamp | undefined;
  readonly lockSpans: readonly Span[];
  /** Non-empty for a parallel commit: the record becomes STAGING until these are proven. */
  readonly inFlightWrites: readonly SequencedWrite[];
  readonly commitTrigger: CommitTrigger | undefined;
}

/** Refreshes the header transaction's record heartbeat to `now` (creating the record if missing). */
export interface HeartbeatTxnRequest {
  readonly kind: 'heartbeatTxn';
  readonly key: Uint8Array;
  readonly now: Timestamp;
}

/**
 * `timestamp`: move the pushee's write timestamp to at least `pushTo`; `abort`: abort it;
 * `touch`: succeed only if the pushee is abandoned or finished (no waiting).
 */
export type PushType = 'timestamp' | 'abort' | 'touch';

export interface PushTxnRequest {
  readonly kind: 'pushTxn';
  /** The pushee's anchor key. */
  readonly key: Uint8Array;
  /** The pushing transaction; undefined for a non-transactional pusher. */
  readonly pusher: TxnMeta | undefined;
  readonly pushee: TxnMeta;
  readonly pushTo: Timestamp;
  readonly pushType: PushType;
  /** Push even if the pushee is live and has the higher priority (used for deadlocks). */
  readonly force: boolean;
}

export interface QueryTxnRequest {
  readonly kind: 'queryTxn';
  readonly key: Uint8Array;
  readonly txn: TxnMeta;
}

/**
 * Whether the intent of an in-flight write of a STAGING transaction is there (CockroachDB's
 * `QueryIntent`), for transaction recovery: found when `key` holds an intent of `txn.id` at
 * `txn.epoch`, written at `sequence` or later, at a timestamp at or below `txn.writeTimestamp`
 * (the staging timestamp). With `prevent`, a missing intent is made impossible for good: the
 * key's timestamp cache is raised to `txn.writeTimestamp` (for every transaction, this one
 * included), so the write, if it is still on its way, lands above the staging timestamp and
 * can no longer make the transaction implicitly committed.
 */
export interface QueryIntentRequest {
  readonly kind: 'queryIntent';
  readonly key: Uint8Array;
  readonly txn: TxnMeta;
  /** The in-flight write's sequence. */
  readonly sequence: number;
  readonly prevent: boolean;
}

/**
 * Finishes transaction recovery on the record's range (CockroachDB's `RecoverTxn`): the record
 * of `txn` (the STAGING record as the recoverer saw it) becomes COMMITTED when every in-flight
 * write was found (`implicitlyCommitted`), ABORTED when one was prevented. Idempotent: a record
 * already finalized, restarted at a later epoch or re-staged at a later timestamp is returned
 * as it is (recovery is no longer needed).
 */
export interface RecoverTxnRequest {
  readonly kind: 'recoverTxn';
  /** The transaction's anchor key. */
  readonly key: Uint8Array;
  readonly txn: TxnMeta;
  readonly implicitlyCommitted: boolean;
}

export interface ResolveIntentRequest {
  readonly kind: 'resolveIntent';
  readonly key: Uint8Array;
  readonly intentTxn: TxnMeta;
  readonly status: TransactionStatus;
  readonly ignoredSequences: readonly SequenceRange[];
  /** Record the abort in the range's abort span so the transaction's later reads fail. */
  readonly poison: boolean;
}

export interface ResolveIntentRangeRequest {
  readonly kind: 'resolveIntentRange';
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
  readonly intentTxn: TxnMeta;
  readonly status: TransactionStatus;
  readonly ignoredSequences: readonly SequenceRange[];
  readonly poison: boolean;
}

/** Fails if a value was written to `key` in `(refreshFrom, header txn readTimestamp]`. */
export interface RefreshRequest {
  readonly kind: 'refresh';
  readonly key: Uint8Array;
  readonly refreshFrom: Timestamp;
}

export interface RefreshRangeRequest {
  readonly kind: 'refreshRange';
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
  readonly refreshFrom: Timestamp;
}

// ─── maintenance and admin ───────────────────────────────────────────────────────────────────

export interface GCKey {
  readonly key: Uint8Array;
  /** Versions at or below this timestamp are removed. */
  readonly timestamp: Timestamp;
}

/** Removes old versions in `[key, endKey)` and raises the range's GC threshold to `threshold`. */
export interface GCRequest {
  readonly kind: 'gc';
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
  readonly keys: readonly GCKey[];
  readonly threshold: Timestamp;
}

/**
 * Removes every version of every key in `[key, endKey)` outright — not MVCC: no read at any
 * timestamp sees them afterwards (CockroachDB's ClearRange). Non-transactional, for spans no one
 * may read or write any more (the data of a dropped index); refused (a conflict on the intents)
 * while the span holds intents. Each range clears a bounded part per command and answers the
 * rest as its resume span.
 */
export interface ClearRangeRequest {
  readonly kind: 'clearRange';
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
}

/** Splits the range holding `key` at `splitKey` (which may be `key`). */
export interface AdminSplitRequest {
  readonly kind: 'adminSplit';
  readonly key: Uint8Array;
  readonly splitKey: Uint8Array;
}

/** Merges the range starting at (or holding) `key` with its right neighbour. */
export interface AdminMergeRequest {
  readonly kind: 'adminMerge';
  readonly key: Uint8Array;
}

export type Request =
  | GetRequest
  | ScanRequest
  | ReverseScanRequest
  | PutRequest
  | ConditionalPutRequest
  | IncrementRequest
  | DeleteRequest
  | DeleteRangeRequest
  | EndTxnRequest
  | HeartbeatTxnRequest
  | PushTxnRequest
  | QueryTxnRequest
  | QueryIntentRequest
  | RecoverTxnRequest
  | ResolveIntentRequest
  | ResolveIntentRangeRequest
  | RefreshRequest
  | RefreshRangeRequest
  | GCRequest
  | ClearRangeRequest
  | AdminSplitRequest
  | AdminMergeRequest;

export type RequestKind = Request['kind'];
export type RequestOf<K extends RequestKind> = Extract<Request, { readonly kind: K }>;

/** Every request kind, in a fixed order (the order of the union). */
export const requestKinds: readonly RequestKind[] = Object.freeze([
  'get',
  'scan',
  'reverseScan',
  'put',
  'conditionalPut',
  'increment',
  'delete',
  'deleteRange',
  'endTxn',
  'heartbeatTxn',
  'pushTxn',
  'queryTxn',
  'queryIntent',
  'recoverTxn',
  'resolveIntent',
  'resolveIntentRange',
  'refresh',
  'refreshRange',
  'gc',
  'clearRange',
  'adminSplit',
  'adminMerge',
] as const);

export interface BatchRequest<Rs extends readonly Request[] = readonly Request[]> {
  readonly header: BatchHeader;
  readonly requests: Rs;
}

/** The transaction id of a batch, if it has one (for logs). */
export function batchTxnId(batch: BatchRequest): TxnId | undefined {
  return batch.header.txn?.id;
}

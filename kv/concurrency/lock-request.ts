/**
 * What the lock table needs to know about a request (CockroachDB's `lockTableGuard` inputs).
 */
import type { Timestamp } from '../../clock/timestamp.js';
import type { TxnMeta } from '../storage/mvcc/txn.js';
import type { Span, SpanAccess } from './spans.js';

/**
 * What a request does when it meets a conflicting lock: `block` waits in the queue; `error`
 * fails at once with a `LockConflictError` (SQL's NOWAIT); `skipLocked` proceeds and reports
 * the locked keys so evaluation skips them (SQL's SKIP LOCKED).
 */
export type WaitPolicy = 'block' | 'error' | 'skipLocked';

export interface LockSpan {
  readonly span: Span;
  readonly access: SpanAccess;
}

export interface LockRequest {
  /** Unique among the table's active requests (from `scanAndEnqueue` until `dequeue`). */
  readonly name: string;
  /** The request's transaction, or undefined for a non-transactional request. */
  readonly txn: TxnMeta | undefined;
  /** The timestamp the request reads at (a read does not wait on a lock above it). */
  readonly timestamp: Timestamp;
  readonly spans: readonly LockSpan[];
  readonly waitPolicy: WaitPolicy;
}

/**
 * What the lock table needs to know about a request (CockroachDB's `lockTableGuard` inputs).
 */
import type { Timestamp } from '../../clock/timestamp.js';
import type { TxnMeta } from '../storage/mvcc/txn.js';
import type { Span } from './spans.js';

/**
 * What a request does when it meets a conflicting lock: `block` waits in the queue; `error`
 * fails at once with a `LockConflictError` (SQL's NOWAIT); `skipLocked` proceeds and reports
 * the locked keys so evaluation skips them (SQL's SKIP LOCKED).
 */
export type WaitPolicy = 'block' | 'error' | 'skipLocked';

/**
 * How a request meets the locks of a span (CockroachDB's lock strengths, seen from the waiter):
 * - `read`: a non-locking read; it waits only on intents at or below its timestamp — never on
 *   unreplicated locks, which hide no value from it;
 * - `shared`: a shared locking read (`FOR SHARE`); it waits on intents and exclusive locks of
 *   other transactions, and shares the key with other shared lockers;
 * - `write`: a write or an exclusive locking read (`FOR UPDATE`, UPDATE/DELETE's reads); it
 *   waits on every lock of another transaction, whatever its strength or timestamp.
 */
export type LockAccess = 'read' | 'shared' | 'write';

/** The strength of a lock a transaction acquires through the table. */
export type LockStrength = 'shared' | 'exclusive';

export interface LockSpan {
  readonly span: Span;
  readonly access: LockAccess;
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

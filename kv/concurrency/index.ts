/**
 * # Concurrency control on the leaseholder (DESIGN.md §5)
 *
 * Three sans-I/O cores decide who may evaluate, who waits for whom, and who must be aborted.
 * None has a timer, a clock, a promise or randomness: each takes inputs and returns decisions or
 * events; the replica (next session) turns them into waiting, pushing and aborting.
 *
 *     request ──► LatchManager ──acquired──► LockTable.scanAndEnqueue ──proceed──► evaluate
 *                   │ wait (FIFO)               │ wait at key K (request waiting list)
 *                   ▼                           ▼ (release latches; the distinguished waiter
 *                 release ► unblocked            pushes K's owner after a short delay)
 *                                              PushTxn ──► TxnWaitQueue on the pushee's range
 *                                                            │ waits-for graph → deadlock: abort
 *                                                            │ no heartbeat → abandoned: abort
 *                                                            ▼ pushee finalized → release pushers
 *                                               onTxnFinalized / onLockReleased ► proceed events
 *
 * - `latch-manager.ts` — **span latches**: mutual exclusion over key spans during evaluation,
 *   MVCC-aware (a read below a write's timestamp does not conflict), sequenced on arrival so a
 *   later request never overtakes an earlier conflicting one. `latch-manager-async.ts` adapts it
 *   to promises.
 * - `lock-table.ts` + `lock-state.ts` — **the lock table**: locks that outlive evaluation
 *   (intents, unreplicated locks), each key with a FIFO **request waiting list**; readers are
 *   released together, writers one at a time through a **reservation** (broken by an earlier
 *   arrival, so reservations taken in opposite orders never look like a deadlock); one
 *   **distinguished waiter** per key pushes, so N waiters cost one push; a transaction never
 *   waits for itself. Wait policies block, error (NOWAIT) and skip-locked. Lock strengths:
 *   intents and exclusive unreplicated locks (FOR UPDATE, UPDATE/DELETE's reads) exclude every
 *   other transaction's locking reads and writes; shared locks (FOR SHARE) only writers and
 *   exclusive lockers; plain reads wait on intents alone. `lock-request.ts` is its input.
 * - `txn-wait-queue.ts` — **the transaction wait queue**: pushers parked on a pushee's record, a
 *   **waits-for graph** with **deadlock detection** (abort the lowest priority, ties to the larger
 *   id), and **abandonment** through a heartbeat **lease** (liveness threshold).
 * - `timestamp-cache.ts` — **the timestamp cache**: the highest timestamp each key span was read
 *   at, and by which txn, above a **low-water mark** (the lease start); a write below it is
 *   pushed above it. Bounded: eviction raises the low-water mark, so answers only go up.
 * - `spans.ts`, `errors.ts` — spans and the typed errors (`LockConflictError` for NOWAIT, and a
 *   bounds error per limit: `LatchWaitersFullError`, `LockTableFullError`,
 *   `LockWaitQueueFullError`, `TxnWaitQueueFullError`).
 *
 * Each core is a **single-threaded state machine** driven by its owner, which serializes inputs
 * (the singular update queue pattern): no `await` sits between a decision and its bookkeeping.
 * Every structure is bounded by a limit in `src/base/limits.ts`.
 */
export { LatchManager, latchesConflict, type LatchAcquireResult, type LatchGuard, type LatchSpan } from './latch-manager.js';
export { LatchManagerAsync } from './latch-manager-async.js';
export { LockTable, type LockDurability, type LockScanResult, type LockTableEvent, type LockTableLimits } from './lock-table.js';
export type { LockAccess, LockRequest, LockSpan, LockStrength, WaitPolicy } from './lock-request.js';
export type { LockHolder, LockState, Waiter } from './lock-state.js';
export { blockingTxn, isHeld, lockOwner } from './lock-state.js';
export { TxnWaitQueue, deadlockVictim, isAbandoned, type Deadlock, type WaitingPush } from './txn-wait-queue.js';
export { TimestampCache, type TimestampCacheOptions, type TimestampCacheValue } from './timestamp-cache.js';
export { checkSpan, spanContainsKey, spanEnd, spansOverlap, type Span, type SpanAccess } from './spans.js';
export { LatchWaitersFullError, LockConflictError, LockTableFullError, LockWaitQueueFullError, TxnWaitQueueFullError } from './errors.js';

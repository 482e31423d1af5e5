/**
 * # MVCC: versioned values over the storage engine
 *
 * Every key holds a history of versions stamped with hybrid-logical-clock timestamps (the
 * versioned-value pattern). A read at timestamp T sees the newest version at or below T, so
 * readers never block writers and a snapshot is just a timestamp. Transactions write *intents*:
 * provisional values that also lock the key, kept in a lock table beside the data until the
 * transaction's fate is known and the intent is resolved (committed or aborted) — the prepare
 * and apply halves of two-phase commit.
 *
 *     user key "a":  lock table   0x01 z k ∥ esc(a)      → intent {txn A, ts 30, value "v3"}
 *                    data         esc(a)                  → @20 "v2"    (newest committed)
 *                                 esc(a) ∥ ~@10           → "v1"       (older, newest first)
 *
 *     read @25 (not txn A) → intent @30 is above 25: ignore it → newest @20 ≤ 25 → "v2"
 *     read @35 (not txn A) → intent @30 ≤ 35: conflict (WriteIntentError: push txn A)
 *     read by txn A        → its own intent: "v3"
 *     read @15             → newest @20 > 15 → history: @10 → "v1"
 *
 * Files:
 * - `keys.ts` — the engine layout (and why the newest version has no timestamp suffix);
 * - `values.ts` — version and intent record encodings;
 * - `txn.ts` — the transaction metadata and read view MVCC needs;
 * - `visibility.ts` — what a reader sees: own intents, conflicts, uncertainty;
 * - `read.ts` — `mvccGet`, `mvccScan` (forward, reverse, limits, resume spans);
 * - `write.ts` — `mvccPut`, `mvccConditionalPut`, `mvccDelete`, `mvccDeleteRange`;
 * - `resolve.ts` — `mvccResolveIntent`, `mvccResolveIntentRange`;
 * - `gc.ts` — `mvccGarbageCollect` below a threshold (the low-water mark of reads);
 * - `clear.ts` — `mvccClearRange`: every version of a span no one reads any more, outright
 *   (not MVCC: for dropped indexes; refuses a span holding intents);
 * - `stats.ts` — per-range statistics kept exact by every operation;
 * - `errors.ts` — the typed conflicts: WriteIntent, WriteTooOld, ReadWithinUncertaintyInterval,
 *   ConditionFailed, IdempotencyMismatch, TxnEpochRegression.
 *
 * Determinism: these functions use no clock, timer or randomness; given the engine's contents
 * they always produce the same writes and results. Point writes (`mvccPut`, `mvccDelete`,
 * `mvccConditionalPut`) and `mvccResolveIntent` are synchronous, as the sans-I/O principle asks;
 * the operations that must iterate (gets that reach older versions, scans, range operations,
 * GC) are `async` only because LevelDB iteration is, and await nothing but the engine.
 * Concurrency control is the caller's — a range evaluates conflicting requests under latches,
 * so no two writers interleave on a key between the checks and the writes here.
 */
export * from './clear.js';
export * from './errors.js';
export * from './gc.js';
export * from './keys.js';
export * from './read.js';
export * from './resolve.js';
export * from './stats.js';
export * from './txn.js';
export * from './values.js';
export { mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccPut, type ConditionalPutOptions, type DeleteRangeResult, type WriteOptions, type WriteResult } from './write.js';

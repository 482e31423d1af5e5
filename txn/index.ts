/**
 * # txn/: the transaction coordinator (CockroachDB's `TxnCoordSender`)
 *
 * A `Txn` turns `get/scan/put/cput/delete/deleteRange/commit/rollback` into batches that carry
 * the transaction in their header, and sends each down an ordered stack of interceptors — one
 * small stateful object per concern, one file each — to the wire `Sender` (DistSender, or a
 * store). `runTxn` wraps a function in a transaction and retries what is retryable.
 *
 * ```
 *   runTxn(fn) ── retry loop: TransactionRetryError → same txn, epoch+1, at the pushed ts
 *      │                      TransactionAbortedError → new txn;  AmbiguousResultError → thrown
 *      ▼
 *   Txn  get · scan · put · cput · delete · deleteRange · commit · rollback
 *      │ BatchRequest{ header.txn = proto }                 ▲ BatchResponse{ header.txn } merged
 *      ▼                                                     │ (timestamps only move up)
 *   ┌──────────────────────┐
 *   │ seq-num-allocator.ts │  writes get sequence 1, 2, 3 … as made; header carries the
 *   │                      │  read sequence (the last write's, or the pin of `step`)
 *   ├──────────────────────┤
 *   │ write-buffer.ts      │  puts held (policy all | locked; and fresh keys' checks) and
 *   │                      │  sent ahead of the next other request or with the commit;
 *   │                      │  plain reads answered around
 *   ├──────────────────────┤  first write: HeartbeatTxn every txnHeartbeatIntervalNanos ──┐
 *   │ heartbeater.ts       │  EndTxn: stop (a STAGING record: on until explicit); record  │
 *   │                      │  found ABORTED: fail the next batch                          │
 *   ├──────────────────────┤                                                              │
 *   │ span-refresher.ts    │  record read spans; on a push (WriteTooOld, uncertainty,     │
 *   │                      │  pushed response, EndTxn RETRY_SERIALIZABLE) Refresh them    │
 *   │                      │  oldReadTs → newTs, move readTs up, resend once; else 40001  │
 *   ├──────────────────────┤                                                              │
 *   │ commit-wait.ts       │  strict serializability: hold the ack until                  │
 *   │                      │  ClockBound.now().earliest > commitTs; lastCommitWaitNanos   │
 *   ├──────────────────────┤                                                              │
 *   │ committer.ts         │  lock spans of every write → EndTxn{lockSpans}; 1PC when all │
 *   │                      │  writes ride with the commit on one range; read-only: elided │
 *   └──────────┬───────────┘                                                              │
 *              ▼                                                                          │
 *         Sender (wire) ◄──────────────────────────────────────────────────────────────────┘
 * ```
 *
 * Why this order. The sequence allocator is outermost (as in CockroachDB, where the write buffer
 * sits below it): a write is numbered when it is made, so a held write is already ordered
 * against a read sequence pinned by `Txn.step` (transaction stepping, below). The write buffer
 * comes next: what it holds has not been sent, so nothing below may see it — no heartbeat (a
 * transaction whose writes all ride with its commit needs no record), no lock span. The
 * heartbeater comes next so it sees every batch as it is sent
 * (first write, EndTxn) and its own heartbeats bypass the rest. Sequences are assigned above the
 * refresher, so the batch the refresher resends after a refresh carries the same sequences —
 * a replay, not new writes. The committer is below the refresher so a resent EndTxn gets the same
 * lock spans. Commit wait sits between them: below the refresher it waits only for the commit
 * that actually happened, after any refresh; above the committer it sees the commit's final
 * answer — never a parallel commit's STAGING one, which may still be pushed and re-staged — and
 * waits after the committer set the explicit commit going, so the wait holds up the client only,
 * not the record. (CockroachDB puts the committer above the refresher and adds a
 * pipeliner, which does not exist here yet.)
 *
 * Two-phase commit, as the coordinator sees it: writes leave intents (prepare); EndTxn writes the
 * record COMMITTED on the anchor's range — the first written key — which is the decision, made
 * durable by Raft; intents are resolved by the server (synchronously on that range, the rest
 * asynchronously). The coordinator never resolves intents itself. A transaction whose writes all
 * travel in the committing batch to one range commits in one phase, with no record.
 *
 * Errors. Everything the wire throws comes up unchanged except pushes the refresher absorbs or
 * turns into `TransactionRetryError` with its reason. `AmbiguousResultError` is never retried —
 * not by an interceptor, not by `runTxn` — since the commit may have applied.
 *
 * Determinism: time comes from the injected `HybridClock` and `ClockBound`, waiting from the
 * injected `Timers`, ids and priorities from the injected `RandomSource` (src/env/env.ts).
 *
 * Savepoints (`Txn.savepoint`, `Txn.rollbackToSavepoint`; CockroachDB's savepoint API): a
 * rollback adds the sequences written since the savepoint to the proto's `ignoredSequences`,
 * which every later batch carries; MVCC then hides those writes from the transaction's reads
 * and intent resolution drops them. Locks taken since the savepoint stay held.
 *
 * Transaction stepping (`Txn.step`, `stopStepping`, `readingLatest`; CockroachDB's `Txn.Step`):
 * a SQL statement whose parts must read one snapshot pins its reads at the writes made before
 * it; the header's read sequence then stays there while its own writes get higher sequences,
 * which MVCC (and the write buffer, for what it holds) hides from those reads. Writes still read
 * every earlier write. A held put that a pinned read still sees is never replaced in the buffer
 * by one it must not see (write-buffer.ts). An epoch restart moves a pin back to 0.
 *
 * Parallel commits (committer.ts, `TxnDeps.parallelCommits`; absent: off; a node turns it on): a multi-range
 * commit sends its EndTxn with its writes, the record STAGING until the commit is made explicit
 * asynchronously; it is implicitly committed when every write's own answer (`writtenAt`) lies at
 * or below the staging timestamp. The record is heartbeaten while STAGING; a STAGING record whose
 * coordinator went quiet — or that a rollback meets — is decided by transaction recovery
 * (kv/replica txn-recovery.ts).
 *
 * Historical reads (`TxnOptions.fixedTimestamp`, SQL's AS OF SYSTEM TIME): a read-only
 * transaction at a fixed timestamp in the past, with no uncertainty interval; it never moves, so
 * it never refreshes or restarts for its own reads (txn.ts explains why that is safe).
 *
 * Not yet: write pipelining, condensing refresh spans
 * (past `txnRefreshSpansMax` they are dropped and a push restarts), following scan resume spans,
 * and a commit deadline.
 *
 * Files: `txn.ts` (`Txn`, `runTxn`), `interceptor.ts` (the interface, the stack, helpers), and one
 * file per interceptor, in stack order above.
 */
export { canCommitInParallel, Committer, ParallelCommits } from './committer.js';
export { CommitWaiter, type CommitWaiterDeps } from './commit-wait.js';
export { Heartbeater, type HeartbeaterDeps } from './heartbeater.js';
export { batchTxn, isDataWrite, stackInterceptors, withTxn, type SendFn, type TxnInterceptor, type TxnProtoHolder } from './interceptor.js';
export { SeqNumAllocator, addIgnoredRange } from './seq-num-allocator.js';
export { SpanRefresher } from './span-refresher.js';
export { ReadOnlyTransactionError, runTxn, Txn, type RunTxnDeps, type RunTxnOptions, type TxnDeps, type TxnInterceptors, type TxnOptions, type TxnSavepoint } from './txn.js';

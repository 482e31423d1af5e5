/**
 * # kv/eval: command evaluation (CockroachDB's `batcheval`)
 *
 * A range's leaseholder turns a `BatchRequest` into engine writes *before* replication
 * (proposer-evaluated KV): each request is evaluated against a `Batch` layered over the range's
 * engine, reading what it needs and buffering its writes; the buffered writes, with the side
 * effects, are what kv/replica proposes through Raft and every replica applies verbatim. Apply
 * then needs no evaluation, so replicas cannot diverge by evaluating differently.
 *
 * ```
 *   BatchRequest ──► evaluateBatch(range, batch, request…) ──► { responses, updatedTxn, sideEffects }
 *                        │  for each request, in order:                 + the Batch's writes
 *                        │    commands[kind].evaluate(ctx, batch, req)      │
 *                        ▼                                                  ▼
 *                    kv/storage/mvcc (reads, writes, resolve, GC)     kv/replica: propose → apply
 *                    txn-record.ts (records at transactionKey(anchor, id))
 * ```
 *
 * One file per command (get, scan + reverse scan, put, conditional-put, increment, delete,
 * delete-range, end-txn, heartbeat-txn, push-txn, query-txn, resolve-intent, resolve-intent-range,
 * refresh, refresh-range, gc, clear-range, admin-split, admin-merge); `commands.ts` is the `Record<RequestKind, Command>`
 * table — each command's latched keys (kv/api `requestKeys`) and evaluator, so a new request
 * kind does not compile until it has both. `context.ts` holds what a command sees
 * (`EvalContext`: the range's id, descriptor, stats to adjust and clock reading `now`, the batch
 * header, the batch's scan budget) and returns (`CommandResult`, `SideEffect`).
 *
 * Rules every command follows:
 * - every key it touches must be in the range (`RangeKeyMismatchError` otherwise: the sender's
 *   range cache is stale);
 * - it reads at the transaction's read timestamp (or the header's) and writes at its write
 *   timestamp; it never reads a clock — `now` is passed in;
 * - a data write of a transaction writes at the request's own `sequence` when it has one (else
 *   the header transaction's), so one batch can write a key twice (`writePosition`);
 * - it writes only into the batch and adjusts `stats` by exactly its delta; on an error the
 *   whole batch is discarded (`evaluateBatch` restores the stats);
 * - effects on other ranges or on in-memory state (intents to resolve elsewhere, a raised GC
 *   threshold, split/merge plans, a changed transaction record) are returned as `SideEffect`s.
 *
 * Two-phase commit at this level: intents are written by data commands (prepare), the record by
 * EndTxn (the commit point), and intents resolved by EndTxn locally and by ResolveIntent(Range)
 * elsewhere. A batch holding all of a transaction's writes on one range commits in one phase
 * without a record (`one-phase-commit.ts`).
 *
 * Reads and writes at or below the GC threshold are refused by kv/replica before evaluation
 * (`BatchTimestampBeforeGCError`; it persists the threshold from the `gcThreshold` side effect).
 *
 * Not here yet (each owned by the layer named): the abort span written by a
 * poisoning resolution (kv/replica); lock acquisition by locking reads (kv/concurrency's lock
 * table); the timestamp cache's floor for record creation, which keeps a PushTxn from
 * resurrecting a transaction committed in one phase (kv/replica); server-side refresh and
 * deferred write-too-old (txn/ refreshes and retries instead); the removal of a finalized
 * record once its external intents are resolved (kv/replica, after the `resolveIntents` effect).
 */
export * from './admin-merge.js';
export * from './admin-split.js';
export * from './clear-range.js';
export * from './commands.js';
export * from './conditional-put.js';
export * from './context.js';
export * from './delete-range.js';
export * from './delete.js';
export * from './end-txn.js';
export * from './errors.js';
export * from './evaluate-batch.js';
export * from './gc.js';
export * from './get.js';
export * from './heartbeat-txn.js';
export * from './increment.js';
export * from './one-phase-commit.js';
export * from './push-txn.js';
export * from './put.js';
export * from './query-intent.js';
export * from './query-txn.js';
export * from './recover-txn.js';
export * from './refresh-range.js';
export * from './refresh.js';
export * from './resolve-intent-range.js';
export * from './resolve-intent.js';
export * from './scan.js';
export * from './txn-record.js';

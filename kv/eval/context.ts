/**
 * What a command evaluates against: the range (`EvalContext`), the batch header, the scan budget
 * shared by the batch's scans, and what a command returns besides its writes (`CommandResult`,
 * `SideEffect`).
 */
import { assert } from '../../src/base/assert.js';
import type { RangeId, TxnId } from '../../src/base/ids.js';
import { less, lessEq, type Timestamp } from '../../clock/timestamp.js';
import { containsSpan, RangeKeyMismatchError, requestSpan, mvccTxn, type BatchHeader, type CommitTrigger, type LockStrength, type RangeDescriptor, type Request, type RequestKind, type ResponseOf, type SequenceRange, type Span, type Transaction, type TransactionStatus, type TxnMeta, type WriteRequestFields } from '../api/index.js';
import type { ReadWriter } from '../storage/engine.js';
import type { Intent, MvccStats, MvccTxn, SkipLockedView } from '../storage/mvcc/index.js';

/**
 * The range a batch evaluates on. `stats` is adjusted in place by every write (the caller keeps
 * it with the range; `evaluateBatch` restores it if the batch fails). `now` is the evaluating
 * replica's clock reading, passed in and never read from a clock (heartbeat expiry, GC bound).
 */
export interface RangeEvalState {
  readonly rangeId: RangeId;
  /** The range's descriptor; its `[startKey, endKey)` is the span every request must be in. */
  readonly descriptor: RangeDescriptor;
  readonly stats: MvccStats;
  readonly now: Timestamp;
  /** AdminSplit: the id the right-hand range would get (allocated by the caller). */
  readonly splitRangeId?: RangeId;
  /** AdminMerge: the descriptor of the range to the right, as the caller read it from meta. */
  readonly rightNeighbour?: RangeDescriptor;
  /**
   * The transaction's observation of this node's clock (CockroachDB's observed timestamp): a
   * value above it was written after the transaction started, in real time, so it cannot be in
   * the transaction's past and is not uncertain. Reads use `min(globalUncertaintyLimit, this)`
   * as their uncertainty limit. Undefined: no observation, the global limit applies.
   */
  readonly observedTimestamp?: Timestamp;
  /**
   * The record of a transaction this store saw commit or abort, if it still remembers it (the
   * store's finalized-transaction cache): lets a refresh judge another transaction's unresolved
   * intent by where it committed instead of failing on it. Undefined: nothing is known.
   */
  readonly finalizedTxn?: (id: TxnId) => Transaction | undefined;
  /**
   * The batch reads under SKIP LOCKED (its wait policy `skipLocked`): the keys its lock-table
   * scan found locked by other transactions, which its reads leave out, and where they report
   * the conflicting intents they left out (kv/replica resolves those of finished transactions
   * and evaluates again). Undefined for any other wait policy.
   */
  readonly skipLocked?: SkipLockedEval;
}

/** SKIP LOCKED's view of the lock table for evaluation (see `RangeEvalState.skipLocked`). */
export interface SkipLockedEval extends SkipLockedView {
  /** Intents of other transactions a read left out. */
  skippedIntents(intents: readonly Intent[]): void;
}

/**
 * Keys and bytes all scans of one batch may still return (the header's `maxSpanRequestKeys` and
 * `targetBytes`, consumed as the batch's scans run); `undefined` = no limit. Mutable, owned by
 * one `evaluateBatch` call.
 */
export interface ScanBudget {
  keysRemaining: number | undefined;
  bytesRemaining: number | undefined;
}

/** A range, one request's header, and the batch's scan budget. */
export interface EvalContext extends RangeEvalState {
  readonly header: BatchHeader;
  readonly budget: ScanBudget;
}

/**
 * The context of one request: `state` with the batch's `header` and `budget` (and `stats` when
 * the caller evaluates into stats of its own). Built field by field rather than by spread, which
 * is slow on V8 for these shapes and ran for every request.
 */
export function evalContext(state: RangeEvalState, header: BatchHeader, budget: ScanBudget, stats: MvccStats = state.stats): EvalContext {
  return {
    rangeId: state.rangeId,
    descriptor: state.descriptor,
    stats,
    now: state.now,
    splitRangeId: state.splitRangeId,
    rightNeighbour: state.rightNeighbour,
    observedTimestamp: state.observedTimestamp,
    finalizedTxn: state.finalizedTxn,
    skipLocked: state.skipLocked,
    header,
    budget,
  } satisfies Record<keyof EvalContext, unknown>;
}

/**
 * Effects of a command beyond its engine writes, applied by kv/replica once the command has been
 * proposed and applied through Raft (never at evaluation: the proposal may fail).
 */
export type SideEffect =
  /**
   * Intents of a finalized transaction outside this range: resolve them asynchronously, dropping
   * the writes of the sequence ranges its savepoint rollbacks ignored (a committed intent's
   * rolled-back value must never be committed with it).
   */
  | { readonly kind: 'resolveIntents'; readonly txn: TxnMeta; readonly status: TransactionStatus; readonly ignoredSequences: readonly SequenceRange[]; readonly spans: readonly Span[] }
  /**
   * Intents an inconsistent read read around: kv/replica pushes their transactions without
   * waiting and resolves the intents of those it finds finalized (CockroachDB cleans up after an
   * inconsistent read the same way). Nothing else would once the store that committed them
   * restarted before resolving them: a merge's meta2 intent then named the removed range to every
   * range lookup for ever.
   */
  | { readonly kind: 'intentsReadAround'; readonly intents: readonly Intent[] }
  /**
   * A transaction record changed (wakes pushers waiting in the txn wait queue).
   * `confirmsImplicitCommit`: the command moves a STAGING record of the same epoch and commit
   * timestamp to COMMITTED — the explicit commit of a parallel commit, whose in-flight writes
   * all landed (durable) at or below that timestamp. The transaction was implicitly committed
   * before this command: the outcome stands once the command applies, durable or not (recovery
   * of the durable STAGING record would find every in-flight write and commit it at the same
   * timestamp), so kv/replica may release its locks before the application is synced.
   */
  | { readonly kind: 'txnUpdated'; readonly txn: Transaction; readonly confirmsImplicitCommit?: boolean }
  /** Raise the range's GC threshold (never lowered; reads below it must fail). */
  | { readonly kind: 'gcThreshold'; readonly threshold: Timestamp }
  /** A commit's split or merge trigger, run at apply time. */
  | { readonly kind: 'commitTrigger'; readonly trigger: CommitTrigger }
  /** AdminSplit/AdminMerge passed their checks: kv/replica runs the split or merge transaction. */
  | { readonly kind: 'adminSplit'; readonly left: RangeDescriptor; readonly right: RangeDescriptor }
  | { readonly kind: 'adminMerge'; readonly left: RangeDescriptor; readonly right: RangeDescriptor; readonly merged: RangeDescriptor };

export type SideEffectKind = SideEffect['kind'];

/** What one command produced: its response, the header transaction as it left it, side effects. */
export interface CommandResult<K extends RequestKind = RequestKind> {
  readonly response: ResponseOf<K>;
  /** The batch transaction updated by the command (a pushed write timestamp, a final status). */
  readonly txn?: Transaction;
  readonly sideEffects?: readonly SideEffect[];
}

/**
 * The contract of a command: evaluate `request` against `rw` (a `Batch`), writing only into it.
 * A command may answer at once (a result, or a synchronous throw) when it did not have to wait
 * for the engine — the point read's Get does (get.ts) — or with a promise.
 */
export type Evaluator<K extends RequestKind> = (ctx: EvalContext, rw: ReadWriter, request: Extract<Request, { readonly kind: K }>) => CommandResult<K> | Promise<CommandResult<K>>;

// ─── helpers shared by the commands ──────────────────────────────────────────────────────────

/** Throws `RangeKeyMismatchError` unless `s` lies within the range. */
export function checkSpanInRange(ctx: RangeEvalState, s: Span): void {
  if (!containsSpan(ctx.descriptor, s)) throw new RangeKeyMismatchError(s, ctx.rangeId, [ctx.descriptor]);
}

/** The routing span of `request`, checked against the range. */
export function checkRequestInRange(ctx: RangeEvalState, request: Request): void {
  checkSpanInRange(ctx, requestSpan(request));
}

/** The header transaction; asserts there is one (`checkBatch` requires it for these kinds). */
export function headerTxn(ctx: EvalContext): Transaction {
  const txn = ctx.header.txn;
  assert(txn !== undefined, 'this command needs the batch transaction');
  return txn;
}

/**
 * Where a read happens: the transaction's read timestamp and view, or the header timestamp.
 * `readUncommitted` and `inconsistent` reads both read around intents (MVCC's `inconsistent`).
 */
export function readPosition(ctx: EvalContext): { readonly timestamp: Timestamp; readonly txn: MvccTxn | undefined; readonly uncertaintyLimit: Timestamp; readonly inconsistent: boolean } {
  const txn = ctx.header.txn;
  const inconsistent = ctx.header.readConsistency !== 'consistent';
  if (txn === undefined) return { timestamp: ctx.header.timestamp, txn: undefined, uncertaintyLimit: ctx.header.timestamp, inconsistent };
  const observed = ctx.observedTimestamp;
  const limit = observed === undefined || less(txn.globalUncertaintyLimit, observed) ? txn.globalUncertaintyLimit : observed;
  return { timestamp: txn.readTimestamp, txn: mvccTxn(txn), uncertaintyLimit: less(limit, txn.readTimestamp) ? txn.readTimestamp : limit, inconsistent };
}

/**
 * Whether `request` is a locking read (CockroachDB's locking Get/Scan, SQL's `FOR UPDATE`,
 * `FOR SHARE` and UPDATE/DELETE's reads): a read with a lock strength, in a transaction, at a
 * consistent level. It reads like a write would: another transaction's intent at any timestamp
 * is a conflict, and a committed value above the read timestamp fails it with
 * `WriteTooOldError` — a lock taken below a newer value would protect a stale read. Without a
 * transaction there is nothing to hold a lock, and the read is a plain one.
 */
export function isLockingRead(ctx: EvalContext, request: { readonly keyLocking: LockStrength }): boolean {
  return request.keyLocking !== 'none' && ctx.header.txn !== undefined && ctx.header.readConsistency === 'consistent';
}

/**
 * Where a write happens: the transaction's write timestamp and view, or the header timestamp.
 * A write request's own `sequence`, when it has one, replaces the header transaction's in the
 * view (CockroachDB's `RequestHeader.Sequence`): the intent is written at it, and a sequence
 * already written is a replay (kv/storage/mvcc/write.ts).
 */
export function writePosition(ctx: EvalContext, request: WriteRequestFields = {}): { readonly timestamp: Timestamp; readonly txn: MvccTxn | undefined } {
  const txn = ctx.header.txn;
  if (txn === undefined) return { timestamp: ctx.header.timestamp, txn: undefined };
  return { timestamp: txn.writeTimestamp, txn: atSequence(mvccTxn(txn), request.sequence) };
}

/**
 * The writer's view for a read-modify-write (increment, delete's `foundKey`): its own intents,
 * read at the write timestamp so a value committed between its read and write timestamps is not
 * missed (a lost update), and just below the request's sequence, so it sees the batch's earlier
 * writes but not its own. The two differ only for a replay (an idempotent retry of a write the
 * transaction already made at that sequence, CockroachDB's `replayTransactionalWrite`): read at
 * the sequence itself, it would see its own write and compute a second sum (an Increment then
 * failed the replay check) or answer `foundKey: false` for a row it did delete. Every write has
 * its own sequence (txn/seq-num-allocator.ts), so nothing else lives between the two.
 */
export function readForWrite(ctx: EvalContext, request: WriteRequestFields = {}): { readonly timestamp: Timestamp; readonly txn: MvccTxn | undefined } {
  const { timestamp, txn } = writePosition(ctx, request);
  if (txn === undefined) return { timestamp, txn: undefined };
  const sequence = txn.meta.sequence;
  const before = sequence > 0 ? Object.freeze({ ...txn.meta, sequence: sequence - 1 }) : txn.meta;
  return { timestamp, txn: { ...txn, meta: before, readTimestamp: timestamp } };
}

/** `txn` with its meta's sequence replaced by `sequence`; unchanged when `sequence` is undefined. */
function atSequence(txn: MvccTxn, sequence: number | undefined): MvccTxn {
  if (sequence === undefined) return txn;
  assert(Number.isSafeInteger(sequence) && sequence >= 0, 'a request sequence is a non-negative integer');
  return Object.freeze({ ...txn, meta: Object.freeze({ ...txn.meta, sequence }) });
}

/**
 * The header transaction moved up to where a write landed, or undefined if unchanged. Only up:
 * a replay reports its intent's timestamp, which lies below the write timestamp when the batch
 * was pushed since its first attempt (the timestamp cache, a refresh) — taken as is, it would
 * move the transaction back below the reads that pushed it, and its later writes with it.
 */
export function txnAfterWrite(ctx: EvalContext, written: Timestamp): Transaction | undefined {
  const txn = ctx.header.txn;
  if (txn === undefined) return undefined;
  if (lessEq(written, txn.writeTimestamp)) return undefined;
  return Object.freeze({ ...txn, writeTimestamp: written });
}

/**
 * The one-phase commit fast path (CockroachDB's 1PC): a transaction whose every write is in the
 * batch that commits it, all on this range, needs no transaction record and no intents — its
 * writes are evaluated as non-transactional writes at its write timestamp, atomically with the
 * commit, in one Raft command.
 *
 * `isOnePhaseCommit` decides from the batch alone: it has a transaction; its last request is a
 * committing EndTxn without in-flight writes (not a parallel commit) or commit trigger; every
 * lock span of the EndTxn is inside the range and covered by a write request of this batch (no
 * intent of the transaction was written before); the write timestamp was not pushed above the
 * read timestamp; and the deadline, if any, is above it. `tryOnePhaseCommit` then also needs no
 * record to exist (a heartbeat or a push created one: the normal path must decide), and falls
 * back (returns undefined, nothing written) if a write fails — for example on the transaction's
 * own intent from an earlier batch, or a newer committed value (the normal path then produces
 * the proper error or intents).
 */
import { equal, less } from '../../clock/timestamp.js';
import { compareKeys, containsSpan, endTxnResponse, isReadOnly, requestSpan, updateTransaction, withHeader, type BatchRequest, type Span, type Response, type Transaction } from '../api/index.js';
import { assert } from '../../src/base/assert.js';
import { RangedbError } from '../../src/base/errors.js';
import { Batch } from '../storage/batch.js';
import type { ReadWriter } from '../storage/engine.js';
import { evaluate } from './commands.js';
import { evalContext, type RangeEvalState, type ScanBudget, type SideEffect } from './context.js';
import { readTxnRecord } from './txn-record.js';

export function isOnePhaseCommit(state: RangeEvalState, batch: BatchRequest): boolean {
  const txn = batch.header.txn;
  const last = batch.requests[batch.requests.length - 1];
  if (txn === undefined || last === undefined || last.kind !== 'endTxn') return false;
  if (!last.commit || last.inFlightWrites.length > 0 || last.commitTrigger !== undefined) return false;
  if (!equal(txn.readTimestamp, txn.writeTimestamp)) return false;
  if (last.deadline !== undefined && !less(txn.writeTimestamp, last.deadline)) return false;
  for (const lock of last.lockSpans) {
    if (!containsSpan(state.descriptor, lock)) return false;
  }
  return writtenBy(batch, last.lockSpans);
}

/**
 * Whether each of `locks` is covered by one write request of `batch` (before its EndTxn).
 * O((n + m) log n) for n writes and m locks — the writes sorted by start key, each with the
 * furthest end of the writes up to it, and a binary search per lock — with no key allocated: a
 * one-phase batch holds every write of its transaction (up to `lockSpansMax` lock spans), and the
 * scan of every write for every lock was quadratic (an ALTER's backfill batch spent its time here).
 */
function writtenBy(batch: BatchRequest, locks: readonly Span[]): boolean {
  if (locks.length === 0) return true;
  const writes: Span[] = [];
  for (let i = 0; i < batch.requests.length - 1; i++) {
    const request = batch.requests[i]!;
    if (!isReadOnly(request)) writes.push(requestSpan(request));
  }
  writes.sort((a, b) => compareKeys(a.key, b.key));
  /** `furthest[i]`: of `writes[0..i]`, one whose end is the furthest. */
  const furthest: Span[] = [];
  for (const write of writes) {
    const before = furthest[furthest.length - 1];
    furthest.push(before === undefined || endsAtOrBefore(before, write) ? write : before);
  }
  for (const lock of locks) {
    const i = lastStartingAtOrBefore(writes, lock.key);
    if (i < 0 || !endsAtOrBefore(lock, furthest[i]!)) return false;
  }
  return true;
}

/** The index of the last of `sorted` (by start key) that starts at or before `key`; -1 if none. */
function lastStartingAtOrBefore(sorted: readonly Span[], key: Uint8Array): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!.key, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Whether `a` ends at or before `b` (`spanEnd(a) <= spanEnd(b)`) without building a point's end `key\0`. */
function endsAtOrBefore(a: Span, b: Span): boolean {
  if (a.endKey !== undefined && b.endKey !== undefined) return compareKeys(a.endKey, b.endKey) <= 0;
  if (b.endKey !== undefined) return compareKeys(a.key, b.endKey) < 0; // a.key\0 <= e iff a.key < e
  if (a.endKey === undefined) return compareKeys(a.key, b.key) <= 0;
  // e <= b.key\0 iff e <= b.key, or e is b.key\0 itself.
  return compareKeys(a.endKey, b.key) <= 0 || isKeyNext(a.endKey, b.key);
}

/** Whether `next` is `key\0`. */
function isKeyNext(next: Uint8Array, key: Uint8Array): boolean {
  return next.length === key.length + 1 && next[key.length] === 0 && compareKeys(next.subarray(0, key.length), key) === 0;
}

export interface OnePhaseResult {
  readonly responses: readonly Response[];
  readonly txn: Transaction;
  readonly sideEffects: readonly SideEffect[];
}

/** Runs the 1PC path into `rw`, or returns undefined (with `rw` and stats untouched) to fall back. */
export async function tryOnePhaseCommit(state: RangeEvalState, rw: ReadWriter, batch: BatchRequest, budget: ScanBudget): Promise<OnePhaseResult | undefined> {
  const txn = batch.header.txn;
  if (txn === undefined) return undefined;
  const endTxn = batch.requests[batch.requests.length - 1]!;
  assert(endTxn.kind === 'endTxn' && endTxn.commit, 'tryOnePhaseCommit needs a batch that isOnePhaseCommit accepted');
  if (readTxnRecord(rw, endTxn.key, txn.id) !== undefined) return undefined;
  const attempt = new Batch(rw);
  const stats = { ...state.stats };
  const ctx = evalContext(state, withHeader(batch.header, { txn: undefined, timestamp: txn.writeTimestamp }), { keysRemaining: budget.keysRemaining, bytesRemaining: budget.bytesRemaining }, stats);
  const responses: Response[] = [];
  const sideEffects: SideEffect[] = [];
  try {
    for (let i = 0; i < batch.requests.length - 1; i++) {
      const result = await evaluate(ctx, attempt, batch.requests[i]!);
      responses.push(result.response);
      if (result.sideEffects !== undefined) sideEffects.push(...result.sideEffects);
    }
  } catch (error) {
    if (error instanceof RangedbError) return undefined;
    throw error;
  }
  for (const op of attempt.ops) {
    if (op.kind === 'put') rw.put(op.key, op.value);
    else rw.delete(op.key);
  }
  Object.assign(state.stats, stats);
  Object.assign(budget, ctx.budget);
  const committed = updateTransaction(txn, { status: 'COMMITTED', lockSpans: [], inFlightWrites: [] });
  responses.push(endTxnResponse(committed, true));
  // No intents, but maybe unreplicated locks (its locking reads): the replica releases them
  // when it learns the transaction is finalized.
  sideEffects.push(Object.freeze({ kind: 'txnUpdated', txn: committed }));
  assert(responses.length === batch.requests.length, 'one response per request');
  return { responses, txn: committed, sideEffects };
}

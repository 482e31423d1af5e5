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
import { containsSpan, endTxnResponse, isReadOnly, requestSpan, spanContains, updateTransaction, withHeader, type BatchRequest, type Span, type Response, type Transaction } from '../api/index.js';
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
    if (!containsSpan(state.descriptor, lock) || !writtenBy(batch, lock)) return false;
  }
  return true;
}

/** Whether a write request of `batch` (before its EndTxn) covers `lock`. */
function writtenBy(batch: BatchRequest, lock: Span): boolean {
  for (let i = 0; i < batch.requests.length - 1; i++) {
    const request = batch.requests[i]!;
    if (!isReadOnly(request) && spanContains(requestSpan(request), lock)) return true;
  }
  return false;
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

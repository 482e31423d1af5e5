/**
 * `evaluateBatch`: a batch's requests evaluated in order against one engine batch — the
 * proposer-evaluated half of the write path. The result is the batch's buffered writes (left in
 * `rw` for the caller to propose through Raft), the responses, the transaction as the batch left
 * it, and the side effects to run at apply.
 */
import { assert } from '../../src/base/assert.js';
import { checkBatch, TransactionStatusError, isFinalized, isReadOnly, type BatchHeader, type BatchRequest, type Request, type Response, type Transaction, transactionalKinds, withHeader } from '../api/index.js';
import type { ReadWriter } from '../storage/engine.js';
import { evaluate } from './commands.js';
import { evalContext, type RangeEvalState, type ScanBudget, type SideEffect } from './context.js';
import { stripInFlightWrites } from './end-txn.js';
import { isOnePhaseCommit, tryOnePhaseCommit } from './one-phase-commit.js';

export interface BatchEvalResult {
  /** One response per request, same order and kinds. */
  readonly responses: readonly Response[];
  /** The header transaction as the batch left it (pushed, committed, …); undefined without one. */
  readonly updatedTxn: Transaction | undefined;
  readonly sideEffects: readonly SideEffect[];
  /** Whether the batch committed its transaction by the one-phase fast path. */
  readonly onePhaseCommit: boolean;
}

/** A write of user data (the kinds a transaction may but need not send), not a record operation. */
const isDataWrite = (request: Request): boolean => !isReadOnly(request) && transactionalKinds[request.kind] === 'optional';

const budgetOf = (header: BatchHeader): ScanBudget => ({
  keysRemaining: header.maxSpanRequestKeys === 0 ? undefined : header.maxSpanRequestKeys,
  bytesRemaining: header.targetBytes === 0 ? undefined : header.targetBytes,
});

/**
 * Evaluates `batch` on the range `state` into `rw`, stopping at the first error, which it
 * throws. On an error `state.stats` is restored to what it was and the caller must discard `rw`
 * (a `Batch`): nothing of a failed batch is proposed. Each request sees the writes of the ones
 * before it, and the transaction as they left it (a write pushed to a higher timestamp moves
 * the later writes up too). Throws `InvalidInputError` for a batch that breaks kv/api's rules,
 * and `TransactionStatusError` for a write by a finalized transaction.
 */
export async function evaluateBatch(state: RangeEvalState, rw: ReadWriter, sent: BatchRequest): Promise<BatchEvalResult> {
  assert(state.rangeId === state.descriptor.rangeId, 'the range id is its descriptor’s');
  checkBatch(sent);
  // A parallel commit's writes that ride with its record here are proven with it (end-txn.ts).
  const batch = stripInFlightWrites(sent);
  const header = batch.header;
  const budget = budgetOf(header);
  const statsBefore = { ...state.stats };
  try {
    if (isOnePhaseCommit(state, batch)) {
      const fast = await tryOnePhaseCommit(state, rw, batch, budget);
      if (fast !== undefined) return { responses: fast.responses, updatedTxn: fast.txn, sideEffects: fast.sideEffects, onePhaseCommit: true };
    }
    return await evaluateInOrder(state, rw, batch, budget);
  } catch (error) {
    Object.assign(state.stats, statsBefore);
    throw error;
  }
}

async function evaluateInOrder(state: RangeEvalState, rw: ReadWriter, batch: BatchRequest, budget: ScanBudget): Promise<BatchEvalResult> {
  let txn = batch.header.txn;
  const responses: Response[] = [];
  const sideEffects: SideEffect[] = [];
  for (const request of batch.requests) {
    if (txn !== undefined && isFinalized(txn.status) && isDataWrite(request)) {
      throw new TransactionStatusError(txn.id, txn.status, `${request.kind} by a finalized transaction`);
    }
    const ctx = evalContext(state, txn === batch.header.txn ? batch.header : withHeader(batch.header, { txn }), budget);
    const result = await evaluate(ctx, rw, request);
    responses.push(result.response);
    if (result.txn !== undefined) txn = result.txn;
    sideEffects.push(...(result.sideEffects ?? []));
  }
  assert(responses.length === batch.requests.length, 'one response per request');
  assert(txn === undefined || txn.id === batch.header.txn?.id, 'the batch transaction keeps its id');
  return { responses, updatedTxn: txn, sideEffects, onePhaseCommit: false };
}

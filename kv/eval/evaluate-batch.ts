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
import { evalContext, type CommandResult, type RangeEvalState, type ScanBudget, type SideEffect } from './context.js';
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
  return evaluateBatchEager(state, rw, sent);
}

/**
 * `evaluateBatch` that answers at once, without a promise, when every command did (the point
 * read: its Get decided by the key record), and may throw synchronously; a promise from the
 * first command that had to wait on. One implementation: `evaluateBatch` is this behind a promise.
 */
export function evaluateBatchEager(state: RangeEvalState, rw: ReadWriter, sent: BatchRequest): BatchEvalResult | Promise<BatchEvalResult> {
  assert(state.rangeId === state.descriptor.rangeId, 'the range id is its descriptor’s');
  checkBatch(sent);
  // A parallel commit's writes that ride with its record here are proven with it (end-txn.ts).
  const batch = stripInFlightWrites(sent);
  const budget = budgetOf(batch.header);
  const statsBefore = { ...state.stats };
  const restoreStats = (error: unknown): never => {
    Object.assign(state.stats, statsBefore);
    throw error;
  };
  try {
    const result = isOnePhaseCommit(state, batch) ? evaluateOnePhase(state, rw, batch, budget) : evaluateFrom(state, rw, batch, budget, inOrderStart(batch), 0);
    return result instanceof Promise ? result.catch(restoreStats) : result;
  } catch (error) {
    return restoreStats(error);
  }
}

async function evaluateOnePhase(state: RangeEvalState, rw: ReadWriter, batch: BatchRequest, budget: ScanBudget): Promise<BatchEvalResult> {
  const fast = await tryOnePhaseCommit(state, rw, batch, budget);
  if (fast !== undefined) return { responses: fast.responses, updatedTxn: fast.txn, sideEffects: fast.sideEffects, onePhaseCommit: true };
  return evaluateFrom(state, rw, batch, budget, inOrderStart(batch), 0);
}

/** What the requests evaluated in order so far produced. */
interface InOrder {
  txn: Transaction | undefined;
  readonly responses: Response[];
  readonly sideEffects: SideEffect[];
}

const inOrderStart = (batch: BatchRequest): InOrder => ({ txn: batch.header.txn, responses: [], sideEffects: [] });

/**
 * Evaluates `batch.requests[from…]` in order into `done`: synchronously while each command
 * answers at once, continuing after the promise of the first that does not.
 */
function evaluateFrom(state: RangeEvalState, rw: ReadWriter, batch: BatchRequest, budget: ScanBudget, done: InOrder, from: number): BatchEvalResult | Promise<BatchEvalResult> {
  const requests = batch.requests;
  for (let i = from; i < requests.length; i++) {
    const request = requests[i]!;
    const txn = done.txn;
    if (txn !== undefined && isFinalized(txn.status) && isDataWrite(request)) {
      throw new TransactionStatusError(txn.id, txn.status, `${request.kind} by a finalized transaction`);
    }
    const ctx = evalContext(state, txn === batch.header.txn ? batch.header : withHeader(batch.header, { txn }), budget);
    const result = evaluate(ctx, rw, request);
    if (result instanceof Promise) {
      return result.then((answered) => {
        addResult(done, answered);
        return evaluateFrom(state, rw, batch, budget, done, i + 1);
      });
    }
    addResult(done, result);
  }
  assert(done.responses.length === requests.length, 'one response per request');
  assert(done.txn === undefined || done.txn.id === batch.header.txn?.id, 'the batch transaction keeps its id');
  return { responses: done.responses, updatedTxn: done.txn, sideEffects: done.sideEffects, onePhaseCommit: false };
}

function addResult(done: InOrder, result: CommandResult): void {
  done.responses.push(result.response);
  if (result.txn !== undefined) done.txn = result.txn;
  if (result.sideEffects !== undefined) done.sideEffects.push(...result.sideEffects);
}

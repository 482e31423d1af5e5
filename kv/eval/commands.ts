/**
 * The command table: one entry per request kind, a `Record<RequestKind, …>` so that adding a
 * kind to kv/api does not compile until it has an evaluator here. Each entry declares the keys
 * the command latches (kv/api's `requestKeys`, the one definition the concurrency manager also
 * uses) and its evaluator.
 */
import type { TxnId } from '../../src/base/ids.js';
import { requestKeys, type Request, type RequestKeys, type RequestKind, type RequestOf } from '../api/index.js';
import type { ReadWriter } from '../storage/engine.js';
import { evalAdminMerge } from './admin-merge.js';
import { evalAdminSplit } from './admin-split.js';
import { evalClearRange } from './clear-range.js';
import { evalConditionalPut } from './conditional-put.js';
import type { CommandResult, EvalContext, Evaluator } from './context.js';
import { evalDelete } from './delete.js';
import { evalDeleteRange } from './delete-range.js';
import { evalEndTxn } from './end-txn.js';
import { evalGC } from './gc.js';
import { evalGet } from './get.js';
import { evalHeartbeatTxn } from './heartbeat-txn.js';
import { evalIncrement } from './increment.js';
import { evalPushTxn } from './push-txn.js';
import { evalPut } from './put.js';
import { evalQueryIntent } from './query-intent.js';
import { evalQueryTxn } from './query-txn.js';
import { evalRecoverTxn } from './recover-txn.js';
import { evalRefreshRange } from './refresh-range.js';
import { evalRefresh } from './refresh.js';
import { evalResolveIntentRange } from './resolve-intent-range.js';
import { evalResolveIntent } from './resolve-intent.js';
import { evalReverseScan, evalScan } from './scan.js';

export interface Command<K extends RequestKind> {
  /** The spans the command latches while it evaluates, and its routing span. */
  readonly declareKeys: (request: RequestOf<K>, txnId: TxnId | undefined) => RequestKeys;
  readonly evaluate: Evaluator<K>;
}

const command = <K extends RequestKind>(evaluate: Evaluator<K>): Command<K> => Object.freeze({ declareKeys: (request: RequestOf<K>, txnId: TxnId | undefined) => requestKeys(request, txnId), evaluate });

export const commands: { readonly [K in RequestKind]: Command<K> } = Object.freeze({
  get: command(evalGet),
  scan: command(evalScan),
  reverseScan: command(evalReverseScan),
  put: command(evalPut),
  conditionalPut: command(evalConditionalPut),
  increment: command(evalIncrement),
  delete: command(evalDelete),
  deleteRange: command(evalDeleteRange),
  endTxn: command(evalEndTxn),
  heartbeatTxn: command(evalHeartbeatTxn),
  pushTxn: command(evalPushTxn),
  queryTxn: command(evalQueryTxn),
  queryIntent: command(evalQueryIntent),
  recoverTxn: command(evalRecoverTxn),
  resolveIntent: command(evalResolveIntent),
  resolveIntentRange: command(evalResolveIntentRange),
  refresh: command(evalRefresh),
  refreshRange: command(evalRefreshRange),
  gc: command(evalGC),
  clearRange: command(evalClearRange),
  adminSplit: command(evalAdminSplit),
  adminMerge: command(evalAdminMerge),
});

/**
 * Evaluates one request against `rw` (a `Batch` over the range's engine): its writes go into
 * `rw`, its stats delta into `ctx.stats`. Returns the response, the header transaction as the
 * command left it, and side effects. Throws the command's typed error; `rw` and `ctx.stats` may
 * then hold partial work, so the caller discards both (`evaluateBatch` does). Answers at once
 * (and may throw synchronously) when the command did (see `Evaluator`).
 */
export function evaluate<K extends RequestKind>(ctx: EvalContext, rw: ReadWriter, request: RequestOf<K>): CommandResult<K> | Promise<CommandResult<K>> {
  const evaluator = commands[request.kind as K].evaluate as unknown as (ctx: EvalContext, rw: ReadWriter, request: Request) => CommandResult<K> | Promise<CommandResult<K>>;
  return evaluator(ctx, rw, request);
}

/** The keys `request` latches (see `Command.declareKeys`). */
export function declareKeys(request: Request, txnId: TxnId | undefined): RequestKeys {
  const declare = commands[request.kind].declareKeys as (request: Request, txnId: TxnId | undefined) => RequestKeys;
  return declare(request, txnId);
}

/**
 * Get: the value of one key at the batch's read timestamp (the transaction's own writes
 * visible). A locking Get (`keyLocking` shared or exclusive, in a transaction) fails with
 * `WriteTooOldError` on a committed value above its read timestamp and conflicts with intents
 * at any timestamp (see `isLockingRead`); the replica locks the key afterwards. Under SKIP
 * LOCKED a key locked by another transaction reads as absent (and is not locked).
 */
import { getResponse } from '../api/index.js';
import { mvccGetEager, type GetResult } from '../storage/mvcc/index.js';
import { checkRequestInRange, isLockingRead, readPosition, type CommandResult, type EvalContext, type Evaluator } from './context.js';

/** Answers at once when the read does (`mvccGetEager`): the common point read makes no promise. */
export const evalGet: Evaluator<'get'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const at = readPosition(ctx);
  // One object shape for every Get (absent fields are undefined, not left out): the conditional
  // spreads this replaced built four shapes and allocated per spread on the point-read hot path.
  const read = mvccGetEager(rw, request.key, at.timestamp, {
    txn: at.txn,
    uncertaintyLimit: at.uncertaintyLimit,
    inconsistent: at.inconsistent,
    failOnMoreRecent: isLockingRead(ctx, request),
    skipLocked: ctx.skipLocked,
  });
  return read instanceof Promise ? read.then((result) => getResult(ctx, result)) : getResult(ctx, read);
};

function getResult(ctx: EvalContext, result: GetResult): CommandResult<'get'> {
  if (result.skippedIntents !== undefined && result.skippedIntents.length > 0) ctx.skipLocked?.skippedIntents(result.skippedIntents);
  const value = result.value;
  const response = value === undefined || value.value === null ? getResponse(undefined, undefined) : getResponse(value.value, value.timestamp);
  return result.intents.length === 0 ? { response } : { response, sideEffects: [{ kind: 'intentsReadAround', intents: result.intents }] };
}

/**
 * DeleteRange: tombstones every key of `[key, endKey)` with a visible value, counting against
 * the batch's key budget (`maxSpanRequestKeys`) like a scan; the rest is the resume span.
 */
import { deleteRangeResponse, span } from '../api/index.js';
import { mvccDeleteRange } from '../storage/mvcc/index.js';
import { checkRequestInRange, writePosition, type Evaluator } from './context.js';
import { chargeBudget } from './scan.js';

export const evalDeleteRange: Evaluator<'deleteRange'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const keysRemaining = ctx.budget.keysRemaining;
  if (keysRemaining !== undefined && keysRemaining <= 0) return { response: deleteRangeResponse([], span(request.key, request.endKey)) };
  const at = writePosition(ctx, request);
  const result = await mvccDeleteRange(rw, ctx.stats, request.key, request.endKey, at.timestamp, {
    ...(at.txn === undefined ? {} : { txn: at.txn }),
    ...(keysRemaining === undefined ? {} : { maxKeys: keysRemaining }),
  });
  chargeBudget(ctx.budget, result.keys.length, 0);
  const resume = result.resumeSpan === undefined ? undefined : span(result.resumeSpan.start, result.resumeSpan.end);
  return { response: deleteRangeResponse(request.returnKeys ? result.keys : [], resume) };
};

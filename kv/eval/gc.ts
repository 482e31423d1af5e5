/**
 * GC: removes, for each listed key, the versions no read above its GC timestamp can see
 * (`mvccGarbageCollect`), and raises the range's GC threshold to `threshold` — recorded as a
 * side effect; kv/replica persists it and refuses reads below it.
 *
 * The caller (the GC queue) chooses the threshold from the zone's TTL; evaluation refuses one
 * above `now` (it would cut off reads that may still run) and a key whose GC timestamp is above
 * the threshold.
 */
import { InvalidInputError } from '../../src/base/errors.js';
import { formatTimestamp, less } from '../../clock/timestamp.js';
import { gcResponse, span } from '../api/index.js';
import { mvccGarbageCollectKeys } from '../storage/mvcc/index.js';
import { checkRequestInRange, checkSpanInRange, type Evaluator } from './context.js';

export const evalGC: Evaluator<'gc'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  if (less(ctx.now, request.threshold)) {
    throw new InvalidInputError(`GC threshold ${formatTimestamp(request.threshold)} is above now ${formatTimestamp(ctx.now)}`);
  }
  for (const gcKey of request.keys) {
    checkSpanInRange(ctx, span(gcKey.key));
    if (less(request.threshold, gcKey.timestamp)) {
      throw new InvalidInputError(`GC of a key at ${formatTimestamp(gcKey.timestamp)}, above the threshold ${formatTimestamp(request.threshold)}`);
    }
  }
  // Planned (read) for every key before any is written: see mvccGarbageCollectKeys.
  await mvccGarbageCollectKeys(rw, ctx.stats, request.keys);
  return { response: gcResponse(), sideEffects: [Object.freeze({ kind: 'gcThreshold', threshold: request.threshold })] };
};

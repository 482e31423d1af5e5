/**
 * AdminSplit: evaluation checks only that the split key is inside the range and not its start
 * (a range cannot be split where it already begins), and describes the two descriptors that
 * would result (both at the next generation). The split itself — a transaction that rewrites the
 * left descriptor, creates the right one and updates meta, with a split trigger run at apply —
 * lives in kv/replica and is not part of this evaluation; the `adminSplit` side effect hands it
 * the plan.
 */
import { assert } from '../../src/base/assert.js';
import { InvalidInputError } from '../../src/base/errors.js';
import { adminSplitResponse, keysEqual, prettyKey, rangeDescriptor, span, type RKey } from '../api/index.js';
import { checkSpanInRange, type Evaluator } from './context.js';

export const evalAdminSplit: Evaluator<'adminSplit'> = (ctx, _rw, request) => {
  const desc = ctx.descriptor;
  checkSpanInRange(ctx, span(request.splitKey));
  if (keysEqual(request.splitKey, desc.startKey)) throw new InvalidInputError(`range r${desc.rangeId} is already split at key ${prettyKey(request.splitKey)}`);
  const rightId = ctx.splitRangeId;
  assert(rightId !== undefined && rightId !== desc.rangeId, 'AdminSplit needs a fresh range id for the right-hand side');
  const generation = desc.generation + 1;
  const splitKey = Uint8Array.from(request.splitKey) as RKey;
  const left = rangeDescriptor({ ...desc, endKey: splitKey, generation });
  const right = rangeDescriptor({ ...desc, rangeId: rightId, startKey: splitKey, generation });
  return Promise.resolve({ response: adminSplitResponse(left, right), sideEffects: [Object.freeze({ kind: 'adminSplit', left, right })] });
};

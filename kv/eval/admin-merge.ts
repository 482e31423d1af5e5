/**
 * AdminMerge: evaluation checks only that the range has a right neighbour and that it is
 * adjacent (its start is this range's end), and describes the merged descriptor (at a
 * generation above both). The merge itself — a transaction that subsumes the right range,
 * widens the left descriptor and updates meta, with a merge trigger at apply — lives in
 * kv/replica; the `adminMerge` side effect hands it the plan.
 */
import { InvalidInputError } from '../../src/base/errors.js';
import { adminMergeResponse, keysEqual, prettyKey, rangeDescriptor } from '../api/index.js';
import { checkRequestInRange, type Evaluator } from './context.js';

export const evalAdminMerge: Evaluator<'adminMerge'> = (ctx, _rw, request) => {
  checkRequestInRange(ctx, request);
  const left = ctx.descriptor;
  const right = ctx.rightNeighbour;
  if (right === undefined) throw new InvalidInputError(`cannot merge r${left.rangeId}: it is the last range (no right neighbour)`);
  if (!keysEqual(right.startKey, left.endKey)) {
    throw new InvalidInputError(`cannot merge r${left.rangeId} with r${right.rangeId}: not adjacent (${prettyKey(left.endKey)} ≠ ${prettyKey(right.startKey)})`);
  }
  const merged = rangeDescriptor({ ...left, endKey: right.endKey, generation: Math.max(left.generation, right.generation) + 1 });
  return Promise.resolve({ response: adminMergeResponse(merged), sideEffects: [Object.freeze({ kind: 'adminMerge', left, right, merged })] });
};

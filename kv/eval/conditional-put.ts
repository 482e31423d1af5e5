/**
 * ConditionalPut: writes only if the key's current value (the writer's own intent, else the
 * newest committed version) is `expectedValue`; otherwise `ConditionFailedError` with the value
 * found (unique indexes, CockroachDB's `CPut`).
 */
import { conditionalPutResponse } from '../api/index.js';
import { mvccConditionalPut } from '../storage/mvcc/index.js';
import { checkRequestInRange, txnAfterWrite, writePosition, type Evaluator } from './context.js';

export const evalConditionalPut: Evaluator<'conditionalPut'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const at = writePosition(ctx, request);
  const written = mvccConditionalPut(rw, ctx.stats, request.key, at.timestamp, request.value, request.expectedValue, {
    ...(at.txn === undefined ? {} : { txn: at.txn }),
    allowIfAbsent: request.allowIfDoesNotExist,
  });
  const txn = txnAfterWrite(ctx, written.timestamp);
  return Promise.resolve({ response: conditionalPutResponse(written.timestamp), ...(txn === undefined ? {} : { txn }) });
};

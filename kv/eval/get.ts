/** Get: the value of one key at the batch's read timestamp (the transaction's own writes visible). */
import { getResponse } from '../api/index.js';
import { mvccGet } from '../storage/mvcc/index.js';
import { checkRequestInRange, readPosition, type Evaluator } from './context.js';

export const evalGet: Evaluator<'get'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const at = readPosition(ctx);
  const result = await mvccGet(rw, request.key, at.timestamp, { ...(at.txn === undefined ? {} : { txn: at.txn }), uncertaintyLimit: at.uncertaintyLimit, inconsistent: at.inconsistent });
  const value = result.value;
  if (value === undefined || value.value === null) return { response: getResponse(undefined, undefined) };
  return { response: getResponse(value.value, value.timestamp) };
};

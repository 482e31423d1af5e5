/** Put: writes a value (an intent for a transaction) at the batch's write timestamp. */
import { putResponse } from '../api/index.js';
import { mvccPut } from '../storage/mvcc/index.js';
import { checkRequestInRange, txnAfterWrite, writePosition, type Evaluator } from './context.js';

export const evalPut: Evaluator<'put'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const at = writePosition(ctx, request);
  const written = mvccPut(rw, ctx.stats, request.key, at.timestamp, request.value, at.txn === undefined ? {} : { txn: at.txn });
  const txn = txnAfterWrite(ctx, written.timestamp);
  return Promise.resolve({ response: putResponse(written.timestamp), ...(txn === undefined ? {} : { txn }) });
};

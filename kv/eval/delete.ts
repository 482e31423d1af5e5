/** Delete: writes a tombstone; `foundKey` says whether the writer saw a value there. */
import { deleteResponse } from '../api/index.js';
import { mvccDelete, mvccGet } from '../storage/mvcc/index.js';
import { checkRequestInRange, readForWrite, txnAfterWrite, writePosition, type Evaluator } from './context.js';

export const evalDelete: Evaluator<'delete'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const view = readForWrite(ctx, request);
  const current = await mvccGet(rw, request.key, view.timestamp, view.txn === undefined ? {} : { txn: view.txn });
  const at = writePosition(ctx, request);
  const written = mvccDelete(rw, ctx.stats, request.key, at.timestamp, at.txn === undefined ? {} : { txn: at.txn });
  const txn = txnAfterWrite(ctx, written.timestamp);
  return { response: deleteResponse(current.value !== undefined, written.timestamp), ...(txn === undefined ? {} : { txn }) };
};

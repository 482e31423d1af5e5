/**
 * QueryTxn: the record of a transaction as this range has it — or, when none was written yet,
 * the PENDING record synthesized from the queried metadata. `waitingTxns` is filled by the txn
 * wait queue (kv/concurrency), which this evaluation does not see: it is empty here.
 */
import { queryTxnResponse } from '../api/index.js';
import { checkRequestInRange, type Evaluator } from './context.js';
import { readTxnRecord, synthesizeTxnRecord } from './txn-record.js';

export const evalQueryTxn: Evaluator<'queryTxn'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const record = readTxnRecord(rw, request.key, request.txn.id) ?? synthesizeTxnRecord(request.txn);
  return Promise.resolve({ response: queryTxnResponse(record) });
};

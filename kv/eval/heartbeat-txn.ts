/**
 * HeartbeatTxn: the coordinator's liveness signal. Creates the PENDING record from the header
 * transaction if there is none, and moves its `lastHeartbeat` up to the request's `now` (the
 * coordinator's clock; never moved back). A finalized record is returned unchanged, so the
 * coordinator learns that it was aborted (or committed) and stops.
 */
import { max } from '../../clock/timestamp.js';
import { heartbeatTxnResponse, updateTransaction } from '../api/index.js';
import { checkRequestInRange, headerTxn, type Evaluator } from './context.js';
import { readTxnRecord, writeTxnRecord } from './txn-record.js';
import { isFinalized } from '../api/index.js';

export const evalHeartbeatTxn: Evaluator<'heartbeatTxn'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const txn = headerTxn(ctx);
  const existing = readTxnRecord(rw, request.key, txn.id);
  if (existing !== undefined && isFinalized(existing.status)) return Promise.resolve({ response: heartbeatTxnResponse(existing) });
  // A STAGING record of an earlier epoch: the parallel commit failed and the transaction
  // restarted, so it is PENDING again (the failed attempt can never be implicitly committed).
  const restarted = existing?.status === 'STAGING' && txn.epoch > existing.epoch;
  const base = existing === undefined || restarted ? updateTransaction(existing ?? txn, { status: 'PENDING', epoch: txn.epoch, lockSpans: [], inFlightWrites: [] }) : existing;
  const record = updateTransaction(base, { lastHeartbeat: max(base.lastHeartbeat, request.now) });
  writeTxnRecord(rw, record);
  return Promise.resolve({ response: heartbeatTxnResponse(record), sideEffects: [Object.freeze({ kind: 'txnUpdated', txn: record })] });
};

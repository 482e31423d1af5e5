/**
 * RecoverTxn: the decision of transaction recovery (parallel commits; CockroachDB's
 * `RecoverTxn`), evaluated on the record's range after the recoverer queried every in-flight
 * write of the STAGING record it saw (QueryIntent with prevention):
 *
 * ```
 *   record as seen: STAGING(epoch e, ts T, in-flight writes W)
 *      every w ∈ W found at ≤ T   ──► implicitly committed ──► record COMMITTED at T
 *      some w ∈ W prevented       ──► can never commit     ──► record ABORTED
 * ```
 *
 * Idempotent and safe against the coordinator moving on meanwhile (latched on the record):
 * - a finalized record is returned as it is (the coordinator made its commit explicit, or
 *   another recoverer finished first) — unless it is ABORTED while the recoverer found the
 *   transaction implicitly committed, which would be a broken invariant (asserted as an error);
 * - a record at a later epoch, or STAGING again at a later timestamp (the coordinator refreshed
 *   and re-staged), is returned as it is: the recovery is stale. A prevention it did stands,
 *   and does no harm: it only keeps an old attempt from committing;
 * - a record found PENDING or STAGING at the recovered epoch and timestamp is decided.
 *
 * Intents are not resolved here (the record's lock spans are unknown when latches are declared):
 * the decision returns them all as a `resolveIntents` side effect, resolved asynchronously by
 * ResolveIntent requests that latch their keys — and waiters resolve what they meet through the
 * store's finalized-transaction cache.
 */
import { compare, formatTimestamp } from '../../clock/timestamp.js';
import { compareKeys, isFinalized, recoverTxnResponse, span, updateTransaction, TransactionStatusError, type Span } from '../api/index.js';
import { checkRequestInRange, type Evaluator, type SideEffect } from './context.js';
import { readTxnRecord, writeTxnRecord } from './txn-record.js';

export const evalRecoverTxn: Evaluator<'recoverTxn'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const record = readTxnRecord(rw, request.key, request.txn.id);
  if (record === undefined) throw new TransactionStatusError(request.txn.id, 'STAGING', 'recovery found no transaction record');
  const unchanged = Promise.resolve({ response: recoverTxnResponse(record) });
  if (isFinalized(record.status)) {
    if (record.status === 'ABORTED' && request.implicitlyCommitted) throw new TransactionStatusError(record.id, record.status, 'recovery found the transaction implicitly committed but its record aborted');
    return unchanged;
  }
  const newerEpoch = record.epoch > request.txn.epoch;
  const restaged = record.epoch === request.txn.epoch && compare(record.writeTimestamp, request.txn.writeTimestamp) > 0;
  if (newerEpoch || restaged) {
    if (request.implicitlyCommitted) {
      throw new TransactionStatusError(record.id, record.status, `an implicitly committed transaction moved on to epoch ${record.epoch} at ${formatTimestamp(record.writeTimestamp)}`);
    }
    return unchanged;
  }
  if (record.epoch < request.txn.epoch || compare(record.writeTimestamp, request.txn.writeTimestamp) < 0) {
    throw new TransactionStatusError(record.id, record.status, 'recovery of a record newer than the record found');
  }
  if (record.status !== 'STAGING') {
    // PENDING at the staged epoch and timestamp: a STAGING record never goes back there.
    throw new TransactionStatusError(record.id, record.status, 'recovery of a transaction that is not STAGING');
  }
  // The coordinator names every write in the lock spans; an in-flight write outside them (a
  // coordinator that left them out) is resolved too.
  const covered = (key: Uint8Array): boolean => record.lockSpans.some((s) => (s.endKey === undefined ? compareKeys(s.key, key) === 0 : compareKeys(s.key, key) <= 0 && compareKeys(key, s.endKey) < 0));
  const spans: Span[] = [...record.lockSpans, ...record.inFlightWrites.filter((write) => !covered(write.key)).map((write) => span(write.key))];
  const decided = updateTransaction(record, { status: request.implicitlyCommitted ? 'COMMITTED' : 'ABORTED', lockSpans: spans, inFlightWrites: [] });
  writeTxnRecord(rw, decided);
  const sideEffects: SideEffect[] = [Object.freeze({ kind: 'txnUpdated', txn: decided })];
  if (spans.length > 0) sideEffects.push(Object.freeze({ kind: 'resolveIntents', txn: decided, status: decided.status, ignoredSequences: decided.ignoredSequences, spans: Object.freeze(spans) }));
  return Promise.resolve({ response: recoverTxnResponse(decided), sideEffects });
};

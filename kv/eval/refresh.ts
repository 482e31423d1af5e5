/**
 * Refresh and RefreshRange: prove that nothing the transaction read has changed between its old
 * read timestamp `refreshFrom` and its new one (the header transaction's read timestamp), so it
 * may move its reads up instead of restarting (read refresh, DESIGN §5).
 *
 * The refresh fails with a retryable `TransactionRetryError(RETRY_SERIALIZABLE)` when a value
 * (or a deletion) was committed in `(refreshFrom, refreshTo]`, or an intent of another
 * transaction sits at or below `refreshTo` (its commit could land in the interval). The reads
 * are inconsistent and see tombstones, so they report instead of throwing, and the
 * transaction's own intents are not conflicts.
 */
import { formatTimestamp, less, type Timestamp } from '../../clock/timestamp.js';
import { prettyKey, refreshResponse, TransactionRetryError, type Transaction } from '../api/index.js';
import { mvccGet, type Intent } from '../storage/mvcc/index.js';
import { checkRequestInRange, headerTxn, type Evaluator } from './context.js';

export function checkRead(refreshFrom: Timestamp, key: Uint8Array, written: Timestamp | undefined): void {
  if (written !== undefined && less(refreshFrom, written)) {
    throw new TransactionRetryError('RETRY_SERIALIZABLE', `refresh failed: committed value on ${prettyKey(key)} @${formatTimestamp(written)} after ${formatTimestamp(refreshFrom)}`);
  }
}

export function checkIntents(txn: Transaction, intents: readonly Intent[]): void {
  const foreign = intents.find((intent) => intent.txn.id !== txn.id);
  if (foreign !== undefined) {
    throw new TransactionRetryError('RETRY_SERIALIZABLE', `refresh failed: intent of another transaction on ${prettyKey(foreign.key)}`);
  }
}

export const refreshOptions = { inconsistent: true, tombstones: true } as const;

export const evalRefresh: Evaluator<'refresh'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const txn = headerTxn(ctx);
  const result = await mvccGet(rw, request.key, txn.readTimestamp, refreshOptions);
  checkIntents(txn, result.intents);
  checkRead(request.refreshFrom, request.key, result.value?.timestamp);
  return { response: refreshResponse() };
};

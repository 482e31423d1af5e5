/**
 * Refresh and RefreshRange: prove that nothing the transaction read has changed between its old
 * read timestamp `refreshFrom` and its new one (the header transaction's read timestamp), so it
 * may move its reads up instead of restarting (read refresh, DESIGN §5).
 *
 * The refresh fails with a retryable `TransactionRetryError(RETRY_SERIALIZABLE)` when a value
 * (or a deletion) was committed in `(refreshFrom, refreshTo]`, or an intent of another
 * transaction sits at or below `refreshTo` (its commit could land in the interval). An intent
 * whose transaction the store knows finished is judged by where it finished instead: aborted, it
 * will never be a value; committed at `c`, it conflicts exactly when `c` is in the interval (its
 * value will be at `c`). Without this a refresh failed on intents already committed but not yet
 * resolved, which the asynchronous resolution leaves for a while after every commit. The reads
 * are inconsistent and see tombstones, so they report instead of throwing, and the
 * transaction's own intents are not conflicts.
 */
import { formatTimestamp, less, type Timestamp } from '../../clock/timestamp.js';
import { prettyKey, refreshResponse, TransactionRetryError, type Transaction } from '../api/index.js';
import { mvccGet, type Intent } from '../storage/mvcc/index.js';
import { checkRequestInRange, headerTxn, type EvalContext, type Evaluator } from './context.js';

export function checkRead(refreshFrom: Timestamp, key: Uint8Array, written: Timestamp | undefined): void {
  if (written !== undefined && less(refreshFrom, written)) {
    throw new TransactionRetryError('RETRY_SERIALIZABLE', `refresh failed: committed value on ${prettyKey(key)} @${formatTimestamp(written)} after ${formatTimestamp(refreshFrom)}`);
  }
}

export function checkIntents(ctx: EvalContext, txn: Transaction, refreshFrom: Timestamp, intents: readonly Intent[]): void {
  for (const intent of intents) {
    if (intent.txn.id === txn.id) continue;
    const record = ctx.finalizedTxn?.(intent.txn.id);
    if (record?.status === 'ABORTED') continue;
    if (record?.status === 'COMMITTED') {
      // Its value will be at the commit timestamp: a conflict only inside (refreshFrom, refreshTo].
      if (less(txn.readTimestamp, record.writeTimestamp)) continue;
      checkRead(refreshFrom, intent.key, record.writeTimestamp);
      continue;
    }
    throw new TransactionRetryError('RETRY_SERIALIZABLE', `refresh failed: intent of another transaction on ${prettyKey(intent.key)}`);
  }
}

export const refreshOptions = { inconsistent: true, tombstones: true } as const;

export const evalRefresh: Evaluator<'refresh'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const txn = headerTxn(ctx);
  const result = await mvccGet(rw, request.key, txn.readTimestamp, refreshOptions);
  checkIntents(ctx, txn, request.refreshFrom, result.intents);
  checkRead(request.refreshFrom, request.key, result.value?.timestamp);
  return { response: refreshResponse() };
};

/**
 * RefreshRange: the refresh of a span the transaction scanned (rules in refresh.ts). The span is
 * read in pieces of at most `limits.scanKeysMax` keys until it is exhausted, so a refresh is
 * never cut short by a scan limit.
 */
import { refreshRangeResponse } from '../api/index.js';
import { mvccScan } from '../storage/mvcc/index.js';
import { checkRequestInRange, headerTxn, type Evaluator } from './context.js';
import { checkIntents, checkRead, refreshOptions } from './refresh.js';

export const evalRefreshRange: Evaluator<'refreshRange'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const txn = headerTxn(ctx);
  let start: Uint8Array | undefined = request.key;
  while (start !== undefined) {
    const result = await mvccScan(rw, start, request.endKey, txn.readTimestamp, refreshOptions);
    checkIntents(ctx, txn, request.refreshFrom, result.intents);
    for (const row of result.rows) checkRead(request.refreshFrom, row.key, row.timestamp);
    start = result.resumeSpan?.start;
  }
  return { response: refreshRangeResponse() };
};

/**
 * QueryIntent: is the intent of an in-flight write of a STAGING transaction there? The first
 * half of transaction recovery (parallel commits; CockroachDB's `QueryIntent`, see kv/api's
 * `QueryIntentRequest`).
 *
 * Found when `key` holds an intent of the queried transaction at the queried epoch, whose
 * sequence is at or after the write's (a later write of the same key in the same epoch
 * replaced it), at or below the staging timestamp. An intent pushed above the staging
 * timestamp counts as missing — the write did not land where the implicit commit needs it —
 * but needs no prevention (an intent never moves down). A missing intent with `prevent` is made
 * impossible by the replica after evaluation, under this request's latch: it raises the key's
 * timestamp cache to the staging timestamp (kv/replica `recordReads`), so the write, if it is
 * still on its way, lands above it. Writes nothing.
 */
import { lessEq } from '../../clock/timestamp.js';
import { queryIntentResponse, type QueryIntentRequest } from '../api/index.js';
import type { Reader } from '../storage/engine.js';
import { readIntent } from '../storage/mvcc/visibility.js';
import { checkRequestInRange, type Evaluator } from './context.js';

/** How `key`'s intent stands for the in-flight write of `request` (see the module comment). */
export function queryIntent(reader: Reader, request: QueryIntentRequest): 'found' | 'missing' | 'pushed' {
  const intent = readIntent(reader, request.key);
  if (intent === undefined || intent.txn.id !== request.txn.id || intent.txn.epoch !== request.txn.epoch || intent.txn.sequence < request.sequence) return 'missing';
  return lessEq(intent.txn.writeTimestamp, request.txn.writeTimestamp) ? 'found' : 'pushed';
}

/** Whether a QueryIntent answered `foundIntent` must raise the key's timestamp cache. */
export function queryIntentPrevents(request: QueryIntentRequest, foundIntent: boolean): boolean {
  return request.prevent && !foundIntent;
}

export const evalQueryIntent: Evaluator<'queryIntent'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  return Promise.resolve({ response: queryIntentResponse(queryIntent(rw, request) === 'found') });
};

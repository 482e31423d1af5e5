/**
 * ResolveIntent and ResolveIntentRange: the second phase of two-phase commit for intents of a
 * transaction whose fate is known — commit them at the transaction's write timestamp, remove
 * them (ABORTED), or move them up (PENDING, after a timestamp push). Idempotent.
 *
 * `poison` (recording the abort in the abort span) is not implemented yet: kv/replica owns the
 * abort span's keys; the flag is accepted and ignored.
 */
import { resolveIntentResponse, type ResolveIntentRequest, type ResolveIntentRangeRequest } from '../api/index.js';
import { assert } from '../../src/base/assert.js';
import { mvccResolveIntent, type IntentResolution } from '../storage/mvcc/index.js';
import { checkRequestInRange, type Evaluator } from './context.js';

export function resolutionOf(request: ResolveIntentRequest | ResolveIntentRangeRequest): IntentResolution {
  const status = request.status;
  assert(status !== 'STAGING', 'intents are not resolved as STAGING');
  return { txnId: request.intentTxn.id, epoch: request.intentTxn.epoch, status, timestamp: request.intentTxn.writeTimestamp, ignoredSequences: request.ignoredSequences };
}

export const evalResolveIntent: Evaluator<'resolveIntent'> = (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  mvccResolveIntent(rw, ctx.stats, request.key, resolutionOf(request));
  return Promise.resolve({ response: resolveIntentResponse() });
};

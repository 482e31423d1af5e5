/**
 * ResolveIntentRange: resolves every intent of one transaction in `[key, endKey)` (see
 * resolve-intent.ts for the resolution rules); sent for the ranged lock spans of a finalized
 * transaction and by the GC queue's cleanup of abandoned intents. At most
 * `intentResolutionIntentsMax` intents and `intentResolutionBytesMax` bytes per request: the rest
 * is the resume span, for the sender to resend.
 */
import { limits } from '../../src/base/limits.js';
import { resolveIntentRangeResponse, span } from '../api/index.js';
import { mvccResolveIntentRange } from '../storage/mvcc/index.js';
import { checkRequestInRange, type Evaluator } from './context.js';
import { resolutionOf } from './resolve-intent.js';

export const evalResolveIntentRange: Evaluator<'resolveIntentRange'> = async (ctx, rw, request) => {
  checkRequestInRange(ctx, request);
  const result = await mvccResolveIntentRange(rw, ctx.stats, request.key, request.endKey, resolutionOf(request), limits.intentResolutionIntentsMax, limits.intentResolutionBytesMax);
  const resume = result.resumeSpan === undefined ? undefined : span(result.resumeSpan.start, result.resumeSpan.end);
  return { response: resolveIntentRangeResponse(resume) };
};

/**
 * ClearRange: removes every version of every key in `[key, endKey)` outright, with the range's
 * stats reduced by exactly what went (CockroachDB's ClearRange; kv/storage/mvcc/clear.ts).
 *
 * Evaluated below Raft like any write: the leaseholder turns it into a write batch of engine-key
 * deletes under a write latch on the span, and every replica applies those deletes verbatim, so
 * followers end with the same engine and stats. At most `clearRangeKeysMax` keys (and about
 * `clearRangeKeyBytesMax` bytes of deletes) per command keep the Raft command modest; the rest is
 * the resume span, which the sender sends again — one range's command per round, each range of a
 * multi-range span clearing its own part.
 *
 * Why it is safe, and when (the caller's side of the contract): it is not MVCC — a reader at an
 * old timestamp that still expected the data finds nothing, and a refresh cannot see that
 * anything changed. So it may only be sent for a span **no one can read or write any more**:
 * SQL sends it for an index id that no committed descriptor names (the junk a failed backfill
 * left under ids it never published) or that a committed schema change stopped naming, once
 * every transaction that could still read at a timestamp below that commit has ended
 * (sql/exec/txn-horizon.ts). Index ids are never reused, so no later writer comes back to it.
 * The command itself adds two rules: it refuses to run in a transaction (no transaction could
 * read its own clear), and it refuses a span holding intents — a `WriteIntentError`, which the
 * replica's conflict handling pushes or resolves and then evaluates again — because an intent may
 * belong to an implicitly committed (STAGING) transaction whose recovery must still find it.
 */
import { InvalidInputError } from '../../src/base/errors.js';
import { limits } from '../../src/base/limits.js';
import { clearRangeResponse, span } from '../api/index.js';
import { mvccClearRange } from '../storage/mvcc/index.js';
import { checkRequestInRange, type Evaluator } from './context.js';

export const evalClearRange: Evaluator<'clearRange'> = async (ctx, rw, request) => {
  if (ctx.header.txn !== undefined) throw new InvalidInputError('ClearRange cannot run in a transaction');
  checkRequestInRange(ctx, request);
  const result = await mvccClearRange(rw, ctx.stats, request.key, request.endKey, { keysMax: limits.clearRangeKeysMax, bytesMax: limits.clearRangeKeyBytesMax });
  const resume = result.resumeSpan === undefined ? undefined : span(result.resumeSpan.start, result.resumeSpan.end);
  return { response: clearRangeResponse(resume) };
};

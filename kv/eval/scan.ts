/**
 * Scan and ReverseScan: the visible values of `[key, endKey)`, forward or in reverse, within the
 * batch's remaining scan budget (`maxSpanRequestKeys`, `targetBytes`, shared by all scans of the
 * batch). When the budget stops a scan, the rest of its span is the resume span; once it is
 * spent, later scans return nothing and their whole span. A locking scan fails with
 * `WriteTooOldError` on a committed value above its read timestamp (see `isLockingRead`).
 * Under SKIP LOCKED (`ctx.skipLocked`) the keys locked by other transactions are left out and
 * the scan goes on past them: the budget counts only the rows returned, so `LIMIT n` still gets
 * n rows when there are n unlocked ones.
 */
import { scanResponse, reverseScanResponse, span, type KeyValueRow, type ResumeReason, type ScanRequest, type ReverseScanRequest, type Span } from '../api/index.js';
import type { Reader } from '../storage/engine.js';
import { mvccScan, type Intent } from '../storage/mvcc/index.js';
import { checkRequestInRange, isLockingRead, readPosition, type EvalContext, type Evaluator, type ScanBudget, type SideEffect } from './context.js';

interface ScanOutcome {
  readonly rows: readonly KeyValueRow[];
  readonly resumeSpan: Span | undefined;
  readonly resumeReason: ResumeReason | undefined;
  /** Intents read around (an inconsistent read's only). */
  readonly intents: readonly Intent[];
}

/** Whether the budget is already spent, and why. */
function spentReason(budget: ScanBudget): ResumeReason | undefined {
  if (budget.keysRemaining !== undefined && budget.keysRemaining <= 0) return 'keyLimit';
  if (budget.bytesRemaining !== undefined && budget.bytesRemaining <= 0) return 'byteLimit';
  return undefined;
}

/** Takes what a scan returned out of the budget. */
export function chargeBudget(budget: ScanBudget, keys: number, bytes: number): void {
  if (budget.keysRemaining !== undefined) budget.keysRemaining -= keys;
  if (budget.bytesRemaining !== undefined) budget.bytesRemaining -= bytes;
}

async function scanSpan(ctx: EvalContext, rw: Reader, request: ScanRequest | ReverseScanRequest, reverse: boolean): Promise<ScanOutcome> {
  checkRequestInRange(ctx, request);
  const spent = spentReason(ctx.budget);
  if (spent !== undefined) return { rows: [], resumeSpan: span(request.key, request.endKey), resumeReason: spent, intents: [] };
  const at = readPosition(ctx);
  const { keysRemaining, bytesRemaining } = ctx.budget;
  const result = await mvccScan(rw, request.key, request.endKey, at.timestamp, {
    ...(at.txn === undefined ? {} : { txn: at.txn }),
    uncertaintyLimit: at.uncertaintyLimit,
    inconsistent: at.inconsistent,
    failOnMoreRecent: isLockingRead(ctx, request),
    ...(ctx.skipLocked === undefined ? {} : { skipLocked: ctx.skipLocked }),
    reverse,
    ...(keysRemaining === undefined ? {} : { maxKeys: keysRemaining }),
    ...(bytesRemaining === undefined ? {} : { targetBytes: bytesRemaining }),
  });
  if (result.skippedIntents.length > 0) ctx.skipLocked?.skippedIntents(result.skippedIntents);
  const rows: KeyValueRow[] = [];
  let bytes = 0;
  for (const row of result.rows) {
    if (row.value === null) continue; // no tombstones without the option
    rows.push(Object.freeze({ key: row.key, value: row.value, timestamp: row.timestamp }));
    bytes += row.key.length + row.value.length;
  }
  chargeBudget(ctx.budget, rows.length, bytes);
  const resume = result.resumeSpan;
  if (resume === undefined) return { rows, resumeSpan: undefined, resumeReason: undefined, intents: result.intents };
  const reason: ResumeReason = keysRemaining !== undefined && rows.length >= keysRemaining ? 'keyLimit' : 'byteLimit';
  return { rows, resumeSpan: span(resume.start, resume.end), resumeReason: reason, intents: result.intents };
}

/** An inconsistent scan's result: the intents it read around go to kv/replica for cleanup (`intentsReadAround`). */
function scanResult<R>(response: R, intents: readonly Intent[]): { readonly response: R; readonly sideEffects?: readonly SideEffect[] } {
  return intents.length === 0 ? { response } : { response, sideEffects: [{ kind: 'intentsReadAround', intents }] };
}

export const evalScan: Evaluator<'scan'> = async (ctx, rw, request) => {
  const outcome = await scanSpan(ctx, rw, request, false);
  return scanResult(scanResponse(outcome), outcome.intents);
};

export const evalReverseScan: Evaluator<'reverseScan'> = async (ctx, rw, request) => {
  const outcome = await scanSpan(ctx, rw, request, true);
  return scanResult(reverseScanResponse(outcome), outcome.intents);
};

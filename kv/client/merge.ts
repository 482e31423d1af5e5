/**
 * Merging the fragments of one request back into one response. A point request has exactly one
 * fragment. A span request has one per range it reached (and one per range it did not reach
 * because the batch's limits were spent, carrying the whole unscanned piece as its resume span):
 * rows are concatenated in key order — reversed for ReverseScan — and the resume span is the
 * first resumed fragment's resume span extended to the end (or, in reverse, the start) of the
 * original request, so resuming continues exactly where the merged result stops.
 */
import { assert, assertNever } from '../../src/base/assert.js';
import { clearRangeResponse, compareKeys, deleteRangeResponse, resolveIntentRangeResponse, reverseScanResponse, scanResponse, span, type KeyValueRow, type Request, type Response, type ResponseOf, type ResumeReason, type Span } from '../api/index.js';
import type { Fragment } from './pieces.js';

/** The response to `request` from its fragments (in any order). */
export function mergeFragments(request: Request, fragments: readonly Fragment[]): Response {
  assert(fragments.length > 0, () => `no response for ${request.kind}`);
  const reverse = request.kind === 'reverseScan';
  const ordered = [...fragments].sort((a, b) => (reverse ? -1 : 1) * compareKeys(a.span.key, b.span.key));
  assert(ordered.every((fragment) => fragment.response.kind === request.kind), 'fragments answer their request');
  switch (request.kind) {
    case 'scan':
    case 'reverseScan': {
      const merged = mergeRows(request, ordered as readonly Fragment[], reverse);
      return reverse ? reverseScanResponse(merged) : scanResponse(merged);
    }
    case 'deleteRange': {
      const parts = ordered.map((fragment) => fragment.response as ResponseOf<'deleteRange'>);
      return deleteRangeResponse(
        parts.flatMap((part) => part.keys),
        resumeOf(request, parts, false),
      );
    }
    case 'resolveIntentRange':
      return resolveIntentRangeResponse(resumeOf(request, ordered.map((fragment) => fragment.response as ResponseOf<'resolveIntentRange'>), false));
    case 'clearRange':
      return clearRangeResponse(resumeOf(request, ordered.map((fragment) => fragment.response as ResponseOf<'clearRange'>), false));
    case 'refreshRange':
    case 'gc':
      return ordered[0]!.response;
    case 'get':
    case 'put':
    case 'conditionalPut':
    case 'increment':
    case 'delete':
    case 'endTxn':
    case 'heartbeatTxn':
    case 'pushTxn':
    case 'queryTxn':
    case 'queryIntent':
    case 'recoverTxn':
    case 'resolveIntent':
    case 'refresh':
    case 'adminSplit':
    case 'adminMerge':
      assert(ordered.length === 1, () => `a point request (${request.kind}) answered by ${ordered.length} ranges`);
      return ordered[0]!.response;
    default:
      return assertNever(request, 'request');
  }
}

interface Resumable {
  readonly resumeSpan: Span | undefined;
}

/** The merged resume span: from the first fragment that stopped to the request's far end. */
function resumeOf(request: Request & { readonly endKey: Uint8Array }, parts: readonly Resumable[], reverse: boolean): Span | undefined {
  const stopped = parts.findIndex((part) => part.resumeSpan !== undefined);
  if (stopped < 0) return undefined;
  const resume = parts[stopped]!.resumeSpan!;
  return reverse ? span(request.key, resume.endKey!) : span(resume.key, request.endKey);
}

function mergeRows(request: Request & { readonly endKey: Uint8Array }, ordered: readonly Fragment[], reverse: boolean): { rows: KeyValueRow[]; resumeSpan?: Span; resumeReason?: ResumeReason } {
  const parts = ordered.map((fragment) => fragment.response as ResponseOf<'scan'> | ResponseOf<'reverseScan'>);
  const stopped = parts.findIndex((part) => part.resumeSpan !== undefined);
  const kept = stopped < 0 ? parts : parts.slice(0, stopped + 1);
  assert(parts.slice(kept.length).every((part) => part.rows.length === 0), 'no rows after the first resume span');
  const rows = kept.flatMap((part) => part.rows);
  const resumeSpan = resumeOf(request, parts, reverse);
  if (resumeSpan === undefined) return { rows };
  return { rows, resumeSpan, resumeReason: parts[stopped]!.resumeReason! };
}

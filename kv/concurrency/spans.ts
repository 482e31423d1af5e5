/**
 * Spans as the concurrency manager sees them: a point key or a half-open key range
 * `[start, end)`, declared by a request as read or write (CockroachDB's `spanset`).
 */
import { assert } from '../../src/base/assert.js';
import { compareKeys } from '../storage/engine.js';

/** A point key (`end` undefined) or the half-open range `[start, end)`. */
export interface Span {
  readonly start: Uint8Array;
  readonly end?: Uint8Array | undefined;
}

/** How a request uses a span: reads share, writes exclude. */
export type SpanAccess = 'read' | 'write';

/** The exclusive end of a span: a point key `k` covers `[k, k\0)`. */
export function spanEnd(span: Span): Uint8Array {
  if (span.end !== undefined) return span.end;
  const end = new Uint8Array(span.start.length + 1);
  end.set(span.start);
  return end;
}

export function checkSpan(span: Span): void {
  assert(span.end === undefined || compareKeys(span.start, span.end) < 0, 'span end must be after its start');
}

/** True if the two spans share at least one key. */
export function spansOverlap(a: Span, b: Span): boolean {
  // Without materializing a point's end (`k\0`): this runs for every pair of latches.
  if (a.end === undefined) return b.end === undefined ? compareKeys(a.start, b.start) === 0 : spanContainsKey(b, a.start);
  if (b.end === undefined) return spanContainsKey(a, b.start);
  return compareKeys(a.start, b.end) < 0 && compareKeys(b.start, a.end) < 0;
}

/** True if `key` lies in `span`. */
export function spanContainsKey(span: Span, key: Uint8Array): boolean {
  if (span.end === undefined) return compareKeys(span.start, key) === 0;
  return compareKeys(span.start, key) <= 0 && compareKeys(key, span.end) < 0;
}

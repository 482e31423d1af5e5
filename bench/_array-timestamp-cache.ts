/**
 * The timestamp cache as it was before the B+tree (kv/concurrency/timestamp-cache.ts): disjoint
 * intervals in a sorted array, spliced on every add, evicting by sorting every timestamp. Kept as
 * the reference of `npm run bench -- tscache` and as the model of
 * test/kv/concurrency/timestamp-cache-model.test.ts — simple enough to trust, and the same
 * contract, coalescing and eviction floor, so the two must agree answer for answer and in size.
 */
import { compare, lessEq, type Timestamp } from '../clock/timestamp.js';
import type { TxnId } from '../src/base/ids.js';
import { checkSpan, spanEnd, type Span, type TimestampCacheValue } from '../kv/concurrency/index.js';
import { compareKeys } from '../kv/storage/engine.js';

interface ModelEntry {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
  readonly timestamp: Timestamp;
  readonly txnId: TxnId | undefined;
}

export class ArrayTimestampCache {
  private entries: ModelEntry[] = [];

  constructor(
    public lowWater: Timestamp,
    private readonly spansMax: number,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  setLowWater(ts: Timestamp): void {
    if (lessEq(ts, this.lowWater)) return;
    this.lowWater = ts;
    this.entries = this.entries.filter((e) => !lessEq(e.timestamp, ts));
  }

  add(span: Span, ts: Timestamp, txn: TxnId | undefined): void {
    checkSpan(span);
    if (lessEq(ts, this.lowWater)) return;
    const start = span.start.slice();
    const end = spanEnd(span).slice();
    const first = this.firstEndingAfter(start);
    let last = first;
    let cursor: Uint8Array = start;
    const pieces: ModelEntry[] = [];
    for (; last < this.entries.length; last++) {
      const e = this.entries[last]!;
      if (compareKeys(e.start, end) >= 0) break;
      if (compareKeys(e.start, start) < 0) pieces.push({ ...e, end: start });
      else if (compareKeys(cursor, e.start) < 0) pieces.push({ start: cursor, end: e.start, timestamp: ts, txnId: txn });
      const overlapStart = compareKeys(e.start, start) > 0 ? e.start : start;
      const overlapEnd = compareKeys(e.end, end) < 0 ? e.end : end;
      pieces.push({ start: overlapStart, end: overlapEnd, ...merge(e, ts, txn) });
      if (compareKeys(e.end, end) > 0) pieces.push({ ...e, start: end });
      cursor = overlapEnd;
    }
    if (compareKeys(cursor, end) < 0) pieces.push({ start: cursor, end, timestamp: ts, txnId: txn });
    const lo = first > 0 ? first - 1 : first;
    const hi = last < this.entries.length ? last + 1 : last;
    const region = coalesce([...this.entries.slice(lo, first), ...pieces, ...this.entries.slice(last, hi)]);
    if (region.length <= 4_096) this.entries.splice(lo, hi - lo, ...region);
    else this.entries = this.entries.slice(0, lo).concat(region, this.entries.slice(hi));
    if (this.entries.length > this.spansMax) {
      const keep = Math.floor((this.spansMax * 3) / 4);
      const sorted = this.entries.map((e) => e.timestamp).sort(compare);
      this.setLowWater(sorted[sorted.length - keep - 1]!);
    }
  }

  getMax(span: Span): TimestampCacheValue {
    const end = spanEnd(span);
    let best: TimestampCacheValue = { timestamp: this.lowWater, txnId: undefined };
    for (let i = this.firstEndingAfter(span.start); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (compareKeys(e.start, end) >= 0) break;
      const order = compare(e.timestamp, best.timestamp);
      if (order > 0) best = { timestamp: e.timestamp, txnId: e.txnId };
      else if (order === 0 && best.txnId !== e.txnId) best = { timestamp: best.timestamp, txnId: undefined };
    }
    return best;
  }

  private firstEndingAfter(key: Uint8Array): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.entries[mid]!.end, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function merge(e: ModelEntry, ts: Timestamp, txn: TxnId | undefined): { timestamp: Timestamp; txnId: TxnId | undefined } {
  const order = compare(e.timestamp, ts);
  if (order > 0) return { timestamp: e.timestamp, txnId: e.txnId };
  if (order < 0) return { timestamp: ts, txnId: txn };
  return { timestamp: ts, txnId: e.txnId === txn ? txn : undefined };
}

function coalesce(entries: ModelEntry[]): ModelEntry[] {
  const out: ModelEntry[] = [];
  for (const e of entries) {
    const prev = out[out.length - 1];
    if (prev !== undefined && compareKeys(prev.end, e.start) === 0 && compare(prev.timestamp, e.timestamp) === 0 && prev.txnId === e.txnId) {
      out[out.length - 1] = { ...prev, end: e.end };
    } else {
      out.push(e);
    }
  }
  return out;
}

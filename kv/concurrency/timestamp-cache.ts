/**
 * The timestamp cache (CockroachDB's `tscache`): for key spans, the highest timestamp at which
 * they were read, and by which transaction. A write below a recorded read must move above it
 * (DESIGN.md §5: "the timestamp cache pushes writes above earlier reads"), which is what keeps a
 * write from rewriting history that a reader has already observed.
 *
 *     lowWater ──────────────────────────────────────────────── (every key reads at least this)
 *     [a, c) @20 txn A      [c, d) @20 (A and B tied: none)      [k, k\0) @35 non-txn
 *
 * Contract:
 * - `add(span, ts, txnId)` records a read of every key in `span` at `ts` by `txnId` (undefined
 *   for a non-transactional read). Per key, the cache keeps the highest timestamp; on a tie the
 *   txn is kept only when both reads are by the same transaction, otherwise it becomes none.
 * - `getMax(span)` answers the highest timestamp over the keys of `span`, and the txn that holds
 *   it only when one single transaction holds it on every key where it is reached; a tie between
 *   different transactions, or with a non-transactional read, reports none.
 * - **Low-water mark**: every key reads at least `lowWater`, attributed to no transaction. It
 *   starts at the lease start (a new leaseholder does not know the reads its predecessor served)
 *   and `setLowWater` only raises it. Entries at or below it are dropped: they add nothing.
 * - **Bounded memory**: at most `spansMax` entries (`limits.timestampCacheSpansMax`). When full,
 *   the lowest entries are evicted by raising the low-water mark to cover them.
 *
 * Safety of eviction (never lose information in the unsafe direction): order answers by
 * "conservativeness" — a higher timestamp is more conservative, and at equal timestamps no txn is
 * more conservative than a txn (a writer is pushed by a read it did not do itself). Dropping every
 * entry with `ts ≤ lowWater` and raising the floor to `lowWater` changes each key's answer from
 * `(ts, txn)` to `(lowWater, none)` with `ts ≤ lowWater`: never lower, never less conservative.
 * Entries above the new floor are untouched, so answers above it stay exact. Precisely, at all
 * times `getMax(q)` equals the merge of every `add` that overlapped `q` with `(lowWater, none)`.
 *
 * Structure: non-overlapping intervals `[start, end)` sorted by start (so also by end), each
 * strictly above the low-water mark; uncovered keys read as the low-water mark. `add` splits the
 * intervals it overlaps at its boundaries and coalesces equal touching neighbours; `getMax` is a
 * binary search plus a walk over the k overlapping intervals, O(log n + k). Inserting splices a
 * sorted array (a memmove, O(n) but fast at this bound); a skiplist or B-tree could replace it
 * without changing the contract.
 *
 * Sans-I/O: no clock; the caller passes every timestamp.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { TxnId } from '../../src/base/ids.js';
import { compare, lessEq, type Timestamp } from '../../clock/timestamp.js';
import { compareKeys } from '../storage/engine.js';
import { checkSpan, spanEnd, type Span } from './spans.js';

/** The answer of `getMax`: the highest read timestamp, and its txn when a single txn holds it. */
export interface TimestampCacheValue {
  readonly timestamp: Timestamp;
  readonly txnId: TxnId | undefined;
}

export interface TimestampCacheOptions {
  /** Most entries kept before eviction; defaults to `limits.timestampCacheSpansMax`. */
  readonly spansMax?: number;
}

/** One interval `[start, end)`, read at `timestamp` (strictly above the low-water mark). */
interface Entry {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
  readonly timestamp: Timestamp;
  readonly txnId: TxnId | undefined;
}

/** Above this many replaced entries, `add` rebuilds the array instead of spreading into `splice`. */
const spliceArgumentsMax = 4_096;

/**
 * The timestamp cache of one range's leaseholder. Single-threaded: the owner serializes calls.
 */
export class TimestampCache {
  private low: Timestamp;
  private entries: Entry[] = [];
  private readonly spansMax: number;

  constructor(lowWater: Timestamp, options: TimestampCacheOptions = {}) {
    this.low = lowWater;
    this.spansMax = options.spansMax ?? limits.timestampCacheSpansMax;
    assert(Number.isInteger(this.spansMax), 'spansMax must be an integer');
    assert(this.spansMax >= 1, 'spansMax must be at least 1');
  }

  /** The low-water mark: every key reads at least this, attributed to no transaction. */
  get lowWater(): Timestamp {
    return this.low;
  }

  /** The number of intervals held (at most `spansMax`). */
  get size(): number {
    return this.entries.length;
  }

  /** Raises the low-water mark to `ts` (a lower `ts` is ignored) and drops entries it covers. */
  setLowWater(ts: Timestamp): void {
    if (lessEq(ts, this.low)) return;
    this.low = ts;
    this.entries = this.entries.filter((e) => !lessEq(e.timestamp, ts));
    assert(this.entries.every((e) => compare(e.timestamp, this.low) > 0), 'entries above low water');
  }

  /** Records a read of every key of `span` at `ts` by `txnId` (undefined: non-transactional). */
  add(span: Span, ts: Timestamp, txnId: TxnId | undefined): void {
    checkSpan(span);
    if (lessEq(ts, this.low)) return; // the low-water mark (no txn) already covers it
    const start = span.start.slice();
    const end = spanEnd(span).slice();
    const first = this.firstEndingAfter(start);
    let last = first;
    let cursor: Uint8Array = start;
    const pieces: Entry[] = [];
    for (; last < this.entries.length; last++) {
      const e = this.entries[last]!;
      if (compareKeys(e.start, end) >= 0) break;
      if (compareKeys(e.start, start) < 0) pieces.push({ ...e, end: start });
      else if (compareKeys(cursor, e.start) < 0) pieces.push({ start: cursor, end: e.start, timestamp: ts, txnId });
      const overlapStart = compareKeys(e.start, start) > 0 ? e.start : start;
      const overlapEnd = compareKeys(e.end, end) < 0 ? e.end : end;
      pieces.push({ start: overlapStart, end: overlapEnd, ...merge(e, ts, txnId) });
      if (compareKeys(e.end, end) > 0) pieces.push({ ...e, start: end });
      cursor = overlapEnd;
    }
    if (compareKeys(cursor, end) < 0) pieces.push({ start: cursor, end, timestamp: ts, txnId });
    this.replace(first, last, pieces);
    this.evictIfFull();
  }

  /** The highest read timestamp over the keys of `span`; see the module comment for the txn. */
  getMax(span: Span): TimestampCacheValue {
    checkSpan(span);
    const end = spanEnd(span);
    let timestamp = this.low;
    let txnId: TxnId | undefined = undefined;
    for (let i = this.firstEndingAfter(span.start); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (compareKeys(e.start, end) >= 0) break;
      const order = compare(e.timestamp, timestamp);
      if (order > 0) {
        timestamp = e.timestamp;
        txnId = e.txnId;
      } else if (order === 0 && txnId !== e.txnId) {
        txnId = undefined;
      }
    }
    return Object.freeze({ timestamp, txnId });
  }

  /** The index of the first entry whose end is after `key` (ends are sorted, entries disjoint). */
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

  /** Replaces entries `[first, last)` with `pieces`, coalescing with both neighbours. */
  private replace(first: number, last: number, pieces: Entry[]): void {
    const lo = first > 0 ? first - 1 : first;
    const hi = last < this.entries.length ? last + 1 : last;
    const region = coalesce([...this.entries.slice(lo, first), ...pieces, ...this.entries.slice(last, hi)]);
    if (region.length <= spliceArgumentsMax) this.entries.splice(lo, hi - lo, ...region);
    else this.entries = this.entries.slice(0, lo).concat(region, this.entries.slice(hi));
  }

  /**
   * When over `spansMax`, raises the low-water mark to the smallest timestamp that leaves at most
   * three quarters of `spansMax` entries (the slack amortizes the sort over many adds).
   */
  private evictIfFull(): void {
    if (this.entries.length <= this.spansMax) return;
    const keep = Math.floor((this.spansMax * 3) / 4);
    const sorted = this.entries.map((e) => e.timestamp).sort(compare);
    const floor = sorted[sorted.length - keep - 1]!;
    this.setLowWater(floor);
    assert(this.entries.length <= keep, 'eviction leaves at most three quarters');
  }
}

/** The value of a key read at `(e.timestamp, e.txnId)` and again at `(ts, txnId)`. */
function merge(e: Entry, ts: Timestamp, txnId: TxnId | undefined): { timestamp: Timestamp; txnId: TxnId | undefined } {
  const order = compare(e.timestamp, ts);
  if (order > 0) return { timestamp: e.timestamp, txnId: e.txnId };
  if (order < 0) return { timestamp: ts, txnId };
  return { timestamp: ts, txnId: e.txnId === txnId ? txnId : undefined };
}

/** Joins touching neighbours that hold the same value. */
function coalesce(entries: Entry[]): Entry[] {
  const out: Entry[] = [];
  for (const e of entries) {
    const prev = out[out.length - 1];
    const touching = prev !== undefined && compareKeys(prev.end, e.start) === 0;
    if (touching && compare(prev.timestamp, e.timestamp) === 0 && prev.txnId === e.txnId) {
      out[out.length - 1] = { ...prev, end: e.end };
    } else {
      out.push(e);
    }
  }
  return out;
}

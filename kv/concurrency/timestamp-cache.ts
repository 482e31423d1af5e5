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
 * - **Bounded memory**: at most `spansMax` entries, points and intervals
 *   (`limits.timestampCacheSpansMax`). When full, the lowest entries are evicted by raising the
 *   low-water mark to cover them.
 *
 * Safety of eviction (never lose information in the unsafe direction): order answers by
 * "conservativeness" — a higher timestamp is more conservative, and at equal timestamps no txn is
 * more conservative than a txn (a writer is pushed by a read it did not do itself). Dropping every
 * entry with `ts ≤ lowWater` and raising the floor to `lowWater` changes each key's answer from
 * `(ts, txn)` to `(lowWater, none)` with `ts ≤ lowWater`: never lower, never less conservative.
 * Entries above the new floor are untouched, so answers above it stay exact. Precisely, at all
 * times `getMax(q)` equals the merge of every `add` that overlapped `q` with `(lowWater, none)`.
 *
 * Structure: two parts, each strictly above the low-water mark (uncovered keys read as the
 * low-water mark), whose answers join:
 * - **points** (`point-reads.ts`): every read of a single key (`{ start: k }` or `[k, k\0)`) goes to
 *   a hash map from the key to its highest read — a string built from the key and one lookup,
 *   where an insert into the tree cost 9.2% of the pgbench select-only server's CPU (a descent,
 *   a leaf insert, an owned key copy kept until eviction). A span's `getMax` walks the whole map
 *   (O(n)): only writes over a span ask that (DeleteRange: DDL and backfills).
 * - **intervals**: every other read, as non-overlapping intervals `[start, end)` in a B+tree keyed
 *   by `start`.
 * A point entry may lie under an interval: a key's answer is the join of both, and since the join
 * is associative and commutative that is exactly the answer of one structure holding every read.
 *
 * The intervals: because they are disjoint, sorting by start also sorts by end, so "the first interval ending after `k`" is the
 * last one starting at or before `k` or the one after it: one descent, no interval augmentation.
 *
 *                        [ ·  g  ·  p ]                 inner: a lower bound per child
 *                   ┌──────────┼──────────┐
 *           [a,c) [c,d) [f,g)   [g,g\0) [k,m)   [p,q) …  leaves of 16–64, linked both ways
 *
 * - The common span reads take a fast path: a span that is exactly an interval already held (a
 *   row read again by a scan of its row's span) is updated in place, with no allocation and no
 *   tree change; a span lying in a gap becomes one new entry, its keys copied once. Either is one
 *   descent, O(log n), plus for a new entry an insert into a leaf of at most 64 (a split now and
 *   then). (The general path's pieces may still be points — `end` undefined means
 *   `[start, start\0)` — which cost no end key.)
 * - Any other `add` walks the k intervals it overlaps, splits the two at its boundaries and
 *   coalesces equal touching neighbours; intervals that keep their start are updated in place and
 *   the others are removed or inserted, O(log n) each, so it costs O(log n + k) plus O(log n) per
 *   interval it creates or retires (each retired one was created once: amortized, creation pays).
 * - `getMax` is one descent plus a walk over the k overlapping intervals, O(log n + k), plus for a
 *   point one hash lookup, for a span the O(n) walk of the points.
 * - Each node keeps its keys packed back to back in one buffer, and descents binary-search that:
 *   at 100k entries the tree is far larger than the CPU caches, and a probe through
 *   `entries[mid].start` cost three dependent cache misses (see `Leaf`).
 * - This is the interval B-tree CockroachDB used for its tscache before `intervalSkl`, without
 *   that one's max-end augmentation, which only overlapping intervals need. A B-tree is
 *   deterministic (no seeded levels as a skiplist needs) and keeps 64 entries per leaf together
 *   for the cache.
 *
 * Eviction (bounded, amortized O(1) per add): when an add takes the cache over `spansMax` entries
 * (intervals and points together), the low-water mark rises to the smallest timestamp that leaves
 * at most three quarters of `spansMax` entries above it — found by a deterministic quickselect over the entries' wall times as
 * doubles (expected O(n), sorting only as a fallback when its partitions keep coming out
 * lopsided), the few entries whose wall time rounds to the selected one then ordered exactly —
 * and the tree is rebuilt from the survivors bottom-up, O(n), and the evicted points deleted. The slack of a quarter means O(n) work at most once per `spansMax/4`
 * new intervals. (CockroachDB's `intervalSkl` instead rotates fixed-size pages and raises its
 * floor to the evicted page's highest timestamp: O(1) eviction, but the floor it picks is the
 * newest timestamp of the oldest quarter-or-so of the cache, not an order statistic.)
 *
 * Sans-I/O: no clock; the caller passes every timestamp.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import type { TxnId } from '../../src/base/ids.js';
import { compare, lessEq, type Timestamp } from '../../clock/timestamp.js';
import { compareKeys } from '../storage/engine.js';
import { keyString, joinRead, PointReads, type ReadJoin } from './point-reads.js';
import { checkSpan, spanEnd, type Span } from './spans.js';

/** The answer of `getMax`: the highest read timestamp, and its txn when a single txn holds it. */
export interface TimestampCacheValue {
  readonly timestamp: Timestamp;
  readonly txnId: TxnId | undefined;
}

export interface TimestampCacheOptions {
  /** Most entries kept before eviction; defaults to `limits.timestampCacheSpansMax`. */
  readonly spansMax?: number;
  /**
   * Most entries of a B+tree leaf, or children of an inner node (at least 8; default 64). Tests
   * pass small ones so that a few thousand reads exercise splits, borrows and merges.
   */
  readonly nodeSlotsMax?: number;
}

/**
 * One interval `[start, end)`, read at `timestamp` (strictly above the low-water mark); `end`
 * undefined is the point `[start, start\0)`. `start` is the B+tree key and never changes while the
 * entry is in the tree; the other fields are updated in place. Keys are owned copies, never
 * mutated, and may be shared between entries.
 */
interface Entry {
  readonly start: Uint8Array;
  end: Uint8Array | undefined;
  timestamp: Timestamp;
  txnId: TxnId | undefined;
}

/**
 * The timestamp cache of one range's leaseholder. Single-threaded: the owner serializes calls.
 */
export class TimestampCache {
  private low: Timestamp;
  private readonly tree: IntervalTree;
  /** Reads of single keys (`[k, k\0)`): never in `tree`. */
  private readonly points = new PointReads();
  private readonly spansMax: number;

  constructor(lowWater: Timestamp, options: TimestampCacheOptions = {}) {
    this.low = lowWater;
    this.spansMax = options.spansMax ?? limits.timestampCacheSpansMax;
    assert(Number.isInteger(this.spansMax), 'spansMax must be an integer');
    assert(this.spansMax >= 1, 'spansMax must be at least 1');
    this.tree = new IntervalTree(options.nodeSlotsMax ?? 64);
  }

  /** The low-water mark: every key reads at least this, attributed to no transaction. */
  get lowWater(): Timestamp {
    return this.low;
  }

  /** The number of entries held, intervals and points (at most `spansMax`). */
  get size(): number {
    return this.tree.count + this.points.size;
  }

  /**
   * Raises the low-water mark to `ts` (a lower `ts` is ignored) and drops entries it covers.
   * O(n): it rebuilds the tree from the survivors (eviction calls it once per `spansMax/4` adds).
   */
  setLowWater(ts: Timestamp): void {
    if (lessEq(ts, this.low)) return;
    this.low = ts;
    const survivors = this.tree.entries().filter((e) => compare(e.timestamp, ts) > 0);
    this.tree.rebuild(survivors);
    this.points.deleteWhere((read) => lessEq(read.timestamp, ts));
  }

  /** Records a read of every key of `span` at `ts` by `txnId` (undefined: non-transactional). */
  add(span: Span, ts: Timestamp, txnId: TxnId | undefined): void {
    checkSpan(span);
    if (lessEq(ts, this.low)) return; // the low-water mark (no txn) already covers it
    if (isPoint(span)) this.points.add(keyString(span.start), ts, txnId);
    else if (!this.addFast(span, ts, txnId)) this.addSpan(span, ts, txnId);
    this.evictIfFull();
  }

  /** The highest read timestamp over the keys of `span`; see the module comment for the txn. */
  getMax(span: Span): TimestampCacheValue {
    checkSpan(span);
    // Not frozen (the type is readonly): freeze is V8's slow path, and this runs per write.
    const answer: ReadJoin = { timestamp: this.low, txnId: undefined };
    const tree = this.tree;
    if (isPoint(span)) {
      const covering = tree.coveringPredecessor(span.start);
      if (covering !== undefined) joinRead(answer, covering.timestamp, covering.txnId);
      const point = this.points.get(keyString(span.start));
      if (point !== undefined) joinRead(answer, point.timestamp, point.txnId);
      return answer;
    }
    const end = span.end!;
    for (let e = tree.seekEndingAfter(span.start); e !== undefined && compareKeys(e.start, end) < 0; e = tree.advance()) {
      joinRead(answer, e.timestamp, e.txnId);
    }
    if (this.points.size > 0) this.points.joinSpanInto(answer, keyString(span.start), keyString(end));
    return answer;
  }

  /**
   * Asserts the structure's invariants (sorted, disjoint, above the low-water mark, coalesced,
   * B+tree shape and separators). O(n): for tests.
   */
  verify(): void {
    this.tree.verify();
    for (const read of this.points.values()) assert(compare(read.timestamp, this.low) > 0, 'points lie above the low-water mark');
    let previous: Entry | undefined;
    for (const e of this.tree.entries()) {
      assert(compare(e.timestamp, this.low) > 0, 'entries lie above the low-water mark');
      assert(e.end === undefined || compareKeys(e.start, e.end) < 0, 'entries are not empty');
      if (previous !== undefined) {
        const order = compareEndToKey(previous, e.start);
        assert(order <= 0, 'entries are disjoint and sorted');
        assert(order < 0 || !sameValue(previous, e.timestamp, e.txnId), 'equal touching entries are coalesced');
      }
      previous = e;
    }
  }

  /**
   * The allocation-light path of the common cases of a span read (never a point: those go to
   * `points`): the span is exactly an interval already held (a row read again as a scan of its
   * row: updated in place, no allocation, no tree change) or lies in a gap between intervals (one
   * new entry, its keys copied once). Returns false — having changed nothing — when the read needs
   * the general path: it overlaps intervals other than its exact match, or its new value would
   * coalesce with a neighbour.
   */
  private addFast(span: Span, ts: Timestamp, txnId: TxnId | undefined): boolean {
    const start = span.start;
    const end = span.end!;
    const tree = this.tree;
    const predecessor = tree.locatePredecessor(start);
    if (predecessor !== undefined && compareEndToKey(predecessor, start) > 0) {
      // `predecessor` covers `start`: fast if it is exactly the span.
      if (compareKeys(predecessor.start, start) !== 0 || !endsAt(predecessor, start, end)) return false;
      const order = compare(predecessor.timestamp, ts);
      if (order > 0) return true;
      const merged = order < 0 || predecessor.txnId === txnId ? txnId : undefined;
      if (order === 0 && merged === predecessor.txnId) return true;
      if (this.coalescesWithNeighbours(tree.entryBeforePredecessor(), tree.entryAfterPredecessor(), span, ts, merged)) return false;
      predecessor.timestamp = ts;
      predecessor.txnId = merged;
      return true;
    }
    const after = tree.entryAfterPredecessor();
    if (after !== undefined && compareSpanEndToKey(start, end, after.start) > 0) return false; // overlaps `after`
    if (this.coalescesWithNeighbours(predecessor, after, span, ts, txnId)) return false;
    tree.insertAfterPredecessor({ start: start.slice(), end: end.slice(), timestamp: ts, txnId });
    return true;
  }

  /** True if `before` ends where `span` starts, or `after` starts where it ends, with `(ts, txnId)`. */
  private coalescesWithNeighbours(before: Entry | undefined, after: Entry | undefined, span: Span, ts: Timestamp, txnId: TxnId | undefined): boolean {
    if (before !== undefined && compareEndToKey(before, span.start) === 0 && sameValue(before, ts, txnId)) return true;
    return after !== undefined && compareSpanEndToKey(span.start, span.end, after.start) === 0 && sameValue(after, ts, txnId);
  }

  /**
   * The general path: splits the intervals `span` overlaps at its boundaries, merges the read into
   * each overlap, fills the gaps, coalesces equal touching neighbours, then writes the difference
   * back to the tree (entries keeping their start are updated in place).
   */
  private addSpan(span: Span, ts: Timestamp, txnId: TxnId | undefined): void {
    const start = span.start.slice();
    const end = span.end!.slice();
    const tree = this.tree;
    // `old`: the overlapping entries and a neighbour on each side, which may coalesce.
    const old: Entry[] = [];
    let e = tree.seekEndingAfter(start);
    const before = tree.entryBeforeCursor();
    for (; e !== undefined && compareKeys(e.start, end) < 0; e = tree.advance()) old.push(e);
    let pieces = splitAndMerge(old, start, end, ts, txnId);
    if (before !== undefined) {
      old.unshift(before);
      pieces.unshift(before);
    }
    if (e !== undefined) {
      old.push(e);
      pieces.push(e);
    }
    pieces = coalesce(pieces);
    applyDifference(tree, old, pieces);
  }

  /**
   * When over `spansMax`, raises the low-water mark so that at most three quarters remain: to the
   * `(count − keep)`-th smallest timestamp held, exactly. The selection runs on a `Float64Array`
   * of the entries' wall times (`Number(wallNanos)`, which rounds monotonically: a smaller
   * timestamp never gets a larger double), not on the timestamp objects — each comparison of
   * those chased two pointers and compared bigints, and at 100k entries the quickselect and the
   * survivors' filter were 8 µs of every pgbench point read (eviction runs every `spansMax/4`
   * adds). The entries whose double equals the selected one (a wall time rounded to 256 ns at
   * today's clock, or equal walls with different logical ticks) are then ordered exactly, so
   * the floor is the same timestamp an exact selection picks; entries above the selected double
   * survive without a timestamp comparison, entries below it are evicted.
   */
  private evictIfFull(): void {
    if (this.size <= this.spansMax) return;
    const keep = Math.floor((this.spansMax * 3) / 4);
    // The intervals' timestamps, then the points' (in `points.values()` order).
    const entries = this.tree.entries();
    const timestamps = entries.map((e) => e.timestamp);
    for (const read of this.points.values()) timestamps.push(read.timestamp);
    const count = timestamps.length;
    const k = count - keep - 1;
    const walls = new Float64Array(count);
    for (let i = 0; i < count; i++) walls[i] = Number(timestamps[i]!.wallNanos);
    const cut = selectKthNumber(walls.slice(), k);
    // Sorted order: every wall below `cut` (`below` of them), then the tied ones, then the rest.
    let below = 0;
    const tied: Timestamp[] = [];
    for (let i = 0; i < count; i++) {
      const wall = walls[i]!;
      if (wall < cut) below++;
      else if (wall === cut) tied.push(timestamps[i]!);
    }
    tied.sort(compare);
    const floor = tied[k - below]!;
    const survives = (i: number): boolean => walls[i]! > cut || (walls[i] === cut && compare(timestamps[i]!, floor) > 0);
    const survivors = entries.filter((_, i) => survives(i));
    this.points.deleteWhere((_, index) => !survives(entries.length + index));
    assert(compare(floor, this.low) > 0, 'eviction raises the floor');
    this.low = floor;
    this.tree.rebuild(survivors);
    assert(this.size <= keep, 'eviction leaves at most three quarters');
  }
}

/**
 * The pieces replacing `overlapping` (the entries overlapping `[start, end)`, in order): their
 * parts outside the span keep their value, their parts inside take the merge, and the gaps
 * between them take the read.
 */
function splitAndMerge(overlapping: readonly Entry[], start: Uint8Array, end: Uint8Array, ts: Timestamp, txnId: TxnId | undefined): Entry[] {
  const pieces: Entry[] = [];
  let cursor: Uint8Array = start;
  for (const e of overlapping) {
    if (compareKeys(e.start, start) < 0) {
      pieces.push({ start: e.start, end: start, timestamp: e.timestamp, txnId: e.txnId });
    } else if (compareKeys(cursor, e.start) < 0) {
      pieces.push({ start: cursor, end: e.start, timestamp: ts, txnId });
    }
    const overlapStart = compareKeys(e.start, start) > 0 ? e.start : start;
    const endsInside = compareEndToKey(e, end) <= 0;
    const overlapEnd = endsInside ? endKey(e) : end;
    const order = compare(e.timestamp, ts);
    const timestamp = order > 0 ? e.timestamp : ts;
    const merged = order > 0 ? e.txnId : order < 0 || e.txnId === txnId ? txnId : undefined;
    pieces.push({ start: overlapStart, end: overlapEnd, timestamp, txnId: merged });
    if (!endsInside) pieces.push({ start: end, end: e.end, timestamp: e.timestamp, txnId: e.txnId });
    cursor = overlapEnd;
  }
  if (compareKeys(cursor, end) < 0) pieces.push({ start: cursor, end, timestamp: ts, txnId });
  return pieces;
}

/** Joins touching neighbours that hold the same value; writes points as points. */
function coalesce(pieces: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  for (const e of pieces) {
    const previous = out[out.length - 1];
    if (previous !== undefined && compareEndToKey(previous, e.start) === 0 && sameValue(previous, e.timestamp, e.txnId)) {
      previous.end = endKey(e);
    } else {
      out.push(copyEntry(e));
    }
  }
  for (const e of out) if (e.end !== undefined && compareSuccessor(e.start, e.end) === 0) e.end = undefined;
  return out;
}

/**
 * Writes `next` over `old` (both sorted by start, covering the same stretch of keys; `old` is a
 * run of consecutive entries of the tree): an old entry whose start appears in `next` is updated
 * in place, the others are removed, and the new starts are inserted — one by one, O(log n) each,
 * or, when that is a sizeable share of the tree (a range read over much of the cache, such as the
 * lease-start read over the whole range), by one O(n) rebuild.
 */
function applyDifference(tree: IntervalTree, old: readonly Entry[], next: readonly Entry[]): void {
  const removed: Uint8Array[] = [];
  const inserted: Entry[] = [];
  const region: Entry[] = [];
  let i = 0;
  let j = 0;
  while (i < old.length || j < next.length) {
    const order = i === old.length ? 1 : j === next.length ? -1 : compareKeys(old[i]!.start, next[j]!.start);
    if (order === 0) {
      const target = old[i++]!;
      const source = next[j++]!;
      target.end = source.end;
      target.timestamp = source.timestamp;
      target.txnId = source.txnId;
      region.push(target);
    } else if (order < 0) {
      removed.push(old[i++]!.start);
    } else {
      inserted.push(next[j]!);
      region.push(next[j++]!);
    }
  }
  if (removed.length + inserted.length > Math.max(rebuildChangesMin, tree.count / 16)) {
    const all = tree.entries();
    const first = old.length === 0 ? firstIndexAfter(all, next[0]!.start) : all.indexOf(old[0]!);
    assert(first >= 0, 'the replaced entries are in the tree');
    tree.rebuild(all.slice(0, first).concat(region, all.slice(first + old.length)));
    return;
  }
  for (const key of removed) tree.remove(key);
  for (const e of inserted) tree.insert(e);
}

/** Above this many removals and insertions (and a sixteenth of the tree), `add` rebuilds. */
const rebuildChangesMin = 256;

/** The index of the first of `entries` (sorted) starting after `key`. */
function firstIndexAfter(entries: readonly Entry[], key: Uint8Array): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(entries[mid]!.start, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function copyEntry(e: Entry): Entry {
  return { start: e.start, end: e.end, timestamp: e.timestamp, txnId: e.txnId };
}

function sameValue(e: Entry, ts: Timestamp, txnId: TxnId | undefined): boolean {
  return e.txnId === txnId && compare(e.timestamp, ts) === 0;
}

/** The exclusive end of `e` as a key (allocates `start\0` for a point). */
function endKey(e: Entry): Uint8Array {
  return e.end ?? spanEnd({ start: e.start });
}

/** Compares the exclusive end of `e` with `key`, without materializing a point's end. */
function compareEndToKey(e: Entry, key: Uint8Array): number {
  return e.end === undefined ? compareSuccessor(e.start, key) : compareKeys(e.end, key);
}

/** True if `e` (starting at `start`) ends where the span `[start, end)` does (`end` undefined: a point). */
function endsAt(e: Entry, start: Uint8Array, end: Uint8Array | undefined): boolean {
  if (end === undefined) return e.end === undefined || compareSuccessor(start, e.end) === 0;
  return compareEndToKey(e, end) === 0;
}

/** Compares the exclusive end of the span `[start, end)` (`end` undefined: a point) with `key`. */
function compareSpanEndToKey(start: Uint8Array, end: Uint8Array | undefined, key: Uint8Array): number {
  return end === undefined ? compareSuccessor(start, key) : compareKeys(end, key);
}

/** True if `span` holds a single key: a point, or `[k, k\0)`. */
function isPoint(span: Span): boolean {
  return span.end === undefined || compareSuccessor(span.start, span.end) === 0;
}

/**
 * Compares `key\0` (the immediate successor of `key`) with `other`, without allocating it: equal
 * only when `other` is exactly `key` followed by one zero byte.
 */
function compareSuccessor(key: Uint8Array, other: Uint8Array): number {
  const length = key.length < other.length ? key.length : other.length;
  for (let i = 0; i < length; i++) {
    const difference = key[i]! - other[i]!;
    if (difference !== 0) return difference;
  }
  if (other.length <= key.length) return 1; // `other` is a prefix of `key`, so below `key\0`
  if (other[key.length] !== 0) return -1;
  return other.length === key.length + 1 ? 0 : -1;
}

/**
 * The `k`-th smallest (0-based) of `values`, reordering them: quickselect with a median-of-three
 * pivot and a three-way partition (runs of equal values are common), deterministic. If the
 * partitions keep coming out lopsided it sorts what is left (introselect's fallback), so the worst
 * case is O(n log n) and the usual case O(n).
 */
export function selectKthNumber(values: Float64Array, k: number): number {
  assert(k >= 0 && k < values.length, 'selectKthNumber: k within the values');
  let lo = 0;
  let hi = values.length - 1;
  let budget = 2 * Math.ceil(Math.log2(values.length + 1)) + 8;
  while (hi > lo) {
    if (budget-- === 0) return values.subarray(lo, hi + 1).sort()[k - lo]!;
    const a = values[lo]!;
    const b = values[(lo + hi) >>> 1]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const value = values[i]!;
      if (value < pivot) {
        values[i] = values[lt]!;
        values[lt++] = value;
        i++;
      } else if (value > pivot) {
        values[i] = values[gt]!;
        values[gt--] = value;
      } else {
        i++;
      }
    }
    // values[lo, lt) < pivot, values[lt, gt] = pivot, values(gt, hi] > pivot
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return values[k]!;
}

// ─── The B+tree ──────────────────────────────────────────────────────────────────────────────

/**
 * A leaf: up to `slotsMax` entries, and their starts packed back to back in one buffer for the
 * descent's binary search. Why: at 100k entries the tree is far larger than the CPU caches, and a
 * search over `entries[mid].start` chases three pointers per probe (the entry, its Uint8Array,
 * its backing store) — about 20 dependent cache misses per lookup, ~20 µs on a loaded machine
 * (the pgbench select-only profile's `locatePredecessor`). Over the packed copy the leaf's probes
 * read one contiguous buffer of a few cache lines (the layout of a B-tree page, whose keys sit in
 * the page). `packedStarts` is undefined when stale (after a split, merge, borrow or bulk load)
 * and rebuilt by the next descent that reaches the leaf; inserts and removals at a slot update it
 * in place of a rebuild, so a fill does not re-read every entry of the leaf. Both arrays keep
 * spare capacity (a page's free space): an insert or removal is a native `copyWithin` and a walk
 * of at most a leaf's offsets, with no allocation until the capacity doubles.
 */
class Leaf {
  prev: Leaf | undefined = undefined;
  next: Leaf | undefined = undefined;
  /** The entries' starts, back to back, then spare capacity (undefined: stale). */
  packedStarts: Uint8Array | undefined = undefined;
  /**
   * `entries[i].start` is `packedStarts[packedOffsets[i] … packedOffsets[i + 1])`; the bytes in
   * use end at `packedOffsets[entries.length]`, and slots past it are spare capacity.
   */
  packedOffsets: Int32Array | undefined = undefined;
  constructor(readonly entries: Entry[]) {}

  /** Marks the packed starts stale, after a change to `entries` other than `packedInsert`/`packedRemove`. */
  invalidate(): void {
    this.packedStarts = undefined;
    this.packedOffsets = undefined;
  }

  /** Packs the entries' starts (when stale) and returns the offsets; `packedStarts` is then set. */
  packed(): Int32Array {
    if (this.packedOffsets !== undefined && this.packedStarts !== undefined) return this.packedOffsets;
    const entries = this.entries;
    let total = 0;
    for (let i = 0; i < entries.length; i++) total += entries[i]!.start.length;
    const bytes = new Uint8Array(total * 2 + 64);
    const offsets = new Int32Array(entries.length * 2 + 16);
    let at = 0;
    for (let i = 0; i < entries.length; i++) {
      const start = entries[i]!.start;
      bytes.set(start, at);
      at += start.length;
      offsets[i + 1] = at;
    }
    this.packedStarts = bytes;
    this.packedOffsets = offsets;
    return offsets;
  }

  /** `entries` gained `start` at `slot`: the packed copy follows (if not stale). */
  packedInsert(slot: number, start: Uint8Array): void {
    let bytes = this.packedStarts;
    let offsets = this.packedOffsets;
    if (bytes === undefined || offsets === undefined) return;
    const count = this.entries.length; // already includes the new entry
    const length = start.length;
    const used = offsets[count - 1]!;
    if (used + length > bytes.length) {
      const grown = new Uint8Array((used + length) * 2);
      grown.set(bytes.subarray(0, used));
      bytes = this.packedStarts = grown;
    }
    if (count + 1 > offsets.length) {
      const grown = new Int32Array(count * 2 + 2);
      grown.set(offsets.subarray(0, count));
      offsets = this.packedOffsets = grown;
    }
    const at = offsets[slot]!;
    bytes.copyWithin(at + length, at, used);
    bytes.set(start, at);
    offsets.copyWithin(slot + 1, slot, count);
    for (let i = slot + 1; i <= count; i++) offsets[i] = offsets[i]! + length;
  }

  /**
   * Moves the entries from `at` on to a new leaf, returned. The packed starts follow: this leaf
   * keeps its buffers (its first `at` offsets are unchanged, the rest is spare capacity) and the
   * new leaf gets a copy of the moved part, so neither is repacked entry by entry by the next
   * descent — a leaf splits every `slotsMax/2` inserts into it, and at pgbench scale 10 (most
   * point reads insert a new key) repacking was a tenth of the timestamp cache's time.
   */
  splitOff(at: number): Leaf {
    const bytes = this.packedStarts;
    const offsets = this.packedOffsets;
    const right = new Leaf(this.entries.splice(at));
    if (bytes === undefined || offsets === undefined) return right;
    const count = right.entries.length;
    const from = offsets[at]!;
    const to = offsets[at + count]!;
    const rightBytes = new Uint8Array((to - from) * 2 + 64);
    rightBytes.set(bytes.subarray(from, to));
    const rightOffsets = new Int32Array(count * 2 + 16);
    for (let i = 1; i <= count; i++) rightOffsets[i] = offsets[at + i]! - from;
    right.packedStarts = rightBytes;
    right.packedOffsets = rightOffsets;
    return right;
  }

  /** `entries` lost its entry at `slot`: the packed copy follows (if not stale). */
  packedRemove(slot: number): void {
    const bytes = this.packedStarts;
    const offsets = this.packedOffsets;
    if (bytes === undefined || offsets === undefined) return;
    const count = this.entries.length; // already without the removed entry
    const from = offsets[slot]!;
    const to = offsets[slot + 1]!;
    const length = to - from;
    bytes.copyWithin(from, to, offsets[count + 1]!);
    offsets.copyWithin(slot, slot + 1, count + 2);
    for (let i = slot; i <= count; i++) offsets[i] = offsets[i]! - length;
  }
}

/**
 * `keys[i]` (i ≥ 1) is a lower bound of the starts in `children[i]` and above every start in
 * `children[i - 1]`; `keys[0]` is unused. Bounds may be stale-low after removals: that keeps
 * removals from rewriting ancestors, at the price of a descent landing one leaf to the right of
 * the predecessor it looks for (`locatePredecessor` then steps back one leaf).
 */
class Inner {
  /** `keys` packed back to back, as a leaf packs its starts (see `Leaf`); undefined: stale. */
  packedKeys: Uint8Array | undefined = undefined;
  /** `keys[i]` is `packedKeys[packedOffsets[i] … packedOffsets[i + 1])`. */
  packedOffsets: Int32Array | undefined = undefined;

  constructor(
    readonly keys: Uint8Array[],
    readonly children: TreeNode[],
  ) {}

  /** Marks the packed keys stale: every change to `keys` calls it (they change only on splits and merges below). */
  invalidate(): void {
    this.packedKeys = undefined;
    this.packedOffsets = undefined;
  }

  /** The child whose bounds hold `key`: the last `keys[i]` (i ≥ 1) at or before it, else 0. */
  childFor(key: Uint8Array): number {
    let offsets = this.packedOffsets;
    let bytes = this.packedKeys;
    if (offsets === undefined || bytes === undefined) {
      const keys = this.keys;
      let total = 0;
      for (let i = 0; i < keys.length; i++) total += keys[i]!.length;
      bytes = new Uint8Array(total);
      offsets = new Int32Array(keys.length + 1);
      let at = 0;
      for (let i = 0; i < keys.length; i++) {
        bytes.set(keys[i]!, at);
        at += keys[i]!.length;
        offsets[i + 1] = at;
      }
      this.packedKeys = bytes;
      this.packedOffsets = offsets;
    }
    let lo = 1;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePackedToKey(bytes, offsets[mid]!, offsets[mid + 1]!, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

type TreeNode = Leaf | Inner;

/**
 * Disjoint entries ordered by start. Keeps one cursor — a leaf and an index, with the path of
 * inner nodes that leads to it — set by `locatePredecessor` or `seekEndingAfter`; the structural
 * operations (`insertAfterPredecessor`, `insert`, `remove`) use or reset it.
 */
class IntervalTree {
  count = 0;
  /** Fewest entries or children of a node other than the root; below it, borrow or merge. */
  private readonly slotsMin: number;
  /** Slots a bulk load fills: room for inserts before the first splits. */
  private readonly bulkLoadSlots: number;
  private root: TreeNode = new Leaf([]);
  /** The inner nodes from the root down to the cursor leaf's parent, and the child taken in each. */
  private readonly pathNodes: Inner[] = [];
  private readonly pathSlots: number[] = [];
  private pathLength = 0;
  /** The leaf the last descent reached, and an index in it (meaning depends on the method). */
  private leaf: Leaf = this.root as Leaf;
  private slot = -1;

  /** `slotsMax`: most entries of a leaf or children of an inner node. */
  constructor(private readonly slotsMax: number) {
    assert(Number.isInteger(slotsMax) && slotsMax >= 8, 'nodeSlotsMax must be an integer of at least 8');
    // A quarter: a node one short of it merged with a sibling at it fits (2·min - 1 ≤ max), and an
    // even bulk load of three quarters never leaves a node under it.
    this.slotsMin = slotsMax >>> 2;
    this.bulkLoadSlots = (slotsMax * 3) >>> 2;
  }

  /**
   * The last entry starting at or before `key`, or undefined. Leaves the cursor on the descent's
   * leaf with `slot` the index of that entry in it (-1 when it is in the previous leaf, or none).
   */
  locatePredecessor(key: Uint8Array): Entry | undefined {
    this.descend(key);
    if (this.slot >= 0) return this.leaf.entries[this.slot];
    const previous = this.leaf.prev;
    return previous === undefined ? undefined : previous.entries[previous.entries.length - 1];
  }

  /** The entry holding `key`, if any (after `locatePredecessor`'s descent). */
  coveringPredecessor(key: Uint8Array): Entry | undefined {
    const e = this.locatePredecessor(key);
    return e !== undefined && compareEndToKey(e, key) > 0 ? e : undefined;
  }

  /** After `locatePredecessor`: the entry before the predecessor. */
  entryBeforePredecessor(): Entry | undefined {
    if (this.slot >= 0) return this.entryAt(this.leaf, this.slot - 1);
    const previous = this.leaf.prev;
    return previous === undefined ? undefined : this.entryAt(previous, previous.entries.length - 2);
  }

  /** After `locatePredecessor`: the entry after the predecessor (the first starting after the key). */
  entryAfterPredecessor(): Entry | undefined {
    const entries = this.leaf.entries;
    if (this.slot + 1 < entries.length) return entries[this.slot + 1];
    return this.leaf.next?.entries[0];
  }

  /** After `locatePredecessor(e.start)` found no entry starting at `e.start`: inserts `e`. */
  insertAfterPredecessor(e: Entry): void {
    this.leaf.entries.splice(this.slot + 1, 0, e);
    this.leaf.packedInsert(this.slot + 1, e.start);
    this.count++;
    if (this.leaf.entries.length > this.slotsMax) this.splitLeaf();
  }

  /**
   * The first entry ending after `key` (the first that can overlap a span starting at `key`), and
   * puts the cursor on it for `advance`; undefined (cursor past the end) when there is none.
   */
  seekEndingAfter(key: Uint8Array): Entry | undefined {
    const predecessor = this.locatePredecessor(key);
    if (predecessor !== undefined && compareEndToKey(predecessor, key) > 0) {
      if (this.slot < 0) this.setCursor(this.leaf.prev!, this.leaf.prev!.entries.length - 1);
      return predecessor;
    }
    this.setCursor(this.leaf, this.slot + 1);
    return this.current();
  }

  /** Moves the cursor to the next entry and returns it (undefined past the end). */
  advance(): Entry | undefined {
    this.setCursor(this.leaf, this.slot + 1);
    return this.current();
  }

  /** The entry before the cursor (after `seekEndingAfter`). */
  entryBeforeCursor(): Entry | undefined {
    if (this.slot > 0) return this.leaf.entries[this.slot - 1];
    const previous = this.leaf.prev;
    return previous === undefined ? undefined : previous.entries[previous.entries.length - 1];
  }

  /** Inserts `e`; no entry may start at `e.start`. */
  insert(e: Entry): void {
    const predecessor = this.locatePredecessor(e.start);
    assert(predecessor === undefined || compareKeys(predecessor.start, e.start) !== 0, 'insert: start already present');
    this.insertAfterPredecessor(e);
  }

  /** Removes the entry starting at `start`, which must be present. */
  remove(start: Uint8Array): void {
    this.descend(start);
    assert(this.slot >= 0 && compareKeys(this.leaf.entries[this.slot]!.start, start) === 0, 'remove: start present');
    this.leaf.entries.splice(this.slot, 1);
    this.leaf.packedRemove(this.slot);
    this.count--;
    if (this.pathLength > 0 && this.leaf.entries.length < this.slotsMin) this.rebalanceLeaf();
  }

  /** Every entry, in order. O(n). */
  entries(): Entry[] {
    const out: Entry[] = [];
    for (let leaf: Leaf | undefined = this.leftmostLeaf(); leaf !== undefined; leaf = leaf.next) {
      for (const e of leaf.entries) out.push(e);
    }
    return out;
  }

  /** Replaces the contents by `entries` (sorted, disjoint), packed bottom-up. O(n). */
  rebuild(entries: readonly Entry[]): void {
    this.count = entries.length;
    let level: TreeNode[] = this.chunk(entries, (part) => new Leaf(part));
    for (let i = 1; i < level.length; i++) {
      (level[i - 1] as Leaf).next = level[i] as Leaf;
      (level[i] as Leaf).prev = level[i - 1] as Leaf;
    }
    while (level.length > 1) level = this.chunk(level, (children) => new Inner(children.map(firstStart), children));
    this.root = level[0]!;
    this.pathLength = 0;
    this.leaf = this.leftmostLeaf();
    this.slot = -1;
  }

  /**
   * Splits `items` into groups of about `bulkLoadSlots` (as even as possible, so that no group is
   * under `slotsMin` unless it is the only one) and builds a node of each.
   */
  private chunk<T, N>(items: readonly T[], build: (group: T[]) => N): N[] {
    if (items.length <= this.slotsMax) return [build(items.slice())];
    const groups = Math.ceil(items.length / this.bulkLoadSlots);
    const out: N[] = [];
    for (let g = 0; g < groups; g++) {
      out.push(build(items.slice(Math.floor((g * items.length) / groups), Math.floor(((g + 1) * items.length) / groups))));
    }
    return out;
  }

  /** Asserts the B+tree shape: occupancy, equal depth, separators, leaf links, count. O(n). */
  verify(): void {
    const leaves: Leaf[] = [];
    this.verifyNode(this.root, undefined, undefined, true, leaves);
    let count = 0;
    for (let i = 0; i < leaves.length; i++) {
      assert(leaves[i]!.prev === leaves[i - 1], 'leaf prev links');
      assert(leaves[i]!.next === leaves[i + 1], 'leaf next links');
      count += leaves[i]!.entries.length;
    }
    assert(count === this.count, 'count matches the entries');
  }

  private verifyNode(node: TreeNode, lower: Uint8Array | undefined, upper: Uint8Array | undefined, isRoot: boolean, leaves: Leaf[]): number {
    const slots = node instanceof Leaf ? node.entries.length : node.children.length;
    assert(slots <= this.slotsMax, 'node within slotsMax');
    assert(isRoot || slots >= this.slotsMin, 'non-root node at least slotsMin');
    if (node instanceof Leaf) {
      leaves.push(node);
      const bytes = node.packedStarts;
      const offsets = node.packedOffsets;
      if (bytes !== undefined && offsets !== undefined) {
        assert(offsets.length >= node.entries.length + 1 && offsets[node.entries.length]! <= bytes.length, 'packed starts sized to the entries');
        node.entries.forEach((e, i) => assert(compareKeys(bytes.subarray(offsets[i], offsets[i + 1]), e.start) === 0, 'packed starts match the entries'));
      }
      for (const e of node.entries) {
        assert(lower === undefined || compareKeys(lower, e.start) <= 0, 'separator below the starts of its child');
        assert(upper === undefined || compareKeys(e.start, upper) < 0, 'next separator above the starts of a child');
      }
      return 0;
    }
    assert(node.keys.length === node.children.length, 'a key per child');
    const packedKeys = node.packedKeys;
    const packedOffsets = node.packedOffsets;
    if (packedKeys !== undefined && packedOffsets !== undefined) {
      assert(packedOffsets.length === node.keys.length + 1, 'packed keys sized to the keys');
      node.keys.forEach((k, i) => assert(i === 0 || compareKeys(packedKeys.subarray(packedOffsets[i], packedOffsets[i + 1]), k) === 0, 'packed keys match the keys'));
    }
    assert(!isRoot || slots >= 2, 'an inner root has two children');
    let depth = -1;
    for (let i = 0; i < slots; i++) {
      const childLower = i === 0 ? lower : node.keys[i];
      const childUpper = i + 1 < slots ? node.keys[i + 1] : upper;
      const childDepth = this.verifyNode(node.children[i]!, childLower, childUpper, false, leaves);
      assert(depth === -1 || depth === childDepth, 'leaves at equal depth');
      depth = childDepth;
    }
    return depth + 1;
  }

  /**
   * Descends to the leaf where `key` belongs, recording the path; `slot` is the index of the last
   * entry starting at or before `key` in it, -1 when none does.
   */
  private descend(key: Uint8Array): void {
    let node = this.root;
    let depth = 0;
    while (node instanceof Inner) {
      const child = node.childFor(key);
      this.pathNodes[depth] = node;
      this.pathSlots[depth] = child;
      depth++;
      node = node.children[child]!;
    }
    this.pathLength = depth;
    this.leaf = node;
    // Over the leaf's packed starts (see `Leaf`): one buffer, not a pointer chase per probe.
    const offsets = node.packed();
    const bytes = node.packedStarts!;
    let lo = 0;
    let hi = node.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePackedToKey(bytes, offsets[mid]!, offsets[mid + 1]!, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.slot = lo - 1;
  }

  private setCursor(leaf: Leaf, slot: number): void {
    if (slot >= leaf.entries.length && leaf.next !== undefined) {
      this.leaf = leaf.next;
      this.slot = 0;
    } else {
      this.leaf = leaf;
      this.slot = slot;
    }
  }

  private current(): Entry | undefined {
    return this.leaf.entries[this.slot];
  }

  private entryAt(leaf: Leaf, slot: number): Entry | undefined {
    if (slot >= 0) return leaf.entries[slot];
    const previous = leaf.prev;
    return previous === undefined ? undefined : previous.entries[previous.entries.length + slot];
  }

  private leftmostLeaf(): Leaf {
    let node = this.root;
    while (node instanceof Inner) node = node.children[0]!;
    return node;
  }

  /** Splits the cursor leaf in two and hands the right half to the parent. */
  private splitLeaf(): void {
    const leaf = this.leaf;
    const right = leaf.splitOff(leaf.entries.length >>> 1);
    right.next = leaf.next;
    if (right.next !== undefined) right.next.prev = right;
    right.prev = leaf;
    leaf.next = right;
    this.insertChild(this.pathLength - 1, right, right.entries[0]!.start);
  }

  /** Inserts `child` right after the path's child at `depth` (a new root when depth is -1). */
  private insertChild(depth: number, child: TreeNode, lowerBound: Uint8Array): void {
    if (depth < 0) {
      this.root = new Inner([firstStart(this.root), lowerBound], [this.root, child]);
      return;
    }
    const node = this.pathNodes[depth]!;
    node.invalidate();
    const slot = this.pathSlots[depth]! + 1;
    node.keys.splice(slot, 0, lowerBound);
    node.children.splice(slot, 0, child);
    if (node.children.length <= this.slotsMax) return;
    const half = node.children.length >>> 1;
    const right = new Inner(node.keys.splice(half), node.children.splice(half));
    this.insertChild(depth - 1, right, right.keys[0]!);
  }

  /** The cursor leaf fell below `slotsMin`: borrows an entry from a sibling or merges. */
  private rebalanceLeaf(): void {
    const leaf = this.leaf;
    const depth = this.pathLength - 1;
    const parent = this.pathNodes[depth]!;
    parent.invalidate();
    const slot = this.pathSlots[depth]!;
    if (slot > 0) {
      const left = parent.children[slot - 1] as Leaf;
      if (left.entries.length > this.slotsMin) {
        leaf.entries.unshift(left.entries.pop()!);
        leaf.invalidate();
        left.invalidate();
        parent.keys[slot] = leaf.entries[0]!.start;
        return;
      }
      left.entries.push(...leaf.entries);
      left.invalidate();
      unlink(leaf);
      this.removeChild(depth, slot);
      return;
    }
    const right = parent.children[1] as Leaf;
    if (right.entries.length > this.slotsMin) {
      leaf.entries.push(right.entries.shift()!);
      leaf.invalidate();
      right.invalidate();
      parent.keys[1] = right.entries[0]!.start;
      return;
    }
    leaf.entries.push(...right.entries);
    leaf.invalidate();
    unlink(right);
    this.removeChild(depth, 1);
  }

  /** Removes child `slot` (never 0) of the path's node at `depth`, rebalancing upwards. */
  private removeChild(depth: number, slot: number): void {
    const node = this.pathNodes[depth]!;
    node.invalidate();
    node.keys.splice(slot, 1);
    node.children.splice(slot, 1);
    if (depth === 0) {
      if (node.children.length === 1) this.root = node.children[0]!;
      return;
    }
    if (node.children.length < this.slotsMin) this.rebalanceInner(depth);
  }

  /** The path's inner node at `depth` fell below `slotsMin`: borrows a child or merges. */
  private rebalanceInner(depth: number): void {
    const node = this.pathNodes[depth]!;
    const parent = this.pathNodes[depth - 1]!;
    const slot = this.pathSlots[depth - 1]!;
    node.invalidate();
    parent.invalidate();
    if (slot > 0) {
      const left = parent.children[slot - 1] as Inner;
      left.invalidate();
      if (left.children.length > this.slotsMin) {
        const bound = left.keys.pop()!;
        node.keys[0] = parent.keys[slot]!;
        node.keys.unshift(bound);
        node.children.unshift(left.children.pop()!);
        parent.keys[slot] = bound;
        return;
      }
      left.keys.push(parent.keys[slot]!, ...node.keys.slice(1));
      left.children.push(...node.children);
      this.removeChild(depth - 1, slot);
      return;
    }
    const right = parent.children[slot + 1] as Inner;
    right.invalidate();
    if (right.children.length > this.slotsMin) {
      node.keys.push(parent.keys[slot + 1]!);
      node.children.push(right.children.shift()!);
      right.keys.shift();
      parent.keys[slot + 1] = right.keys[0]!;
      return;
    }
    node.keys.push(parent.keys[slot + 1]!, ...right.keys.slice(1));
    node.children.push(...right.children);
    this.removeChild(depth - 1, slot + 1);
  }
}

/** `compareKeys(bytes[from … to), key)` without a subarray. */
function comparePackedToKey(bytes: Uint8Array, from: number, to: number, key: Uint8Array): number {
  const length = to - from;
  const common = length < key.length ? length : key.length;
  for (let i = 0; i < common; i++) {
    const difference = bytes[from + i]! - key[i]!;
    if (difference !== 0) return difference;
  }
  return length - key.length;
}

function firstStart(node: TreeNode): Uint8Array {
  let n = node;
  while (n instanceof Inner) n = n.children[0]!;
  return n.entries[0]?.start ?? new Uint8Array(0);
}

function unlink(leaf: Leaf): void {
  if (leaf.prev !== undefined) leaf.prev.next = leaf.next;
  if (leaf.next !== undefined) leaf.next.prev = leaf.prev;
}

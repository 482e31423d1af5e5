/**
 * `RangeCache`: which range holds a key, remembered (CockroachDB's `rangecache.RangeCache`).
 *
 * Descriptors are kept sorted by *end* key, as meta2 stores them, so the range holding `key` is
 * the first cached descriptor whose end key is greater than `key` — if that descriptor also
 * starts at or before `key`; otherwise the key falls in a gap and is looked up through meta.
 *
 * ```
 *   cached:   [a ─ g)  [g ─ p)        [t ─ /Max)        sorted by end key: g, p, /Max
 *   lookup(h) → first end > h is p → [g ─ p) holds h                    (hit)
 *   lookup(r) → first end > r is /Max, but it starts at t > r          (miss → RangeLookup)
 * ```
 *
 * Patterns:
 * - **Generation clock.** A descriptor's `generation` counts its splits and merges (a merge takes
 *   one more than the larger of its two halves), so of two overlapping descriptors the one with
 *   the larger generation is newer. `insert` replaces overlapping entries only with a descriptor
 *   at least as new as all of them; a stale descriptor never displaces a newer one.
 * - **Single flight.** Concurrent lookups of one key share one `RangeLookup` call (one meta read).
 * - **Bounded, least recently used.** At most `entriesMax` entries; inserting past it evicts the
 *   entry used least recently (a hit counts as a use).
 *
 * The cache is a hint: any entry may be stale. A request routed by a stale entry fails with a
 * routing error at the range, and DistSender evicts the entry and inserts what the error carries.
 */
import { assert } from '../../src/base/assert.js';
import { limits } from '../../src/base/limits.js';
import { compareKeys, containsKey, type RangeDescriptor, type RKey } from '../api/index.js';

/** Reads meta for the descriptor of the range holding `key` (CockroachDB's `RangeLookup`). */
export type RangeLookup = (key: RKey) => Promise<RangeDescriptor>;

export interface RangeCacheOptions {
  /** Most cached descriptors; defaults to `limits.rangeCacheEntriesMax`. */
  readonly entriesMax?: number;
}

const hex = (key: Uint8Array): string => Buffer.from(key).toString('hex');

export class RangeCache {
  private readonly entriesMax: number;
  /** Non-overlapping descriptors sorted by end key. */
  private readonly sorted: RangeDescriptor[] = [];
  /**
   * The same descriptors, least recently used first (Set insertion order). Keyed by the objects
   * themselves: a hit re-inserts one without hex-coding its key (it was 2% of a transaction).
   */
  private readonly recency = new Set<RangeDescriptor>();
  /** The most recently used descriptor: a hit on it (the common case) changes no order. */
  private newest: RangeDescriptor | undefined = undefined;
  /** Lookups in flight, by hex key (single flight). */
  private readonly inflight = new Map<string, Promise<RangeDescriptor>>();

  constructor(
    private readonly rangeLookup: RangeLookup,
    options: RangeCacheOptions = {},
  ) {
    this.entriesMax = options.entriesMax ?? limits.rangeCacheEntriesMax;
    assert(Number.isSafeInteger(this.entriesMax) && this.entriesMax > 0, 'entriesMax must be a positive integer');
  }

  /** How many descriptors are cached. */
  get size(): number {
    return this.sorted.length;
  }

  /** The cached descriptor holding `key`, or undefined; a hit marks the entry recently used. */
  cached(key: RKey): RangeDescriptor | undefined {
    const index = this.firstEndAfter(key);
    const desc = this.sorted[index];
    if (desc === undefined || !containsKey(desc, key)) return undefined;
    this.touch(desc);
    return desc;
  }

  /**
   * The descriptor of the range holding `key`: from the cache, else from one `RangeLookup` shared
   * by every concurrent caller asking for the same key. The looked-up descriptor is inserted
   * (subject to the generation rule); the newest known descriptor holding `key` is returned — a
   * newer one inserted while the lookup was in flight wins. Rejects with the lookup's error.
   */
  lookup(key: RKey): Promise<RangeDescriptor> {
    const hit = this.cached(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const id = hex(key);
    const pending = this.inflight.get(id);
    if (pending !== undefined) return pending;
    const started = this.lookupThrough(key).finally(() => this.inflight.delete(id));
    this.inflight.set(id, started);
    return started;
  }

  private async lookupThrough(key: RKey): Promise<RangeDescriptor> {
    const desc = await this.rangeLookup(key);
    assert(containsKey(desc, key), () => `range lookup for ${hex(key)} returned r${desc.rangeId}, which does not hold it`);
    // Re-read after the await: an entry inserted meanwhile may be newer than what meta said.
    this.insert([desc]);
    return this.cached(key) ?? desc;
  }

  /**
   * Adds each descriptor unless an overlapping cached one has a larger generation (it is newer);
   * otherwise every overlapping entry is replaced. Evicts least recently used entries past the bound.
   */
  insert(descriptors: readonly RangeDescriptor[]): void {
    for (const desc of descriptors) this.insertOne(desc);
    while (this.sorted.length > this.entriesMax) this.evictLeastRecentlyUsed();
    assert(this.sorted.length === this.recency.size, 'sorted and recency hold the same entries');
  }

  /**
   * Removes the cached entry for `desc`'s end key if it is the same range at the same or an older
   * generation (the caller found `desc` stale); a newer entry someone else inserted is kept.
   * Returns whether an entry was removed.
   */
  evict(desc: RangeDescriptor): boolean {
    const index = this.firstEndAfter(desc.startKey);
    const cached = this.sorted[index];
    if (cached === undefined || cached.rangeId !== desc.rangeId || cached.generation > desc.generation) return false;
    if (compareKeys(cached.startKey, desc.startKey) !== 0) return false;
    this.removeAt(index);
    return true;
  }

  private insertOne(desc: RangeDescriptor): void {
    const first = this.firstEndAfter(desc.startKey);
    let last = first;
    while (last < this.sorted.length && compareKeys(this.sorted[last]!.startKey, desc.endKey) < 0) {
      if (this.sorted[last]!.generation > desc.generation) return; // a newer descriptor overlaps: keep it
      last += 1;
    }
    for (const old of this.sorted.splice(first, last - first, desc)) this.forget(old);
    this.recency.add(desc);
    this.newest = desc;
  }

  private evictLeastRecentlyUsed(): void {
    const oldest = this.recency.values().next();
    assert(oldest.done !== true, 'an over-full cache has an oldest entry');
    const index = this.firstEndAfter(oldest.value.startKey);
    assert(this.sorted[index] === oldest.value, 'the oldest entry is in the sorted list');
    this.removeAt(index);
  }

  private removeAt(index: number): void {
    const [removed] = this.sorted.splice(index, 1);
    assert(removed !== undefined, 'removing an existing entry');
    this.forget(removed);
  }

  private forget(desc: RangeDescriptor): void {
    this.recency.delete(desc);
    if (this.newest === desc) this.newest = undefined;
  }

  private touch(desc: RangeDescriptor): void {
    if (this.newest === desc) return;
    this.recency.delete(desc);
    this.recency.add(desc);
    this.newest = desc;
  }

  /** The index of the first entry whose end key is > `key` (binary search). */
  private firstEndAfter(key: Uint8Array): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(this.sorted[middle]!.endKey, key) > 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

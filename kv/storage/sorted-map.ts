/**
 * `SortedMap`: an ordered byte-key map with O(1) snapshots, the memtable of `MemoryEngine` and
 * the index of indexed write batches.
 *
 * Layout: the entries live in sorted chunks of at most `chunkEntriesMax` entries; a binary search
 * over the chunks' last keys finds the chunk, a second one the slot. Inserting touches one chunk
 * (split when full), so writes cost O(log n + chunk size) instead of an O(n) array splice.
 *
 * Snapshots are copy-on-write: `view()` hands out the current chunk list and marks it shared;
 * the next write copies the list (pointers only) and then each chunk it modifies, once. A view
 * never changes, so iterators and crash images read it without locks or copies.
 *
 *     map.chunks ─► [ c0 | c1 | c2 ]        view = { chunks: [c0, c1, c2] } (shared)
 *     put(k in c1) ─► [ c0 | c1' | c2 ]     c1' is a private copy; the view still sees c1
 */
import { assert } from '../../src/base/assert.js';
import { compareKeys } from './engine.js';

const chunkEntriesMax = 256;

interface Chunk {
  keys: Uint8Array[];
  values: Uint8Array[];
  /** Sum of key and value lengths in the chunk. */
  bytes: number;
  /** The map generation that may modify this chunk in place. */
  owner: number;
}

/** A frozen, consistent view of a `SortedMap`. */
export class SortedMapView {
  constructor(
    /** @internal */ readonly chunks: readonly Chunk[],
    readonly size: number,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    return lookup(this.chunks, key);
  }

  /** A cursor positioned before the first key ≥ `target` (forward use). */
  cursorAtOrAfter(target: Uint8Array): Cursor {
    const ci = findChunk(this.chunks, target);
    if (ci >= this.chunks.length) return new Cursor(this.chunks, this.chunks.length, 0);
    const slot = searchChunk(this.chunks[ci]!, target);
    return new Cursor(this.chunks, ci, slot >= 0 ? slot : ~slot);
  }

  /** A cursor at the last key ≤ `target`, or before the start if there is none. */
  cursorAtOrBefore(target: Uint8Array): Cursor {
    const cursor = this.cursorAtOrAfter(target);
    const at = cursor.key();
    if (at === undefined || compareKeys(at, target) > 0) cursor.prev();
    return cursor;
  }

  /** Sum of key and value bytes of entries in `[start, end)`. */
  bytesInSpan(start: Uint8Array, end: Uint8Array): number {
    let total = 0;
    const cursor = this.cursorAtOrAfter(start);
    for (let key = cursor.key(); key !== undefined && compareKeys(key, end) < 0; key = cursor.key()) {
      total += key.length + cursor.value()!.length;
      cursor.next();
    }
    return total;
  }
}

/** A position in a view: (chunk, slot). Past-the-end and before-the-start are valid positions. */
export class Cursor {
  constructor(
    private readonly chunks: readonly Chunk[],
    private chunkIndex: number,
    private slot: number,
  ) {
    this.normalizeForward();
  }

  key(): Uint8Array | undefined {
    return this.chunks[this.chunkIndex]?.keys[this.slot];
  }

  value(): Uint8Array | undefined {
    return this.chunks[this.chunkIndex]?.values[this.slot];
  }

  next(): void {
    if (this.chunkIndex >= this.chunks.length) return;
    if (this.chunkIndex < 0) {
      this.chunkIndex = 0;
      this.slot = 0;
    } else {
      this.slot++;
    }
    this.normalizeForward();
  }

  prev(): void {
    if (this.chunkIndex < 0) return;
    if (this.chunkIndex >= this.chunks.length) {
      this.chunkIndex = this.chunks.length - 1;
      this.slot = (this.chunks[this.chunkIndex]?.keys.length ?? 0) - 1;
    } else {
      this.slot--;
    }
    while (this.chunkIndex >= 0 && this.slot < 0) {
      this.chunkIndex--;
      this.slot = (this.chunks[this.chunkIndex]?.keys.length ?? 0) - 1;
    }
  }

  private normalizeForward(): void {
    while (this.chunkIndex >= 0 && this.chunkIndex < this.chunks.length && this.slot >= this.chunks[this.chunkIndex]!.keys.length) {
      this.chunkIndex++;
      this.slot = 0;
    }
  }
}

export class SortedMap {
  private chunks: Chunk[] = [];
  private generation = 1;
  /** True when a view shares `chunks`: the next write must copy the list first. */
  private listShared = false;
  private entryCount = 0;

  get size(): number {
    return this.entryCount;
  }

  /** A frozen view of the current contents, in O(1). */
  view(): SortedMapView {
    this.listShared = true;
    this.generation++;
    return new SortedMapView(this.chunks, this.entryCount);
  }

  /** Replaces the contents with a view's (used to roll back to a crash image). */
  restore(view: SortedMapView): void {
    this.chunks = view.chunks as Chunk[];
    this.entryCount = view.size;
    this.listShared = true;
    this.generation++;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return lookup(this.chunks, key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    if (this.chunks.length === 0) {
      this.ownList();
      this.chunks.push({ keys: [key], values: [value], bytes: key.length + value.length, owner: this.generation });
      this.entryCount = 1;
      return;
    }
    let ci = findChunk(this.chunks, key);
    if (ci >= this.chunks.length) ci = this.chunks.length - 1; // beyond the last key: append to the last chunk
    const chunk = this.ownChunk(ci);
    const slot = searchChunk(chunk, key);
    if (slot >= 0) {
      chunk.bytes += value.length - chunk.values[slot]!.length;
      chunk.values[slot] = value;
      return;
    }
    const at = ~slot;
    chunk.keys.splice(at, 0, key);
    chunk.values.splice(at, 0, value);
    chunk.bytes += key.length + value.length;
    this.entryCount++;
    if (chunk.keys.length > chunkEntriesMax) this.split(ci);
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: Uint8Array): boolean {
    const ci = findChunk(this.chunks, key);
    if (ci >= this.chunks.length) return false;
    if (searchChunk(this.chunks[ci]!, key) < 0) return false;
    const chunk = this.ownChunk(ci);
    const slot = searchChunk(chunk, key);
    assert(slot >= 0, 'key vanished while copying its chunk');
    chunk.bytes -= key.length + chunk.values[slot]!.length;
    chunk.keys.splice(slot, 1);
    chunk.values.splice(slot, 1);
    this.entryCount--;
    if (chunk.keys.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  private ownList(): void {
    if (!this.listShared) return;
    this.chunks = this.chunks.slice();
    this.listShared = false;
  }

  private ownChunk(ci: number): Chunk {
    this.ownList();
    const chunk = this.chunks[ci]!;
    if (chunk.owner === this.generation) return chunk;
    const copy: Chunk = { keys: chunk.keys.slice(), values: chunk.values.slice(), bytes: chunk.bytes, owner: this.generation };
    this.chunks[ci] = copy;
    return copy;
  }

  private split(ci: number): void {
    const chunk = this.chunks[ci]!;
    const half = chunk.keys.length >>> 1;
    const right: Chunk = { keys: chunk.keys.splice(half), values: chunk.values.splice(half), bytes: 0, owner: this.generation };
    for (let i = 0; i < right.keys.length; i++) right.bytes += right.keys[i]!.length + right.values[i]!.length;
    chunk.bytes -= right.bytes;
    this.chunks.splice(ci + 1, 0, right);
  }
}

function lookup(chunks: readonly Chunk[], key: Uint8Array): Uint8Array | undefined {
  const ci = findChunk(chunks, key);
  if (ci >= chunks.length) return undefined;
  const chunk = chunks[ci]!;
  const slot = searchChunk(chunk, key);
  return slot >= 0 ? chunk.values[slot] : undefined;
}

/** Index of the first chunk whose last key is ≥ `key` (chunks.length if none). */
function findChunk(chunks: readonly Chunk[], key: Uint8Array): number {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const chunk = chunks[mid]!;
    if (compareKeys(chunk.keys[chunk.keys.length - 1]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The slot of `key` in `chunk`, or `~insertionPoint` when absent. */
function searchChunk(chunk: Chunk, key: Uint8Array): number {
  let lo = 0;
  let hi = chunk.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const order = compareKeys(chunk.keys[mid]!, key);
    if (order < 0) lo = mid + 1;
    else if (order > 0) hi = mid - 1;
    else return mid;
  }
  return ~lo;
}

/**
 * `KeyHashMap`: a byte-key hash map for point lookups — the index of a write batch, which is
 * read far more often by key (every MVCC write first reads its key) than iterated. A lookup
 * hashes the key (FNV-1a, 32 bits) and compares it only against the keys of its bucket, instead
 * of the O(log n) comparisons and array splice of a sorted structure. A sorted view for
 * iteration is built on demand and cached until the next write.
 */
import { compareKeys } from './engine.js';
import { SortedMap, type SortedMapView } from './sorted-map.js';

interface Entry {
  readonly key: Uint8Array;
  value: Uint8Array;
}

export class KeyHashMap {
  private readonly buckets = new Map<number, Entry | Entry[]>();
  private entryCount = 0;
  private sorted: SortedMapView | undefined;

  get size(): number {
    return this.entryCount;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const bucket = this.buckets.get(hashKey(key));
    if (bucket === undefined) return undefined;
    if (!Array.isArray(bucket)) return sameKey(bucket.key, key) ? bucket.value : undefined;
    for (const entry of bucket) if (sameKey(entry.key, key)) return entry.value;
    return undefined;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.sorted = undefined;
    const hash = hashKey(key);
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) {
      this.buckets.set(hash, { key, value });
      this.entryCount++;
      return;
    }
    const entries = Array.isArray(bucket) ? bucket : [bucket];
    for (const entry of entries) {
      if (sameKey(entry.key, key)) {
        entry.value = value;
        return;
      }
    }
    entries.push({ key, value });
    if (!Array.isArray(bucket)) this.buckets.set(hash, entries);
    this.entryCount++;
  }

  /** The entries in key order, as a frozen view (cached until the next `set`). */
  view(): SortedMapView {
    if (this.sorted !== undefined) return this.sorted;
    const entries: Entry[] = [];
    for (const bucket of this.buckets.values()) {
      if (Array.isArray(bucket)) entries.push(...bucket);
      else entries.push(bucket);
    }
    entries.sort((a, b) => compareKeys(a.key, b.key));
    const map = new SortedMap();
    for (const entry of entries) map.set(entry.key, entry.value);
    this.sorted = map.view();
    return this.sorted;
  }
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** 32-bit FNV-1a. */
function hashKey(key: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key[i]!, 0x01000193);
  return hash >>> 0;
}

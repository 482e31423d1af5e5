/**
 * `RaftEntryCache`: the newest entries of one range's Raft log, in memory, bounded in bytes.
 *
 * It holds a contiguous run `[firstIndex, lastIndex]` that always ends at the log's last index
 * (or is empty): appends extend it (replacing a conflicting suffix), eviction drops the oldest
 * entries once the total `entrySize` passes `bytesMax`, truncation drops entries at or below the
 * truncated index. The entries a leader sends to followers and the terms Raft checks are almost
 * always the newest ones, so they are served from here; the rest is read from the engine.
 */
import { assert } from '../../src/base/assert.js';
import { entrySize, type Entry } from '../raft/index.js';

export class RaftEntryCache {
  /** `entries[head..]` are the cached entries; the dead prefix is compacted lazily. */
  private entries: Entry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly bytesMax: number) {
    assert(Number.isSafeInteger(bytesMax) && bytesMax >= 0, () => `bad cache bound ${bytesMax}`);
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** The index of the oldest cached entry, or undefined if the cache is empty. */
  firstIndex(): number | undefined {
    return this.size === 0 ? undefined : this.entries[this.head]!.index;
  }

  get(index: number): Entry | undefined {
    const first = this.firstIndex();
    if (first === undefined || index < first || index >= first + this.size) return undefined;
    const entry = this.entries[this.head + index - first]!;
    assert(entry.index === index, 'cache entries are contiguous');
    return entry;
  }

  /**
   * Appends contiguous entries that follow (or overwrite part of) the cached run. Entries that
   * would leave a gap, or start below the cached run, replace the cache.
   */
  append(appended: readonly Entry[]): void {
    if (appended.length === 0) return;
    const first = this.firstIndex();
    const at = appended[0]!.index;
    if (first === undefined || at < first || at > first + this.size) this.clear();
    else this.dropFrom(this.head + at - first);
    for (const entry of appended) {
      this.entries.push(entry);
      this.bytes += entrySize(entry);
    }
    this.evict();
  }

  /** Drops every entry at or below `index` (the log was truncated there). */
  truncateThrough(index: number): void {
    while (this.size > 0 && this.entries[this.head]!.index <= index) this.dropHead();
    this.compact();
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
  }

  private dropFrom(position: number): void {
    for (let i = position; i < this.entries.length; i++) this.bytes -= entrySize(this.entries[i]!);
    this.entries.length = position;
  }

  private evict(): void {
    while (this.bytes > this.bytesMax && this.size > 0) this.dropHead();
    this.compact();
    assert(this.bytes >= 0 && this.bytes <= this.bytesMax, 'cache within its bound');
  }

  private dropHead(): void {
    this.bytes -= entrySize(this.entries[this.head]!);
    this.head++;
  }

  /** Reclaims the dropped prefix once it is at least half the array. */
  private compact(): void {
    if (this.head === 0 || this.head * 2 < this.entries.length) return;
    this.entries = this.entries.slice(this.head);
    this.head = 0;
  }
}

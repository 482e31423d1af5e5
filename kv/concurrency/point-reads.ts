/**
 * The point reads of the timestamp cache: for each single key read (`[k, k\0)`), the highest
 * timestamp it was read at and by which transaction, in a hash map keyed by the key's bytes as a
 * one-byte-per-character string.
 *
 * Why a hash map beside the cache's interval B+tree: a point read is the commonest read (every SQL
 * point lookup, pgbench's select-only) and, with keys read at random, nearly every one is a key
 * the cache does not hold yet. In the B+tree each such read was a descent over packed keys, an
 * insert into a leaf (a split now and then) and an owned copy of the key as a `Uint8Array`, kept
 * until eviction: 9.2% of the select-only server's CPU, plus the old-generation garbage of 100k
 * typed arrays. Here it is one string built from the key (the native latin1 decoder) and one
 * hash lookup; the string is ~30 bytes of heap where the typed array and its backing store were
 * ~130.
 *
 * Why strings keep the keys' order: the latin1 decoding maps byte b to the UTF-16 code unit b, and
 * JS compares strings code unit by code unit, a prefix first — exactly `compareKeys` on the bytes.
 * The map itself has no order, so a span's lookup (`joinInto` with bounds) walks every point:
 * O(n), paid only by writes over a span (DeleteRange: DDL and backfills), never by a point read
 * or a point write.
 *
 * Every entry lies strictly above the cache's low-water mark (the owner drops reads at or below
 * it and evicts entries it raises the mark over). Single-threaded, sans-I/O.
 */
import { assert } from '../../src/base/assert.js';
import type { TxnId } from '../../src/base/ids.js';
import { compare, type Timestamp } from '../../clock/timestamp.js';

/** One key's highest read: `timestamp` strictly above the low-water mark; updated in place. */
export interface PointRead {
  timestamp: Timestamp;
  txnId: TxnId | undefined;
}

/** A running join of reads: the highest timestamp and, on ties, the txn only if every tie agrees. */
export interface ReadJoin {
  timestamp: Timestamp;
  txnId: TxnId | undefined;
}

/**
 * Node's latin1 decoder (what `buffer.toString('latin1')` calls), applied to a plain Uint8Array
 * without wrapping it in a Buffer first: ~120 ns for a 14-byte key where `Buffer.from(…)
 * .toString('latin1')` costs twice that (bench on the key of a pgbench account).
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;
assert(typeof latin1Slice === 'function', 'Buffer.prototype.latin1Slice exists');

/** The key as a string of one character per byte: equal keys give equal strings, order kept. */
export function keyString(key: Uint8Array): string {
  return latin1Slice.call(key, 0, key.length);
}

/** Joins the read `(timestamp, txnId)` into `into` (the timestamp cache's merge rule). */
export function joinRead(into: ReadJoin, timestamp: Timestamp, txnId: TxnId | undefined): void {
  const order = compare(timestamp, into.timestamp);
  if (order > 0) {
    into.timestamp = timestamp;
    into.txnId = txnId;
  } else if (order === 0 && into.txnId !== txnId) {
    into.txnId = undefined;
  }
}

export class PointReads {
  private readonly reads = new Map<string, PointRead>();

  get size(): number {
    return this.reads.size;
  }

  /** Records a read of `key` (a `keyString`) at `timestamp` by `txnId`: joins it into the key's entry. */
  add(key: string, timestamp: Timestamp, txnId: TxnId | undefined): void {
    const read = this.reads.get(key);
    if (read === undefined) this.reads.set(key, { timestamp, txnId });
    else joinRead(read, timestamp, txnId);
  }

  /** The entry of `key` (a `keyString`), if it holds one. Do not modify it. */
  get(key: string): PointRead | undefined {
    return this.reads.get(key);
  }

  /** Joins into `into` the reads of every key in `[start, end)` (`keyString`s). O(n). */
  joinSpanInto(into: ReadJoin, start: string, end: string): void {
    for (const [key, read] of this.reads) {
      if (key >= start && key < end) joinRead(into, read.timestamp, read.txnId);
    }
  }

  /** Every entry, in the map's order (stable while the map is not changed). */
  values(): IterableIterator<PointRead> {
    return this.reads.values();
  }

  /** Drops every entry `evicted` says so of; entries are visited in `values()`'s order. */
  deleteWhere(evicted: (read: PointRead, index: number) => boolean): void {
    let index = 0;
    // Deleting the entry being visited is safe: a Map iterator moves on to the next live entry.
    for (const [key, read] of this.reads) if (evicted(read, index++)) this.reads.delete(key);
  }

  /** The keys and entries, in key order (for tests and verification). O(n log n). */
  sorted(): [string, PointRead][] {
    return [...this.reads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

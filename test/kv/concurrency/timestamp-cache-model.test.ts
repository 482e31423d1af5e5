/**
 * The timestamp cache (its B+tree of intervals and its hash map of points) against the
 * sorted-array implementation it replaced, kept in bench/_array-timestamp-cache.ts as the
 * reference model (and the benchmark's reference): the same seeded stream of adds, getMax and
 * setLowWater goes to both, and every answer must agree. The model never evicts by itself: it
 * follows the cache's low-water mark, raised to the cache's eviction floor whenever the cache
 * evicts — the cache holds points and intervals apart, so its entry count (which decides when it
 * evicts) differs from the model's, but at the same floor every answer must be the same. The
 * cache must stay within `spansMax`, and an eviction must leave at most three quarters. Small
 * fan-outs make a few thousand reads split, borrow and merge nodes at every level; small
 * `spansMax` makes eviction run often. Timestamps come from a narrow band, so ties between
 * transactions (and the tie rule) are frequent.
 */
import { describe, expect, it } from 'vitest';
import { timestamp, type Timestamp } from '../../../clock/timestamp.js';
import { txnId, type TxnId } from '../../../src/base/ids.js';
import { SeededRandom } from '../../../src/env/random.js';
import { compareKeys } from '../../../kv/storage/engine.js';
import { TimestampCache, type Span, type TimestampCacheValue } from '../../../kv/concurrency/index.js';
import { ArrayTimestampCache } from '../../../bench/_array-timestamp-cache.js';

const txns: readonly (TxnId | undefined)[] = [txnId('a'.repeat(32)), txnId('b'.repeat(32)), txnId('c'.repeat(32)), undefined];

interface Workload {
  readonly seed: number;
  readonly ops: number;
  readonly spansMax: number;
  readonly nodeSlotsMax: number;
  /** Keys are 0–`keyLength` bytes drawn from `0…alphabet-1` (byte 0 makes `k\0` neighbours meet). */
  readonly keyLength: number;
  readonly alphabet: number;
  /** The share of range reads that span much of the keyspace. */
  readonly wideShare: number;
}

function randomKey(rng: SeededRandom, w: Workload): Uint8Array {
  // Mostly full-length keys (many distinct ones), some shorter (prefixes of others, and empty).
  const length = rng.float() < 0.7 ? w.keyLength : rng.int(w.keyLength + 1);
  const key = new Uint8Array(length);
  for (let i = 0; i < length; i++) key[i] = rng.int(w.alphabet);
  return key;
}

function randomSpan(rng: SeededRandom, w: Workload, pointShare: number): Span {
  const a = randomKey(rng, w);
  if (rng.float() < pointShare) return { start: a };
  let b: Uint8Array;
  if (rng.float() < w.wideShare) {
    // Now and then a wide one: a scan over part of the keyspace, or all of it (a lease start).
    b = rng.float() < 0.2 ? Uint8Array.of(w.alphabet) : randomKey(rng, w);
  } else if (a.length + 1 >= w.keyLength && rng.float() < 0.5) {
    b = Uint8Array.of(...a, rng.int(w.alphabet)); // a few keys under `a`: [a, a·x)
  } else if (a.length > 0) {
    b = a.slice();
    b[b.length - 1]! += 1 + rng.int(2); // a few neighbours of `a`
  } else {
    b = Uint8Array.of(0, 0); // the empty key is a point's neighbour only on the left
  }
  const order = compareKeys(a, b);
  if (order === 0) return { start: a };
  return order < 0 ? { start: a, end: b } : { start: b, end: a };
}

/** Drifting upwards with noise, in a band of ~16 wall ticks × 3 logical: ties are frequent. */
function randomTimestamp(rng: SeededRandom, step: number): Timestamp {
  return timestamp(BigInt(10 + Math.floor(step / 40) + rng.int(16)), rng.int(3));
}

function plain(v: TimestampCacheValue): string {
  return `${v.timestamp.wallNanos}.${v.timestamp.logical}/${v.txnId ?? 'none'}`;
}

function describeSpan(s: Span): string {
  return s.end === undefined ? `point ${Buffer.from(s.start).toString('hex')}` : `[${Buffer.from(s.start).toString('hex')}, ${Buffer.from(s.end).toString('hex')})`;
}

/** Runs the workload against both; returns how many entries the cache held at most. */
function run(w: Workload): number {
  const rng = new SeededRandom(w.seed);
  const cache = new TimestampCache(timestamp(10n), { spansMax: w.spansMax, nodeSlotsMax: w.nodeSlotsMax });
  const model = new ArrayTimestampCache(timestamp(10n), Number.MAX_SAFE_INTEGER);
  let sizeMax = 0;
  let evictions = 0;
  for (let step = 0; step < w.ops; step++) {
    const roll = rng.float();
    if (roll < 0.65) {
      const span = randomSpan(rng, w, 0.8);
      const ts = randomTimestamp(rng, step);
      const txn = txns[rng.int(txns.length)];
      const lowBefore = cache.lowWater;
      cache.add(span, ts, txn);
      model.add(span, ts, txn);
      if (cache.lowWater !== lowBefore) {
        evictions++;
        expect(cache.size, `step ${step}: size after eviction`).toBeLessThanOrEqual(Math.floor((w.spansMax * 3) / 4));
        model.setLowWater(cache.lowWater);
      }
    } else if (roll < 0.995) {
      const span = randomSpan(rng, w, 0.5);
      expect(plain(cache.getMax(span)), `step ${step}: getMax ${describeSpan(span)}`).toBe(plain(model.getMax(span)));
    } else {
      const ts = timestamp(model.lowWater.wallNanos + BigInt(rng.int(4)), rng.int(3));
      cache.setLowWater(ts);
      model.setLowWater(ts);
    }
    expect(plain({ timestamp: cache.lowWater, txnId: undefined }), `step ${step}: lowWater`).toBe(plain({ timestamp: model.lowWater, txnId: undefined }));
    expect(cache.size, `step ${step}: size`).toBeLessThanOrEqual(w.spansMax);
    sizeMax = Math.max(sizeMax, cache.size);
    if (step % 97 === 0) cache.verify();
  }
  cache.verify();
  if (w.spansMax < w.ops / 4) expect(evictions, 'eviction ran').toBeGreaterThan(0);
  return sizeMax;
}

describe('TimestampCache (B+tree) against the sorted-array model', () => {
  it('agrees on a deep tree of tiny nodes, without eviction', () => {
    for (const seed of [1, 2, 3]) {
      const sizeMax = run({ seed, ops: 4_000, spansMax: 1_000_000, nodeSlotsMax: 8, keyLength: 3, alphabet: 12, wideShare: 0.002 });
      // Enough entries for three levels of inner nodes at a fan-out of 8.
      expect(sizeMax).toBeGreaterThan(500);
    }
  });

  it('agrees while eviction raises the low-water mark often', () => {
    for (const seed of [4, 5, 6]) run({ seed, ops: 4_000, spansMax: 60, nodeSlotsMax: 8, keyLength: 3, alphabet: 12, wideShare: 0.02 });
    for (const seed of [7, 8]) run({ seed, ops: 3_000, spansMax: 3, nodeSlotsMax: 8, keyLength: 2, alphabet: 4, wideShare: 0.05 });
  });

  it('agrees at the default fan-out, with range reads wide enough to rebuild the tree', () => {
    for (const seed of [9, 10]) run({ seed, ops: 5_000, spansMax: 2_000, nodeSlotsMax: 64, keyLength: 4, alphabet: 8, wideShare: 0.01 });
  });

  it('agrees on sequential point reads (a load, then re-reads), splitting leaves at the right edge', () => {
    const cache = new TimestampCache(timestamp(1n), { spansMax: 3_000, nodeSlotsMax: 8 });
    const model = new ArrayTimestampCache(timestamp(1n), 3_000);
    const key = (i: number): Uint8Array => Uint8Array.of(i >>> 8, i & 0xff);
    for (let i = 0; i < 4_000; i++) {
      cache.add({ start: key(i) }, timestamp(BigInt(2 + i)), undefined);
      model.add({ start: key(i) }, timestamp(BigInt(2 + i)), undefined);
    }
    for (let i = 0; i < 4_000; i += 3) {
      cache.add({ start: key(i) }, timestamp(5_000n), txns[i % 3]);
      model.add({ start: key(i) }, timestamp(5_000n), txns[i % 3]);
    }
    cache.verify();
    expect(cache.size).toBe(model.size);
    expect(plain({ timestamp: cache.lowWater, txnId: undefined })).toBe(plain({ timestamp: model.lowWater, txnId: undefined }));
    for (let i = 0; i < 4_000; i += 7) {
      expect(plain(cache.getMax({ start: key(i) }))).toBe(plain(model.getMax({ start: key(i) })));
      expect(plain(cache.getMax({ start: key(i), end: key(i + 20) }))).toBe(plain(model.getMax({ start: key(i), end: key(i + 20) })));
    }
  });

  it('agrees on row spans read and read again (SQL point lookups as scans of a row)', () => {
    const cache = new TimestampCache(timestamp(1n), { spansMax: 1_500, nodeSlotsMax: 8 });
    const model = new ArrayTimestampCache(timestamp(1n), 1_500);
    const rng = new SeededRandom(12);
    // Row i spans [i, i·ff); rows 3j and 3j+1 are contiguous when their spans are [3j, 3j+1).
    const row = (i: number): Span => {
      const start = Uint8Array.of(i >>> 8, i & 0xff);
      return i % 3 === 0 ? { start, end: Uint8Array.of((i + 1) >>> 8, (i + 1) & 0xff) } : { start, end: Uint8Array.of(i >>> 8, i & 0xff, 0xff) };
    };
    for (let step = 0; step < 6_000; step++) {
      const span = row(rng.int(1_200));
      const ts = timestamp(BigInt(10 + (step >>> 4) + rng.int(3)));
      const txn = txns[rng.int(txns.length)];
      cache.add(span, ts, txn);
      model.add(span, ts, txn);
      expect(cache.size, `step ${step}: size`).toBe(model.size);
      const probe = row(rng.int(1_200));
      expect(plain(cache.getMax(probe)), `step ${step}: getMax`).toBe(plain(model.getMax(probe)));
      if (step % 211 === 0) cache.verify();
    }
    cache.verify();
  });
});

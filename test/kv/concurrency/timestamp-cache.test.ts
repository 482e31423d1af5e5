/**
 * The timestamp cache against a brute-force model (fast-check, fixed seeds). The model keeps
 * every `add`; since a key's value is the merge of the adds covering it and the merge is
 * associative and commutative, `getMax(q)` must equal the merge of every add that overlapped `q`
 * with `(lowWater, none)`. That holds exactly even after eviction (eviction only raises the
 * low-water mark), which is what makes eviction safe: answers never go down.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, timestamp, type Timestamp } from '../../../clock/timestamp.js';
import { txnId, type TxnId } from '../../../src/base/ids.js';
import { limits } from '../../../src/base/limits.js';
import { spansOverlap, TimestampCache, type Span, type TimestampCacheValue } from '../../../kv/concurrency/index.js';
import { selectKthNumber } from '../../../kv/concurrency/timestamp-cache.js';

const txnA = txnId('a'.repeat(32));
const txnB = txnId('b'.repeat(32));
const txns: readonly (TxnId | undefined)[] = [txnA, txnB, undefined];
const ts = (n: number): Timestamp => timestamp(BigInt(n));
const k = (text: string): Uint8Array => new TextEncoder().encode(text);
const point = (text: string): Span => ({ start: k(text) });
const range = (start: string, end: string): Span => ({ start: k(start), end: k(end) });

/** Keys over a 3-letter alphabet of length 0–3, so points, prefixes and `k\0` neighbours meet. */
const keyArb = fc.uint8Array({ minLength: 0, maxLength: 3, min: 0, max: 2 });
const spanArb: fc.Arbitrary<Span> = fc.tuple(keyArb, keyArb, fc.boolean()).map(([a, b, isPoint]) => {
  const order = Buffer.compare(a, b);
  if (isPoint || order === 0) return { start: a };
  return order < 0 ? { start: a, end: b } : { start: b, end: a };
});
const addArb = fc.record({
  kind: fc.constant('add' as const),
  span: spanArb,
  ts: fc.integer({ min: 0, max: 12 }),
  txn: fc.integer({ min: 0, max: 2 }),
});
const opArb = fc.oneof(
  { weight: 6, arbitrary: addArb },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), span: spanArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lowWater' as const), ts: fc.integer({ min: 0, max: 12 }) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

interface Read {
  readonly span: Span;
  readonly timestamp: Timestamp;
  readonly txnId: TxnId | undefined;
}

/** The merge of every recorded read overlapping `q`, on top of `(lowWater, none)`. */
function modelGetMax(reads: readonly Read[], lowWater: Timestamp, q: Span): TimestampCacheValue {
  let best: TimestampCacheValue = { timestamp: lowWater, txnId: undefined };
  for (const r of reads) {
    if (!spansOverlap(r.span, q)) continue;
    const order = compare(r.timestamp, best.timestamp);
    if (order > 0) best = { timestamp: r.timestamp, txnId: r.txnId };
    else if (order === 0 && best.txnId !== r.txnId) best = { timestamp: best.timestamp, txnId: undefined };
  }
  return best;
}

/** `a` is at least as conservative as `b`: higher, or equal with the same txn or none. */
function atLeast(a: TimestampCacheValue, b: TimestampCacheValue): boolean {
  const order = compare(a.timestamp, b.timestamp);
  return order > 0 || (order === 0 && (a.txnId === undefined || a.txnId === b.txnId));
}

function plain(v: TimestampCacheValue): { wall: bigint; logical: number; txnId: TxnId | undefined } {
  return { wall: v.timestamp.wallNanos, logical: v.timestamp.logical, txnId: v.txnId };
}

/** Runs `ops` against a cache of `spansMax` and the model; returns every answer pair. */
function run(ops: readonly Op[], spansMax: number): { cache: TimestampCache; reads: Read[] } {
  const cache = new TimestampCache(ts(1), { spansMax });
  const reads: Read[] = [];
  let modelLowWater = ts(1);
  for (const op of ops) {
    if (op.kind === 'add') {
      cache.add(op.span, ts(op.ts), txns[op.txn]);
      reads.push({ span: op.span, timestamp: ts(op.ts), txnId: txns[op.txn] });
    } else if (op.kind === 'lowWater') {
      cache.setLowWater(ts(op.ts));
      if (compare(ts(op.ts), modelLowWater) > 0) modelLowWater = ts(op.ts);
    } else {
      expect(plain(cache.getMax(op.span))).toEqual(plain(modelGetMax(reads, cache.lowWater, op.span)));
    }
    expect(compare(cache.lowWater, modelLowWater)).toBeGreaterThanOrEqual(0);
    expect(cache.size).toBeLessThanOrEqual(spansMax);
  }
  return { cache, reads };
}

describe('TimestampCache against a brute-force model', () => {
  it('answers exactly as the merge of overlapping reads over the low-water mark', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 80 }), (ops) => {
        const { cache } = run(ops, 10_000);
        // Without eviction the low-water mark moved only by setLowWater.
        const expected = ops.reduce((m, op) => (op.kind === 'lowWater' && op.ts > m ? op.ts : m), 1);
        expect(cache.lowWater.wallNanos).toBe(BigInt(expected));
      }),
      { seed: 20261126, numRuns: 400 },
    );
  });

  it('stays exact above the raised low-water mark when eviction runs (tiny spansMax)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 20, maxLength: 80 }), fc.integer({ min: 1, max: 6 }), (ops, spansMax) => {
        run(ops, spansMax);
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  it('never answers lower after eviction than a cache that evicts nothing', () => {
    fc.assert(
      fc.property(fc.array(addArb, { minLength: 10, maxLength: 60 }), fc.array(spanArb, { minLength: 1, maxLength: 10 }), (adds, queries) => {
        const small = new TimestampCache(ts(1), { spansMax: 3 });
        const big = new TimestampCache(ts(1), { spansMax: 10_000 });
        for (const op of adds) {
          small.add(op.span, ts(op.ts), txns[op.txn]);
          big.add(op.span, ts(op.ts), txns[op.txn]);
          for (const q of queries) expect(atLeast(small.getMax(q), big.getMax(q))).toBe(true);
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('answers for a fixed span never go down as reads are added', () => {
    fc.assert(
      fc.property(fc.array(addArb, { minLength: 10, maxLength: 60 }), spanArb, fc.integer({ min: 1, max: 5 }), (adds, q, spansMax) => {
        const cache = new TimestampCache(ts(1), { spansMax });
        let previous = cache.getMax(q);
        for (const op of adds) {
          cache.add(op.span, ts(op.ts), txns[op.txn]);
          const now = cache.getMax(q);
          expect(compare(now.timestamp, previous.timestamp)).toBeGreaterThanOrEqual(0);
          previous = now;
        }
      }),
      { seed: 99, numRuns: 300 },
    );
  });
});

describe('TimestampCache low-water mark', () => {
  it('reads every key as the low-water mark, with no txn, until something is added', () => {
    const cache = new TimestampCache(ts(5));
    expect(plain(cache.getMax(point('a')))).toEqual({ wall: 5n, logical: 0, txnId: undefined });
    expect(plain(cache.getMax(range('', 'zzz')))).toEqual({ wall: 5n, logical: 0, txnId: undefined });
  });

  it('ignores reads at or below the low-water mark', () => {
    const cache = new TimestampCache(ts(5));
    cache.add(point('a'), ts(3), txnA);
    cache.add(point('a'), ts(5), txnA);
    expect(cache.size).toBe(0);
    expect(plain(cache.getMax(point('a')))).toEqual({ wall: 5n, logical: 0, txnId: undefined });
  });

  it('only raises the low-water mark and drops the entries it covers', () => {
    const cache = new TimestampCache(ts(5));
    cache.add(point('a'), ts(7), txnA);
    cache.add(point('b'), ts(9), txnB);
    cache.setLowWater(ts(3));
    expect(cache.lowWater.wallNanos).toBe(5n);
    cache.setLowWater(ts(7));
    expect(cache.size).toBe(1);
    expect(plain(cache.getMax(point('a')))).toEqual({ wall: 7n, logical: 0, txnId: undefined });
    expect(plain(cache.getMax(point('b')))).toEqual({ wall: 9n, logical: 0, txnId: txnB });
  });

  it('evicts the lowest entries by raising the low-water mark over them', () => {
    const cache = new TimestampCache(ts(1), { spansMax: 4 });
    for (let i = 0; i < 5; i++) cache.add(point(String.fromCharCode(0x61 + i)), ts(10 + i), txnA);
    // 5 > 4: keep three quarters (3), so the floor rises to @11 and drops @10 and @11.
    expect(cache.size).toBe(3);
    expect(cache.lowWater.wallNanos).toBe(11n);
    expect(plain(cache.getMax(point('a')))).toEqual({ wall: 11n, logical: 0, txnId: undefined });
    expect(plain(cache.getMax(point('e')))).toEqual({ wall: 14n, logical: 0, txnId: txnA });
  });

  it('evicts to the exact order statistic when wall times round to one double or differ only in logical ticks', () => {
    // Today's wall times (~1.8e18 ns) are doubles of 256 ns granularity: walls 2^60 + 0…255 all
    // round alike, so the selection over doubles ties and the exact order must decide.
    const base = 1n << 60n;
    const stamps = Array.from({ length: 41 }, (_, i) => timestamp(base + BigInt(i % 7) * 37n, (i * 13) % 5));
    const cache = new TimestampCache(timestamp(base - 1n), { spansMax: 40 });
    stamps.forEach((stamp, i) => cache.add(point(`k${String(i).padStart(3, '0')}`), stamp, txnA));
    const sorted = [...stamps].sort(compare);
    const keep = 30; // three quarters of 40
    const floor = sorted[stamps.length - keep - 1]!;
    expect(plain({ timestamp: cache.lowWater, txnId: undefined })).toEqual({ wall: floor.wallNanos, logical: floor.logical, txnId: undefined });
    expect(cache.size).toBe(stamps.filter((stamp) => compare(stamp, floor) > 0).length);
    expect(cache.size).toBeLessThanOrEqual(keep);
    stamps.forEach((stamp, i) => {
      const answer = cache.getMax(point(`k${String(i).padStart(3, '0')}`));
      // Survivors answer exactly; the evicted ones the floor, never lower than their read.
      if (compare(stamp, floor) > 0) expect(plain(answer)).toEqual({ wall: stamp.wallNanos, logical: stamp.logical, txnId: txnA });
      else expect(plain(answer)).toEqual({ wall: floor.wallNanos, logical: floor.logical, txnId: undefined });
    });
    cache.verify();
  });

  it('evicts exactly among timestamps on both sides of a double rounding boundary', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 3 })), { minLength: 9, maxLength: 60 }), (raw) => {
        const base = (1n << 61n) - 300n; // walls straddle 2^61, where the doubles' spacing doubles
        const stamps = raw.map(([wall, logical]) => timestamp(base + BigInt(wall), logical));
        const cache = new TimestampCache(timestamp(base - 1n), { spansMax: 8 });
        const held: Timestamp[] = [];
        stamps.forEach((stamp, i) => {
          cache.add(point(`k${String(i).padStart(3, '0')}`), stamp, undefined);
          held.push(stamp);
          const low = cache.lowWater;
          // Whatever the cache keeps is exact; what it dropped reads as the floor, at or above its read.
          held.forEach((read, j) => {
            const answer = cache.getMax(point(`k${String(j).padStart(3, '0')}`)).timestamp;
            expect(compare(answer, read) === 0 || (compare(read, low) <= 0 && compare(answer, low) === 0)).toBe(true);
          });
          expect(cache.size).toBeLessThanOrEqual(8);
          expect(cache.size).toBe(held.filter((read) => compare(read, low) > 0).length);
        });
        cache.verify();
      }),
      { numRuns: 200 },
    );
  });

  it('defaults its bound to limits.timestampCacheSpansMax', () => {
    const cache = new TimestampCache(ts(1));
    const n = limits.timestampCacheSpansMax + 1;
    for (let i = 0; i < n; i++) cache.add(point(`k${String(i).padStart(6, '0')}`), ts(10 + i), undefined);
    expect(cache.size).toBeLessThanOrEqual(limits.timestampCacheSpansMax);
    expect(cache.getMax(point(`k${String(n - 1).padStart(6, '0')}`)).timestamp.wallNanos).toBe(BigInt(10 + n - 1));
  });
});

describe('TimestampCache txn attribution', () => {
  it('reports the txn holding the max alone', () => {
    const cache = new TimestampCache(ts(1));
    cache.add(range('a', 'c'), ts(10), txnA);
    cache.add(point('b'), ts(8), txnB);
    expect(cache.getMax(range('a', 'd')).txnId).toBe(txnA);
    expect(cache.getMax(point('b')).txnId).toBe(txnA);
  });

  it('keeps the txn when the same txn reads again at the same timestamp', () => {
    const cache = new TimestampCache(ts(1));
    cache.add(range('a', 'c'), ts(10), txnA);
    cache.add(range('b', 'd'), ts(10), txnA);
    expect(plain(cache.getMax(range('a', 'd')))).toEqual({ wall: 10n, logical: 0, txnId: txnA });
  });

  it('reports none for a tie between different txns, on one key or across keys', () => {
    const cache = new TimestampCache(ts(1));
    cache.add(point('a'), ts(10), txnA);
    cache.add(point('a'), ts(10), txnB);
    cache.add(point('x'), ts(20), txnA);
    cache.add(point('y'), ts(20), txnB);
    expect(cache.getMax(point('a')).txnId).toBeUndefined();
    expect(cache.getMax(point('x')).txnId).toBe(txnA);
    expect(cache.getMax(range('x', 'z')).txnId).toBeUndefined();
  });

  it('reports none for a tie with a non-transactional read', () => {
    const cache = new TimestampCache(ts(1));
    cache.add(point('a'), ts(10), txnA);
    cache.add(range('a', 'b'), ts(10), undefined);
    expect(plain(cache.getMax(point('a')))).toEqual({ wall: 10n, logical: 0, txnId: undefined });
  });

  it('a higher read replaces the txn; a lower read changes nothing', () => {
    const cache = new TimestampCache(ts(1));
    cache.add(point('a'), ts(10), undefined);
    cache.add(point('a'), ts(12), txnB);
    cache.add(point('a'), ts(11), txnA);
    expect(plain(cache.getMax(point('a')))).toEqual({ wall: 12n, logical: 0, txnId: txnB });
  });

  it('treats a point key k as [k, k\\0): it does not cover k\\0 or longer keys', () => {
    const cache = new TimestampCache(ts(1));
    cache.add(point('a'), ts(10), txnA);
    expect(cache.getMax({ start: Uint8Array.of(0x61, 0) }).timestamp.wallNanos).toBe(1n);
    expect(cache.getMax(point('ab')).timestamp.wallNanos).toBe(1n);
    expect(cache.getMax({ start: k(''), end: Uint8Array.of(0x61, 0) }).timestamp.wallNanos).toBe(10n);
  });

  it('a point is one key however it is spelled: {k} and [k, k\\0) join on the same entry', () => {
    const cache = new TimestampCache(ts(1));
    cache.add(point('a'), ts(10), txnA);
    cache.add({ start: k('a'), end: Uint8Array.of(0x61, 0) }, ts(10), txnB);
    expect(plain(cache.getMax(point('a')))).toEqual({ wall: 10n, logical: 0, txnId: undefined });
    expect(cache.size).toBe(1);
    cache.add({ start: k('b'), end: Uint8Array.of(0x62, 0) }, ts(11), txnA);
    expect(plain(cache.getMax(point('b')))).toEqual({ wall: 11n, logical: 0, txnId: txnA });
  });

  it('orders point keys bytewise in span lookups, bytes 0x80–0xff and prefixes included', () => {
    // Points live in a hash map keyed by latin1 strings: a span's lookup compares those strings,
    // which must order exactly as the bytes do (high bytes above low ones, a prefix first).
    const keys = [[], [0], [0, 0], [0x7f], [0x80], [0x80, 0], [0x80, 0xff], [0xc3, 0xa9], [0xfe], [0xff], [0xff, 0], [0xff, 0xff, 0xff]].map((bytes) => Uint8Array.from(bytes));
    const cache = new TimestampCache(ts(1));
    keys.forEach((key, i) => cache.add({ start: key }, ts(10 + i), i % 2 === 0 ? txnA : txnB));
    for (const start of keys) {
      for (const end of [...keys, Uint8Array.of(0xff, 0xff, 0xff, 0xff)]) {
        if (Buffer.compare(start, end) >= 0) continue;
        let expected = -1;
        keys.forEach((key, i) => {
          if (Buffer.compare(start, key) <= 0 && Buffer.compare(key, end) < 0) expected = i;
        });
        const answer = cache.getMax({ start, end });
        const where = `[${Buffer.from(start).toString('hex')}, ${Buffer.from(end).toString('hex')})`;
        expect(answer.timestamp.wallNanos, where).toBe(expected < 0 ? 1n : BigInt(10 + expected));
        expect(answer.txnId, where).toBe(expected < 0 ? undefined : expected % 2 === 0 ? txnA : txnB);
      }
    }
  });

  it('finds every key among long keys of mixed lengths (the leaves\' and inner nodes\' packed keys grow, split and merge)', () => {
    // Keys of 1–300 bytes sharing long prefixes, in a scrambled order: each leaf's packed copy
    // outgrows its first capacity, splits, and (after removals by coalescing reads) is rebuilt.
    const cache = new TimestampCache(ts(1), { nodeSlotsMax: 16 });
    const keyOf = (i: number): Uint8Array => {
      const key = new Uint8Array(1 + ((i * 37) % 300));
      key.fill(0x70);
      key[key.length - 1] = i % 251;
      return key;
    };
    const n = 1_500;
    const expected = new Map<string, number>();
    for (let j = 0; j < n; j++) {
      const i = (j * 7919) % n;
      const key = keyOf(i);
      cache.add({ start: key }, ts(10 + i), undefined);
      expected.set(Buffer.from(key).toString('hex'), Math.max(expected.get(Buffer.from(key).toString('hex')) ?? 0, 10 + i));
      if (j % 100 === 0) cache.verify();
    }
    cache.verify();
    for (const [hex, wall] of expected) expect(cache.getMax({ start: Buffer.from(hex, 'hex') }).timestamp.wallNanos).toBe(BigInt(wall));
    // A wide read over half of them coalesces and removes entries across leaves.
    cache.add({ start: Uint8Array.of(0x70), end: Uint8Array.of(0x70, 0x70, 0x71) }, ts(5_000), undefined);
    cache.verify();
    for (const [hex, wall] of expected) {
      const key = Buffer.from(hex, 'hex');
      const covered = Buffer.compare(key, Buffer.from([0x70])) >= 0 && Buffer.compare(key, Buffer.from([0x70, 0x70, 0x71])) < 0;
      expect(cache.getMax({ start: key }).timestamp.wallNanos).toBe(BigInt(covered ? 5_000 : wall));
    }
  });
});

describe('selectKthNumber (the selection of the eviction floor)', () => {
  it('finds the k-th smallest of any array: duplicates, sorted and reversed runs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 300 }), fc.nat(), fc.constantFrom('as is', 'sorted', 'reversed'), (raw, pick, order) => {
        const values = order === 'as is' ? raw : [...raw].sort((a, b) => (order === 'sorted' ? a - b : b - a));
        const k = pick % values.length;
        expect(selectKthNumber(Float64Array.from(values), k)).toBe([...values].sort((a, b) => a - b)[k]);
      }),
    );
  });
});

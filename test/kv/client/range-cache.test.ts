/**
 * `RangeCache`: lookups through meta and hits after, single-flight misses, the generation rule
 * on insert and evict, and the least-recently-used bound.
 */
import { describe, expect, it } from 'vitest';
import { nodeId, rangeId, replicaId, storeId } from '../../../src/base/ids.js';
import { keyMax, rangeDescriptor, type RangeDescriptor, type RKey } from '../../../kv/api/index.js';
import { RangeCache } from '../../../kv/client/index.js';
import { enc, FakeCluster } from './fake-cluster.js';

const key = (text: string): RKey => enc(text) as RKey;
const desc = (id: number, start: string, end: string | undefined, generation: number): RangeDescriptor =>
  rangeDescriptor({
    rangeId: rangeId(id),
    startKey: enc(start) as RKey,
    endKey: (end === undefined ? keyMax : enc(end)) as RKey,
    replicas: [{ nodeId: nodeId(1), storeId: storeId(1), replicaId: replicaId(1), type: 'voter' }],
    nextReplicaId: replicaId(2),
    generation,
  });
const noLookup = (): Promise<RangeDescriptor> => Promise.reject(new Error('unexpected lookup'));

describe('RangeCache', () => {
  it('looks a key up through meta once, then answers from the cache by end key', async () => {
    const cluster = new FakeCluster(['c', 'f']);
    const cache = new RangeCache(cluster.rangeLookup);
    expect((await cache.lookup(key('d'))).rangeId).toBe(2);
    expect((await cache.lookup(key('c'))).rangeId).toBe(2); // start key is inclusive
    expect((await cache.lookup(key('e\xff'))).rangeId).toBe(2);
    expect(cluster.lookups).toBe(1);
    expect((await cache.lookup(key('f'))).rangeId).toBe(3); // end key is exclusive
    expect(cluster.lookups).toBe(2);
    expect(cache.cached(key('a'))).toBeUndefined(); // a gap before the first cached range
  });

  it('coalesces concurrent lookups of one key into one meta read (single flight)', async () => {
    const cluster = new FakeCluster(['c', 'f']);
    const cache = new RangeCache(cluster.rangeLookup);
    const all = await Promise.all([1, 2, 3, 4, 5].map(() => cache.lookup(key('d'))));
    expect(cluster.lookups).toBe(1);
    expect(new Set(all).size).toBe(1);
    await Promise.all([cache.lookup(key('a')), cache.lookup(key('g')), cache.lookup(key('g'))]);
    expect(cluster.lookups).toBe(3);
  });

  it('shares a failed lookup and retries it afresh afterwards', async () => {
    let calls = 0;
    const cache = new RangeCache(async () => {
      calls += 1;
      await Promise.resolve();
      if (calls === 1) throw new Error('meta unavailable');
      return desc(1, 'a', undefined, 0);
    });
    const results = await Promise.allSettled([cache.lookup(key('b')), cache.lookup(key('b'))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((await cache.lookup(key('b'))).rangeId).toBe(1);
    expect(calls).toBe(2);
  });

  it('replaces overlapping entries with a newer generation, never with an older one', () => {
    const cache = new RangeCache(noLookup);
    cache.insert([desc(1, 'a', 'm', 1), desc(2, 'm', undefined, 1)]);
    cache.insert([desc(1, 'a', undefined, 0)]); // stale pre-split descriptor
    expect(cache.cached(key('p'))?.rangeId).toBe(2);
    expect(cache.cached(key('c'))?.endKey).toEqual(enc('m'));
    cache.insert([desc(1, 'a', undefined, 2)]); // the merge of both halves
    expect(cache.size).toBe(1);
    expect(cache.cached(key('p'))?.rangeId).toBe(1);
  });

  it('prefers a newer descriptor inserted while a lookup was in flight over the stale answer', async () => {
    let answer: (desc: RangeDescriptor) => void = () => undefined;
    const cache = new RangeCache(() => new Promise<RangeDescriptor>((resolve) => (answer = resolve)));
    const pending = cache.lookup(key('c'));
    cache.insert([desc(1, 'a', 'm', 1)]);
    answer(desc(1, 'a', undefined, 0));
    const found = await pending;
    expect([found.generation, found.endKey]).toEqual([1, enc('m')]);
    expect(cache.size).toBe(1);
  });

  it('evicts only the descriptor the caller saw, not a newer one', () => {
    const cache = new RangeCache(noLookup);
    cache.insert([desc(1, 'a', 'm', 1)]);
    expect(cache.evict(desc(1, 'a', undefined, 0))).toBe(false);
    expect(cache.evict(desc(1, 'a', 'm', 1))).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('holds at most entriesMax descriptors, evicting the least recently used', () => {
    const cache = new RangeCache(noLookup, { entriesMax: 3 });
    cache.insert([desc(1, 'a', 'b', 0), desc(2, 'b', 'c', 0), desc(3, 'c', 'd', 0)]);
    expect(cache.cached(key('a'))?.rangeId).toBe(1); // r1 is now the most recently used
    cache.insert([desc(4, 'd', 'e', 0)]);
    expect(cache.size).toBe(3);
    expect(cache.cached(key('b'))).toBeUndefined(); // r2 was the least recently used
    expect(cache.cached(key('a'))?.rangeId).toBe(1);
    cache.insert([desc(5, 'e', 'f', 0), desc(6, 'f', 'g', 0), desc(7, 'g', 'h', 0)]);
    expect(cache.size).toBe(3);
    expect(['e', 'f', 'g'].map((k) => cache.cached(key(k))?.rangeId)).toEqual([5, 6, 7]);
  });
});

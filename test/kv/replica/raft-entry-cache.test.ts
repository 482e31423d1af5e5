/**
 * `RaftEntryCache` against a model: after any sequence of appends (overwriting suffixes),
 * truncations and clears, the cache holds a contiguous run ending at the model's last index,
 * with exactly the model's entries, within its byte bound, and never more than it must drop.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RaftEntryCache } from '../../../kv/replica/raft-entry-cache.js';
import { entrySize, type Entry } from '../../../kv/raft/index.js';

const entry = (index: number, term: number, size = 6): Entry => ({ index, term, type: 'normal', data: new Uint8Array(size) });

describe('RaftEntryCache', () => {
  it('keeps the newest entries within its bound and replaces a conflicting suffix', () => {
    const cache = new RaftEntryCache(100); // 30 bytes an entry: 3 fit
    cache.append([entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)]);
    expect(cache.firstIndex()).toBe(2);
    expect(cache.size).toBe(3);
    expect(cache.byteSize).toBe(90);
    expect(cache.get(1)).toBeUndefined();
    cache.append([entry(3, 2)]);
    expect(cache.get(3)!.term).toBe(2);
    expect(cache.get(4)).toBeUndefined();
    expect(cache.byteSize).toBe(60);
    cache.truncateThrough(2);
    expect(cache.firstIndex()).toBe(3);
    cache.append([entry(9, 3)]); // a gap: the cache restarts
    expect(cache.firstIndex()).toBe(9);
    expect(cache.size).toBe(1);
    cache.append([entry(10, 3, 200)]); // larger than the bound alone
    expect(cache.size).toBe(0);
    expect(cache.byteSize).toBe(0);
  });

  it('matches a model log under random operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), back: fc.nat(4), count: fc.integer({ min: 1, max: 5 }), size: fc.nat(40) }),
      fc.record({ kind: fc.constant('truncate' as const), back: fc.nat(6) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 300 }), (ops, bound) => {
        const cache = new RaftEntryCache(bound);
        let model: Entry[] = [];
        let term = 1;
        for (const o of ops) {
          let appendedFrom: number | undefined;
          const last = model.length === 0 ? 0 : model[model.length - 1]!.index;
          const first = model.length === 0 ? last + 1 : model[0]!.index;
          if (o.kind === 'append') {
            term++;
            const from = Math.max(first, last + 1 - o.back);
            appendedFrom = from;
            const appended = Array.from({ length: o.count }, (_, i) => entry(from + i, term, o.size));
            model = [...model.filter((e) => e.index < from), ...appended];
            cache.append(appended);
          } else {
            const through = last - o.back;
            model = model.filter((e) => e.index > through);
            cache.truncateThrough(through);
          }
          expect(cache.byteSize).toBeLessThanOrEqual(bound);
          const cachedFirst = cache.firstIndex();
          if (cachedFirst === undefined) continue;
          const cached = model.filter((e) => e.index >= cachedFirst);
          expect(cached.length).toBe(cache.size);
          expect(cache.byteSize).toBe(cached.reduce((s, e) => s + entrySize(e), 0));
          for (const e of cached) expect(cache.get(e.index)).toBe(e);
          // An append that evicted some of its own entries evicted no more than needed.
          if (appendedFrom !== undefined && cachedFirst > appendedFrom) {
            const before = model.find((e) => e.index === cachedFirst - 1)!;
            expect(cache.byteSize + entrySize(before)).toBeGreaterThan(bound);
          }
        }
      }),
    );
  });
});

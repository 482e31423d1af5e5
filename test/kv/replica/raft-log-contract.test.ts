/**
 * The `LogStorage` contract, run against `MemoryStorage` (the reference the Raft core's tests
 * use) and against `RaftLogStorage` on MemoryEngine and LevelEngine — with the default cache,
 * with no cache at all (every read is an engine point read), with a tiny cache, and reopened
 * from the engine after every write. Then a model check: random operations applied to
 * `MemoryStorage` and to `RaftLogStorage` leave them observably identical.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LogCompactedError, SnapshotOutOfDateError, emptyHardState, entrySize } from '../../../kv/raft/index.js';
import { LevelEngine } from '../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { AssertionError } from '../../../src/base/assert.js';
import { tempDir } from '../../support/tmp.js';
import { EngineSubject, MemorySubject, applyOp, entries, entry, observe, opArb, snapshotAt, type LogSubject } from './raft-log-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function levelEngine(): Promise<LevelEngine> {
  const dir = tempDir('raft-log');
  const engine = await LevelEngine.open(dir.path);
  cleanups.push(dir.remove, () => engine.close());
  return engine;
}

const subjects: [string, () => Promise<LogSubject>][] = [
  ['MemoryStorage', () => Promise.resolve(new MemorySubject())],
  ['RaftLogStorage on MemoryEngine', () => EngineSubject.open(new MemoryEngine())],
  ['RaftLogStorage on MemoryEngine, no cache', () => EngineSubject.open(new MemoryEngine(), { cacheBytesMax: 0 })],
  ['RaftLogStorage on MemoryEngine, reopened after every write', () => EngineSubject.open(new MemoryEngine(), { cacheBytesMax: 80, reopenAfterWrite: true })],
  ['RaftLogStorage on LevelEngine, 2-entry cache', async () => EngineSubject.open(await levelEngine(), { cacheBytesMax: 80 })],
];

const terms = (s: LogSubject, from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => s.storage.term(from + i));
const indexes = (s: LogSubject, lo: number, hi: number, maxBytes = Infinity): number[] => s.storage.entries(lo, hi, maxBytes).map((e) => e.index);

describe.each(subjects)('LogStorage contract: %s', (_name, make) => {
  it('starts empty: first index 1, last index 0, term(0) = 0, empty hard state', async () => {
    const s = await make();
    expect([s.storage.firstIndex(), s.storage.lastIndex(), s.storage.term(0)]).toEqual([1, 0, 0]);
    expect(s.storage.entries(1, 1, 100)).toEqual([]);
    expect(s.storage.initialState().hardState).toEqual(emptyHardState);
  });

  it('appends entries and answers their terms and data', async () => {
    const s = await make();
    await s.append(entries(1, [1, 1, 2, 2, 3]));
    expect(s.storage.lastIndex()).toBe(5);
    expect(terms(s, 0, 5)).toEqual([0, 1, 1, 2, 2, 3]);
    expect(indexes(s, 2, 5)).toEqual([2, 3, 4]);
    expect(new TextDecoder().decode(s.storage.entries(4, 5, 0)[0]!.data)).toBe('e4@2');
    expect(() => s.storage.term(6)).toThrow(AssertionError);
    expect(() => s.storage.entries(1, 7, 100)).toThrow(AssertionError);
  });

  it('limits entries by maxBytes, returning at least one', async () => {
    const s = await make();
    await s.append(entries(1, [1, 1, 1, 1]));
    const size = entrySize(entry(1, 1)); // every entry here has the same size
    expect(indexes(s, 1, 5, 2 * size)).toEqual([1, 2]);
    expect(indexes(s, 1, 5, 2 * size - 1)).toEqual([1]);
    expect(indexes(s, 2, 5, 0)).toEqual([2]);
    expect(indexes(s, 1, 5, 4 * size)).toEqual([1, 2, 3, 4]);
  });

  it('replaces a conflicting suffix', async () => {
    const s = await make();
    await s.append(entries(1, [1, 1, 1, 1, 1]));
    await s.append(entries(3, [2, 2]));
    expect(s.storage.lastIndex()).toBe(4);
    expect(terms(s, 1, 4)).toEqual([1, 1, 2, 2]);
    expect(new TextDecoder().decode(s.storage.entries(3, 4, 0)[0]!.data)).toBe('e3@2');
    await s.append(entries(2, [3]));
    expect(s.storage.lastIndex()).toBe(2);
    expect(terms(s, 1, 2)).toEqual([1, 3]);
    await s.append(entries(3, [3, 3, 3]));
    expect(terms(s, 1, 5)).toEqual([1, 3, 3, 3, 3]);
  });

  it('refuses an append that would leave a gap', async () => {
    const s = await make();
    await s.append(entries(1, [1, 1]));
    await expect(s.append(entries(4, [1]))).rejects.toThrow(AssertionError);
  });

  it('compacts: the boundary keeps its term, below it LogCompactedError', async () => {
    const s = await make();
    await s.append(entries(1, [1, 1, 2, 2, 3]));
    await s.compact(3);
    expect([s.storage.firstIndex(), s.storage.lastIndex(), s.storage.term(3)]).toEqual([4, 5, 2]);
    expect(() => s.storage.term(2)).toThrow(LogCompactedError);
    expect(() => s.storage.entries(3, 5, 100)).toThrow(LogCompactedError);
    expect(indexes(s, 4, 6)).toEqual([4, 5]);
    await expect(s.compact(3)).rejects.toThrow(LogCompactedError);
    await expect(s.compact(2)).rejects.toThrow(LogCompactedError);
    expect(s.storage.firstIndex()).toBe(4);
  });

  it('compacts up to the last index and keeps appending after it', async () => {
    const s = await make();
    await s.append(entries(1, [1, 2, 3]));
    await s.compact(3);
    expect([s.storage.firstIndex(), s.storage.lastIndex(), s.storage.term(3)]).toEqual([4, 3, 3]);
    expect(s.storage.entries(4, 4, 100)).toEqual([]);
    await s.append(entries(2, [9, 9, 4, 4])); // 2 and 3 are below the first index: skipped
    expect(s.storage.lastIndex()).toBe(5);
    expect(terms(s, 3, 5)).toEqual([3, 4, 4]);
  });

  it('installs a snapshot: the log restarts after it, older snapshots are refused', async () => {
    const s = await make();
    await s.append(entries(1, [1, 1, 2]));
    await s.applySnapshot(snapshotAt(10, 4, [1, 2]));
    expect([s.storage.firstIndex(), s.storage.lastIndex(), s.storage.term(10)]).toEqual([11, 10, 4]);
    expect(() => s.storage.term(3)).toThrow(LogCompactedError);
    expect(() => s.storage.entries(10, 11, 100)).toThrow(LogCompactedError);
    expect(s.storage.initialState().confState.voters).toEqual([1, 2]);
    await s.append(entries(11, [4, 5]));
    expect(terms(s, 10, 12)).toEqual([4, 4, 5]);
    await expect(s.applySnapshot(snapshotAt(8, 4))).rejects.toThrow(SnapshotOutOfDateError);
    expect(s.storage.lastIndex()).toBe(12);
    await s.applySnapshot(snapshotAt(11, 4, [1, 2, 3])); // inside the log: the log is discarded
    expect([s.storage.firstIndex(), s.storage.lastIndex(), s.storage.term(11)]).toEqual([12, 11, 4]);
    expect(s.storage.initialState().confState.voters).toEqual([1, 2, 3]);
  });

  it('keeps the hard state', async () => {
    const s = await make();
    await s.append(entries(1, [1, 2]));
    await s.setHardState({ term: 2, vote: 3, commit: 2 });
    expect(s.storage.initialState().hardState).toEqual({ term: 2, vote: 3, commit: 2 });
  });
});

describe('RaftLogStorage against the MemoryStorage model', () => {
  it('is observably identical after any sequence of appends, compactions, snapshots and hard states', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 600 }), async (ops, cacheBytesMax) => {
        const all: LogSubject[] = [
          new MemorySubject(),
          await EngineSubject.open(new MemoryEngine(), { cacheBytesMax }),
          await EngineSubject.open(new MemoryEngine(), { cacheBytesMax, reopenAfterWrite: true }),
        ];
        const term = { value: 1 };
        for (const op of ops) {
          await applyOp(op, all, term);
          const expected = observe(all[0]!.storage);
          for (const s of all.slice(1)) expect(observe(s.storage)).toEqual(expected);
        }
        for (const s of all.slice(1)) expect((s as EngineSubject).storage.cacheStats().bytes).toBeLessThanOrEqual(cacheBytesMax);
      }),
      { numRuns: 150 },
    );
  });
});

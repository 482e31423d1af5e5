/**
 * What `RaftLogStorage` adds to the `LogStorage` contract: staged writes that become visible only
 * once their batch commits, several ranges in one group commit without interfering, the cache
 * bound with reads below it served by the engine, persistence across close and reopen, crashes
 * that keep exactly the synced prefix, and corrupt persisted state refused at open.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { prefixEnd } from '../../../kv/api/span.js';
import { keyMax, raftHardStateKey, raftLogKey, raftLogPrefix, raftTruncatedStateKey } from '../../../kv/api/keyspace.js';
import { RaftLogStorage } from '../../../kv/replica/raft-log.js';
import { encodeEntry, encodeHardState } from '../../../kv/replica/raft-log-codec.js';
import { LogCompactedError, RawNode, emptyConfState, type Entry } from '../../../kv/raft/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import type { Engine } from '../../../kv/storage/engine.js';
import { LevelEngine } from '../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { AssertionError } from '../../../src/base/assert.js';
import { StorageError } from '../../../src/base/errors.js';
import { rangeId, type RangeId } from '../../../src/base/ids.js';
import { SeededRandom } from '../../../src/env/random.js';
import { tempDir } from '../../support/tmp.js';
import { EngineSubject, applyOp, entries, entry, observe, opArb, snapshotAt } from './raft-log-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const r1 = rangeId(1);
const r2 = rangeId(2);

function open(engine: Engine, id: RangeId, cacheBytesMax?: number, appliedIndex?: number): Promise<RaftLogStorage> {
  return RaftLogStorage.open({
    rangeId: id,
    engine,
    confState: () => ({ ...emptyConfState, voters: [id] }),
    snapshot: () => snapshotAt(id * 100, 1),
    ...(cacheBytesMax === undefined ? {} : { cacheBytesMax }),
    ...(appliedIndex === undefined ? {} : { appliedIndex }),
  });
}

async function commit(engine: Engine, batch: Batch, ...storages: RaftLogStorage[]): Promise<void> {
  await engine.commit(batch.ops, { sync: true });
  for (const storage of storages) storage.batchCommitted(batch);
}

/** Keys under a range's log prefix, as indexes. */
async function logKeys(engine: Engine, id: RangeId): Promise<number[]> {
  const iterator = engine.iterate({ lowerBound: raftLogPrefix(id), upperBound: prefixEnd(raftLogPrefix(id), keyMax) });
  const out: number[] = [];
  for (let kv = await iterator.next(); kv !== undefined; kv = await iterator.next()) out.push(Number(Buffer.from(kv.key.subarray(kv.key.length - 8)).readBigUInt64BE()));
  iterator.close();
  return out;
}

describe('RaftLogStorage', () => {
  it('keeps answering from the old state until the batch is committed and acknowledged', async () => {
    const engine = new MemoryEngine();
    const storage = await open(engine, r1);
    const batch = new Batch(engine);
    storage.appendToBatch(batch, entries(1, [1, 1, 2]));
    storage.setHardStateInBatch(batch, { term: 2, vote: 1, commit: 2 });
    storage.truncateInBatch(batch, 1, 1); // sees the staged append
    expect([storage.firstIndex(), storage.lastIndex(), storage.initialState().hardState.term]).toEqual([1, 0, 0]);
    await engine.commit(batch.ops, { sync: true });
    expect(storage.lastIndex()).toBe(0); // the engine is ahead until batchCommitted
    storage.batchCommitted(batch);
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(1), storage.term(3)]).toEqual([2, 3, 1, 2]);
    expect(storage.initialState().hardState).toEqual({ term: 2, vote: 1, commit: 2 });
    expect(await logKeys(engine, r1)).toEqual([2, 3]);
    expect(storage.truncatedState()).toEqual({ index: 1, term: 1 });
    expect(storage.cacheStats().entries).toBe(2); // the truncated entry left the cache too
  });

  it('stages into one batch at a time, and a typed refusal stages nothing', async () => {
    const engine = new MemoryEngine();
    const storage = await open(engine, r1);
    const first = new Batch(engine);
    storage.appendToBatch(first, entries(1, [1, 1]));
    expect(() => storage.appendToBatch(new Batch(engine), entries(3, [1]))).toThrow(AssertionError);
    expect(() => storage.batchCommitted(new Batch(engine))).toThrow(AssertionError);
    await commit(engine, first, storage);
    storage.batchCommitted(new Batch(engine)); // nothing staged: a no-op
    const refused = new Batch(engine);
    expect(() => storage.truncateInBatch(refused, 0, 0)).toThrow(LogCompactedError);
    expect(refused.count).toBe(0);
    const next = new Batch(engine); // the refused batch left nothing staged
    storage.truncateInBatch(next, 1, 1);
    await commit(engine, next, storage);
    expect(storage.firstIndex()).toBe(2);
  });

  it('asserts that a truncation names the term of its index', async () => {
    const engine = new MemoryEngine();
    const storage = await open(engine, r1);
    const batch = new Batch(engine);
    storage.appendToBatch(batch, entries(1, [1, 2]));
    await commit(engine, batch, storage);
    expect(() => storage.truncateInBatch(new Batch(engine), 2, 1)).toThrow(AssertionError);
  });

  it('keeps two ranges in one engine and one group commit apart', async () => {
    const engine = new MemoryEngine();
    const [one, two] = [await open(engine, r1), await open(engine, r2)];
    const batch = new Batch(engine);
    one.appendToBatch(batch, entries(1, [1, 1, 1, 1]));
    two.appendToBatch(batch, entries(1, [5, 5]));
    one.setHardStateInBatch(batch, { term: 1, vote: 1, commit: 3 });
    two.setHardStateInBatch(batch, { term: 5, vote: 2, commit: 1 });
    await commit(engine, batch, one, two);
    const second = new Batch(engine);
    one.truncateInBatch(second, 2, 1);
    two.applySnapshotInBatch(second, snapshotAt(9, 6));
    one.appendToBatch(second, entries(4, [2]));
    await commit(engine, second, one, two);
    expect(observe(one)).toMatchObject({ first: 3, last: 4, log: ['3@1:e3@1', '4@2:e4@2'], hardState: { term: 1, vote: 1, commit: 3 } });
    expect(observe(two)).toMatchObject({ first: 10, last: 9, boundaryTerm: 6, log: [], hardState: { term: 5, vote: 2, commit: 1 } });
    expect(await logKeys(engine, r1)).toEqual([3, 4]);
    expect(await logKeys(engine, r2)).toEqual([]);
    expect([one.cacheStats().entries, two.cacheStats().entries]).toEqual([2, 0]);
    expect(observe(await open(engine, r1))).toEqual(observe(one));
    expect(observe(await open(engine, r2))).toEqual(observe(two));
  });

  it('bounds the cache and reads older entries from the engine', async () => {
    const engine = new MemoryEngine();
    const storage = await open(engine, r1, 100);
    const batch = new Batch(engine);
    storage.appendToBatch(batch, entries(1, Array.from({ length: 20 }, () => 1)));
    await commit(engine, batch, storage);
    const stats = storage.cacheStats();
    expect(stats.bytes).toBeLessThanOrEqual(100);
    expect(stats.entries).toBeGreaterThan(0);
    expect(stats.entries).toBeLessThan(20);
    expect(storage.entries(1, 21, Infinity).map((e) => e.index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Remove entry 1 (not cached) and entry 20 (cached) behind the storage's back: only the
    // uncached one is missed, so reads below the cache really go to the engine.
    await engine.commit([{ kind: 'delete', key: raftLogKey(r1, 1) }, { kind: 'delete', key: raftLogKey(r1, 20) }], { sync: true });
    expect(() => storage.term(1)).toThrow(StorageError);
    expect(storage.term(20)).toBe(1);
    await expect(open(engine, r1, 100)).rejects.toThrow(StorageError); // open checks the first entry
  });

  it('persists across close and reopen of a LevelEngine', async () => {
    const dir = tempDir('raft-log');
    cleanups.push(dir.remove);
    let engine = await LevelEngine.open(dir.path);
    let storage = await open(engine, r1);
    const big: Entry = { index: 3, term: 2, type: 'confChange', data: new Uint8Array(70_000).fill(7) };
    const batch = new Batch(engine);
    storage.appendToBatch(batch, [...entries(1, [1, 2]), big, entry(4, 2)]);
    storage.setHardStateInBatch(batch, { term: 2, vote: 3, commit: 4 });
    await commit(engine, batch, storage);
    const truncation = new Batch(engine);
    storage.truncateInBatch(truncation, 1, 1);
    await commit(engine, truncation, storage);
    const before = observe(storage);
    await engine.close();
    engine = await LevelEngine.open(dir.path);
    cleanups.push(() => engine.close());
    storage = await open(engine, r1);
    expect(observe(storage)).toEqual(before);
    const reread = storage.entries(3, 4, 0)[0]!;
    expect(reread.type).toBe('confChange');
    expect(reread.data.length).toBe(70_000);
    expect(reread.data.every((b) => b === 7)).toBe(true);
    expect(storage.snapshot().metadata.index).toBe(100); // from the provider
    expect(storage.initialState().confState.voters).toEqual([1]);
  });

  it('after a crash, reopens exactly at the last synced state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(opArb, fc.boolean()), { minLength: 1, maxLength: 30 }), async (steps) => {
        const engine = new MemoryEngine();
        const subject = await EngineSubject.open(engine, { cacheBytesMax: 200 });
        let durable = observe(subject.storage);
        let durableConfState = subject.confState;
        const term = { value: 1 };
        for (const [op, sync] of steps) {
          subject.options.sync = sync;
          await applyOp(op, [subject], term);
          if (engine.unsyncedCommitCount > 0) continue; // (an op may write nothing)
          durable = observe(subject.storage);
          durableConfState = subject.confState;
        }
        engine.crash();
        subject.confState = durableConfState; // the replica reloads its descriptor, also synced
        await subject.reopen(); // open() checks the log is contiguous and the commit within it
        expect(observe(subject.storage)).toEqual(durable);
      }),
      { numRuns: 150 },
    );
  });
});

describe('RaftLogStorage.open after a crash that kept the applied state but not the commit index', () => {
  /** Log 2..6 (truncated at 1), whose hard state commit is `commitIndex`. */
  async function withCommit(commitIndex: number): Promise<MemoryEngine> {
    const engine = new MemoryEngine();
    const storage = await open(engine, r1);
    const batch = new Batch(engine);
    storage.appendToBatch(batch, entries(1, [1, 1, 1, 1, 1, 1]));
    storage.truncateInBatch(batch, 1, 1);
    storage.setHardStateInBatch(batch, { term: 1, vote: 1, commit: commitIndex });
    await commit(engine, batch, storage);
    return engine;
  }

  it('forwards the commit index to the applied index, keeping term and vote, without writing it back', async () => {
    const engine = await withCommit(3);
    const storage = await open(engine, r1, undefined, 5);
    expect(storage.initialState().hardState).toEqual({ term: 1, vote: 1, commit: 5 });
    expect(engine.unsyncedCommitCount).toBe(0);
    // Without the applied index (or with one at or below the commit) the hard state is as stored.
    expect((await open(engine, r1)).initialState().hardState.commit).toBe(3);
    expect((await open(engine, r1, undefined, 2)).initialState().hardState.commit).toBe(3);
  });

  it('lets a RawNode restart with applied beyond the stored commit, and hand out only the entries above it', async () => {
    const engine = await withCommit(3);
    const storage = await open(engine, r1, undefined, 5);
    const node = new RawNode({ id: 1, storage, electionTicks: 10, heartbeatTicks: 1, random: new SeededRandom(1), applied: 5 });
    expect(node.status()).toMatchObject({ commit: 5, applied: 5 });
    node.campaign(); // a single voter: leader at once, its empty entry 7 commits once persisted
    for (let round = 0; round < 3 && node.hasReady(); round++) {
      const ready = node.ready();
      for (const e of ready.committedEntries) expect(e.index).toBeGreaterThan(5); // 4 and 5 are not applied again
      const batch = new Batch(engine);
      storage.appendToBatch(batch, ready.entries);
      if (ready.hardState !== undefined) storage.setHardStateInBatch(batch, ready.hardState);
      await commit(engine, batch, storage);
      node.advance(ready);
    }
    expect(node.status()).toMatchObject({ role: 'leader', commit: 7, applied: 7 });
  });
});

describe('RaftLogStorage.open refuses corrupt persisted state', () => {
  async function withLog(): Promise<MemoryEngine> {
    const engine = new MemoryEngine();
    const storage = await open(engine, r1);
    const batch = new Batch(engine);
    storage.appendToBatch(batch, entries(1, [1, 1, 1, 1, 1]));
    storage.truncateInBatch(batch, 1, 1);
    storage.setHardStateInBatch(batch, { term: 1, vote: 0, commit: 5 });
    await commit(engine, batch, storage);
    return engine;
  }

  const corruptions: [string, (engine: MemoryEngine) => Promise<void>][] = [
    ['a hole in the log', (e) => e.commit([{ kind: 'delete', key: raftLogKey(r1, 3) }], { sync: true })],
    ['a missing first entry', (e) => e.commit([{ kind: 'delete', key: raftLogKey(r1, 2) }], { sync: true })],
    ['an entry below the truncated index', (e) => e.commit([{ kind: 'put', key: raftLogKey(r1, 1), value: encodeEntry(entry(1, 1)) }], { sync: true })],
    ['an entry under the wrong key', (e) => e.commit([{ kind: 'put', key: raftLogKey(r1, 4), value: encodeEntry(entry(7, 1)) }], { sync: true })],
    ['the last entry under the wrong key', (e) => e.commit([{ kind: 'put', key: raftLogKey(r1, 5), value: encodeEntry(entry(6, 1)) }], { sync: true })],
    ['a commit index beyond the log', (e) => e.commit([{ kind: 'put', key: raftHardStateKey(r1), value: encodeHardState({ term: 1, vote: 0, commit: 6 }) }], { sync: true })],
    ['garbage truncated state', (e) => e.commit([{ kind: 'put', key: raftTruncatedStateKey(r1), value: Uint8Array.of(9, 9) }], { sync: true })],
    ['garbage entry', (e) => e.commit([{ kind: 'put', key: raftLogKey(r1, 5), value: Uint8Array.of(1, 0) }], { sync: true })],
  ];

  it.each(corruptions)('%s', async (_what, corrupt) => {
    const engine = await withLog();
    await expect(open(engine, r1)).resolves.toBeDefined(); // intact, it opens
    await corrupt(engine);
    await expect(open(engine, r1)).rejects.toThrow(StorageError);
  });

  it('refuses an applied index whose entries are missing: beyond the last index, or below the truncated one', async () => {
    const engine = await withLog(); // log 2..5, truncated at 1, commit 5
    await expect(open(engine, r1, undefined, 6)).rejects.toThrow(/applied index 6 beyond last index 5/);
    await expect(open(engine, r1, undefined, 0)).rejects.toThrow(/applied index 0 below the truncated index 1/);
    await expect(open(engine, r1, undefined, 5)).resolves.toBeDefined();
  });

  it('finds a hole below the loaded tail when it reads there', async () => {
    const engine = await withLog();
    await engine.commit([{ kind: 'delete', key: raftLogKey(r1, 3) }], { sync: true });
    const storage = await open(engine, r1, 0); // loads only the last entry and checks the first
    expect(storage.term(2)).toBe(1);
    expect(() => storage.entries(2, 6, Infinity)).toThrow(StorageError);
  });
});

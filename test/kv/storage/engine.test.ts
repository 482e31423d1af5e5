/**
 * The Engine contract, run against both implementations: whatever passes here for
 * MemoryEngine must pass for LevelEngine, so the simulator's engine is a faithful stand-in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Engine, EngineIterator, WriteOp } from '../../../kv/storage/engine.js';
import { Batch } from '../../../kv/storage/batch.js';
import { LevelEngine } from '../../../kv/storage/level-engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { LimitExceededError } from '../../../src/base/errors.js';
import { limits } from '../../../src/base/limits.js';
import { tempDir } from '../../support/tmp.js';
import { SeededRandom } from '../../../src/env/random.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const put = (k: string, v: string): WriteOp => ({ kind: 'put', key: enc(k), value: enc(v) });
const del = (k: string): WriteOp => ({ kind: 'delete', key: enc(k) });

async function drain(it: EngineIterator): Promise<string[]> {
  const out: string[] = [];
  for (let kv = await it.next(); kv !== undefined; kv = await it.next()) out.push(`${dec(kv.key)}=${dec(kv.value)}`);
  it.close();
  return out;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const engines: [string, () => Promise<Engine>][] = [
  ['MemoryEngine', () => Promise.resolve(new MemoryEngine())],
  [
    'LevelEngine',
    async () => {
      const dir = tempDir('engine');
      const engine = await LevelEngine.open(dir.path);
      cleanups.push(dir.remove, () => engine.close());
      return engine;
    },
  ],
];

describe.each(engines)('%s', (_name, open) => {
  it('puts, gets and deletes atomically in one commit', async () => {
    const engine = await open();
    await engine.commit([put('a', '1'), put('b', '2'), put('a', '3'), del('b')], { sync: false });
    expect(dec(engine.get(enc('a')))).toBe('3');
    expect(engine.get(enc('b'))).toBeUndefined();
  });

  it('iterates a span forward and backward within its bounds', async () => {
    const engine = await open();
    await engine.commit(['a', 'b', 'c', 'd', 'e'].map((k) => put(k, k.toUpperCase())), { sync: false });
    expect(await drain(engine.iterate({ lowerBound: enc('b'), upperBound: enc('e') }))).toEqual(['b=B', 'c=C', 'd=D']);
    expect(await drain(engine.iterate({ lowerBound: enc('b'), upperBound: enc('e'), reverse: true }))).toEqual(['d=D', 'c=C', 'b=B']);
    expect(await drain(engine.iterate({ lowerBound: enc('x'), upperBound: enc('z') }))).toEqual([]);
  });

  it('seeks: forward to the first key ≥ target, reverse to the last key ≤ target', async () => {
    const engine = await open();
    await engine.commit(['a', 'c', 'e', 'g'].map((k) => put(k, k)), { sync: false });
    const forward = engine.iterate({ lowerBound: enc('a'), upperBound: enc('z') });
    forward.seek(enc('d'));
    expect(dec((await forward.next())?.key)).toBe('e');
    forward.seek(enc('a'));
    expect(dec((await forward.next())?.key)).toBe('a');
    forward.close();
    const reverse = engine.iterate({ lowerBound: enc('b'), upperBound: enc('z'), reverse: true });
    reverse.seek(enc('d'));
    expect(dec((await reverse.next())?.key)).toBe('c');
    reverse.seek(enc('e'));
    expect(dec((await reverse.next())?.key)).toBe('e');
    reverse.seek(enc('b'));
    expect(await reverse.next()).toBeUndefined(); // 'a' is below the lower bound
    reverse.close();
  });

  it('stops after the limit, forward, reverse and through a batch', async () => {
    const engine = await open();
    await engine.commit(['a', 'b', 'c', 'd'].map((k) => put(k, k)), { sync: false });
    expect(await drain(engine.iterate({ lowerBound: enc('a'), upperBound: enc('z'), limit: 2 }))).toEqual(['a=a', 'b=b']);
    expect(await drain(engine.iterate({ lowerBound: enc('a'), upperBound: enc('z'), limit: 3, reverse: true }))).toEqual(['d=d', 'c=c', 'b=b']);
    const batch = new Batch(engine);
    batch.delete(enc('a'));
    batch.put(enc('bb'), enc('x'));
    expect(await drain(batch.iterate({ lowerBound: enc('a'), upperBound: enc('z'), limit: 2 }))).toEqual(['b=b', 'bb=x']);
  });

  it('a snapshot does not see later commits, the engine does', async () => {
    const engine = await open();
    await engine.commit([put('k', 'old')], { sync: false });
    const snapshot = engine.snapshot();
    await engine.commit([put('k', 'new'), put('j', 'x')], { sync: false });
    expect(dec(snapshot.get(enc('k')))).toBe('old');
    expect(await drain(snapshot.iterate({ lowerBound: enc('a'), upperBound: enc('z') }))).toEqual(['k=old']);
    expect(dec(engine.get(enc('k')))).toBe('new');
    snapshot.close();
  });

  it('a batch reads its own writes over the engine, forward and reverse', async () => {
    const engine = await open();
    await engine.commit([put('a', '1'), put('b', '2'), put('c', '3')], { sync: false });
    const batch = new Batch(engine);
    batch.put(enc('b'), enc('20'));
    batch.delete(enc('c'));
    batch.put(enc('d'), enc('4'));
    expect(dec(batch.get(enc('b')))).toBe('20');
    expect(batch.get(enc('c'))).toBeUndefined();
    expect(await drain(batch.iterate({ lowerBound: enc('a'), upperBound: enc('z') }))).toEqual(['a=1', 'b=20', 'd=4']);
    expect(await drain(batch.iterate({ lowerBound: enc('a'), upperBound: enc('z'), reverse: true }))).toEqual(['d=4', 'b=20', 'a=1']);
    const it = batch.iterate({ lowerBound: enc('a'), upperBound: enc('z') });
    it.seek(enc('c'));
    expect(dec((await it.next())?.key)).toBe('d');
    it.close();
    expect(dec(engine.get(enc('b')))).toBe('2'); // nothing reaches the engine before commit
    await engine.commit(batch.ops, { sync: true });
    expect(await drain(engine.iterate({ lowerBound: enc('a'), upperBound: enc('z') }))).toEqual(['a=1', 'b=20', 'd=4']);
  });

  it('a batch read between writes sees every write before it (the index is built lazily, then kept up)', async () => {
    const engine = await open();
    await engine.commit([put('a', '1'), put('b', '2')], { sync: false });
    const batch = new Batch(engine);
    batch.put(enc('a'), enc('10'));
    batch.put(enc('a'), enc('11'));
    expect(dec(batch.get(enc('a')))).toBe('11'); // the last write of a key wins
    expect(dec(batch.get(enc('b')))).toBe('2');
    batch.delete(enc('a')); // appended after the index was built
    batch.put(enc('b'), enc('20'));
    batch.put(enc('c'), enc('30'));
    expect(batch.get(enc('a'))).toBeUndefined();
    expect(dec(batch.get(enc('b')))).toBe('20');
    expect(await drain(batch.iterate({ lowerBound: enc('a'), upperBound: enc('z') }))).toEqual(['b=20', 'c=30']);
    batch.put(enc('a'), enc('12')); // after a sorted view was built
    expect(await drain(batch.iterate({ lowerBound: enc('a'), upperBound: enc('z') }))).toEqual(['a=12', 'b=20', 'c=30']);
    expect(batch.ops.map((op) => `${op.kind} ${dec(op.key)}`)).toEqual(['put a', 'put a', 'delete a', 'put b', 'put c', 'put a']);
  });

  it('rejects an oversized value with LimitExceededError and applies nothing', async () => {
    const engine = await open();
    const big = new Uint8Array(limits.engineValueBytesMax + 1);
    expect(() => engine.commit([put('a', 'ok'), { kind: 'put', key: enc('b'), value: big }], { sync: false })).toThrow(LimitExceededError);
    expect(engine.get(enc('a'))).toBeUndefined();
  });

  it('approximates the size of a span', async () => {
    const engine = await open();
    const value = 'v'.repeat(1000);
    await engine.commit(Array.from({ length: 200 }, (_, i) => put(`k${String(i).padStart(4, '0')}`, value)), { sync: true });
    const size = await engine.approximateSize(enc('k'), enc('l'));
    // LevelDB counts only table files, not the memtable: its figures are checked after a reopen
    // in the LevelEngine tests below.
    if (engine instanceof MemoryEngine) expect(size).toBe(200 * (5 + 1000));
    expect(await engine.approximateSize(enc('x'), enc('y'))).toBe(0);
  });

  it('matches a model map under random commits, snapshots and scans (property)', async () => {
    const engine = await open();
    const model = new Map<string, string>();
    const keyArb = fc.stringMatching(/^[a-f]{1,3}$/);
    const opArb = fc.oneof(
      fc.tuple(fc.constant('put' as const), keyArb, fc.stringMatching(/^[0-9]{0,4}$/)),
      fc.tuple(fc.constant('delete' as const), keyArb, fc.constant('')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 20 }), fc.boolean(), async (commits, reverse) => {
        for (const ops of commits) {
          await engine.commit(ops.map(([kind, k, v]) => (kind === 'put' ? put(k, v) : del(k))), { sync: false });
          for (const [kind, k, v] of ops) {
            if (kind === 'put') model.set(k, v);
            else model.delete(k);
          }
        }
        const expected = [...model.entries()].filter(([k]) => k >= 'b' && k < 'e').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
        if (reverse) expected.reverse();
        expect(await drain(engine.iterate({ lowerBound: enc('b'), upperBound: enc('e'), reverse }))).toEqual(expected);
      }),
      { seed: 11, numRuns: 60 },
    );
  });
});

describe('MemoryEngine crash', () => {
  it('loses exactly the commits after the last synced one', async () => {
    const engine = new MemoryEngine();
    await engine.commit([put('a', '1')], { sync: false });
    await engine.commit([put('b', '2')], { sync: true }); // also makes 'a' durable
    await engine.commit([put('c', '3'), del('a')], { sync: false });
    expect(engine.unsyncedCommitCount).toBe(1);
    engine.crash();
    expect(dec(engine.get(enc('a')))).toBe('1');
    expect(dec(engine.get(enc('b')))).toBe('2');
    expect(engine.get(enc('c'))).toBeUndefined();
    expect(engine.size).toBe(2);
  });

  it('keeps a chosen prefix of the unsynced commits, and what it keeps stays durable', async () => {
    const commits = async (engine: MemoryEngine): Promise<void> => {
      await engine.commit([put('a', '1')], { sync: true });
      await engine.commit([put('b', '2')], { sync: false });
      await engine.commit([put('c', '3'), del('a')], { sync: false });
    };
    const after = async (kept: number | 'all'): Promise<(string | undefined)[]> => {
      const engine = new MemoryEngine();
      await commits(engine);
      engine.crash({ unsyncedKept: kept });
      expect(engine.unsyncedCommitCount).toBe(0);
      engine.crash(); // a second crash loses nothing more
      return ['a', 'b', 'c'].map((key) => dec(engine.get(enc(key))));
    };
    expect(await after(0)).toEqual(['1', undefined, undefined]);
    expect(await after(1)).toEqual(['1', '2', undefined]);
    expect(await after(2)).toEqual([undefined, '2', '3']);
    expect(await after('all')).toEqual([undefined, '2', '3']);
    const engine = new MemoryEngine();
    await commits(engine);
    expect(() => engine.crash({ unsyncedKept: 3 })).toThrow(/cannot keep 3 of 2/);
  });

  it('a snapshot taken before a crash keeps its view', async () => {
    const engine = new MemoryEngine();
    await engine.commit([put('a', '1')], { sync: false });
    const snapshot = engine.snapshot();
    engine.crash();
    expect(engine.get(enc('a'))).toBeUndefined();
    expect(dec(snapshot.get(enc('a')))).toBe('1');
  });
});

describe('LevelEngine durability and group commit', () => {
  it('keeps synced data across close and reopen', async () => {
    const dir = tempDir('reopen');
    cleanups.push(dir.remove);
    const first = await LevelEngine.open(dir.path);
    await first.commit([put('k', 'v')], { sync: true });
    await first.close();
    const second = await LevelEngine.open(dir.path);
    cleanups.push(() => second.close());
    expect(dec(second.get(enc('k')))).toBe('v');
  });

  it('groups concurrent synced commits into fewer fsyncs, applied in call order', async () => {
    const dir = tempDir('group');
    const engine = await LevelEngine.open(dir.path);
    cleanups.push(dir.remove, () => engine.close());
    const commits = Array.from({ length: 64 }, (_, i) => engine.commit([put('same', String(i)), put(`k${i}`, 'x')], { sync: true }));
    await Promise.all(commits);
    const stats = engine.groupCommitStats();
    expect(stats.commits).toBe(64);
    expect(stats.syncs).toBeLessThan(64);
    expect(dec(engine.get(enc('same')))).toBe('63'); // the last caller's write wins
  });

  it('approximates the size of a span from its table files', async () => {
    const dir = tempDir('size');
    cleanups.push(dir.remove);
    const random = new SeededRandom(5);
    const first = await LevelEngine.open(dir.path);
    // Incompressible values, so the estimate is near the raw size.
    await first.commit(Array.from({ length: 200 }, (_, i) => ({ kind: 'put' as const, key: enc(`k${String(i).padStart(4, '0')}`), value: random.bytes(1000) })), { sync: true });
    await first.close();
    const engine = await LevelEngine.open(dir.path); // recovery writes the log into a table file
    cleanups.push(() => engine.close());
    const size = await engine.approximateSize(enc('k'), enc('l'));
    expect(size).toBeGreaterThan(150_000);
    expect(size).toBeLessThan(300_000);
    expect(await engine.approximateSize(enc('x'), enc('y'))).toBeLessThan(1_000);
  });

  it('iterates every entry of a span larger than one read-ahead batch of bytes', async () => {
    // classic-level's nextv returns fewer entries than asked for once they exceed its byte
    // budget; only an empty answer is the end. Reading from table files (after a reopen) shows it.
    const dir = tempDir('readahead');
    cleanups.push(dir.remove);
    const first = await LevelEngine.open(dir.path);
    await first.commit(Array.from({ length: 3000 }, (_, i) => ({ kind: 'put' as const, key: enc(`k${String(i).padStart(5, '0')}`), value: new Uint8Array(1000) })), { sync: true });
    await first.close();
    const engine = await LevelEngine.open(dir.path);
    cleanups.push(() => engine.close());
    for (const reverse of [false, true]) {
      const it = engine.iterate({ lowerBound: enc('k'), upperBound: enc('l'), reverse });
      let count = 0;
      while ((await it.next()) !== undefined) count++;
      it.close();
      expect(count).toBe(3000);
    }
  });

  it('refuses commits after close', async () => {
    const dir = tempDir('closed');
    cleanups.push(dir.remove);
    const engine = await LevelEngine.open(dir.path);
    await engine.close();
    expect(() => engine.get(enc('a'))).toThrow(/closed/);
  });
});

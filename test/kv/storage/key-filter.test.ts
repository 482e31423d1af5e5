/**
 * The key filter's one-sided contract — it never calls a present key absent — for the filter
 * alone and inside LevelEngine: while keys are written, across scans that grow it, after a
 * reopen (a store already full of keys), for snapshots, and once too many keys switch it off.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { KeyFilter } from '../../../kv/storage/key-filter.js';
import { saveKeyFilter, storeFingerprint } from '../../../kv/storage/key-filter-file.js';
import { LevelEngine, type LevelEngineOptions } from '../../../kv/storage/level-engine.js';
import type { WriteOp } from '../../../kv/storage/engine.js';
import { tempDir } from '../../support/tmp.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const keyArb = fc.uint8Array({ minLength: 0, maxLength: 24 });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('KeyFilter', () => {
  it('never says absent for an added key', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { maxLength: 300 }), fc.array(keyArb, { maxLength: 50 }), (added, others) => {
        const filter = new KeyFilter(256);
        filter.markComplete();
        for (const key of added) filter.add(key);
        for (const key of added) expect(filter.mayContain(key)).toBe(true);
        // Others may or may not be reported; present keys are asked again after them.
        for (const key of others) filter.mayContain(key);
        for (const key of added) expect(filter.mayContain(key)).toBe(true);
      }),
    );
  });

  it('answers "maybe" for every key until complete, and after it saturates', () => {
    const filter = new KeyFilter(64);
    expect(filter.capacity).toBe(51);
    expect(filter.mayContain(enc('never added'))).toBe(true);
    filter.markComplete();
    expect(filter.mayContain(enc('never added'))).toBe(false);
    for (let i = 0; i < filter.capacity; i++) filter.add(enc(`key ${i}`));
    expect(filter.saturated).toBe(false);
    filter.add(enc('one too many'));
    expect(filter.saturated).toBe(true);
    expect(filter.mayContain(enc('never added'))).toBe(true);
  });

  it('has a false-positive rate of about 1% at capacity', () => {
    const filter = new KeyFilter(64 * 1024);
    filter.markComplete();
    for (let i = 0; i < filter.capacity; i++) filter.add(enc(`user${String(i).padStart(10, '0')}`));
    let falsePositives = 0;
    const probes = 100_000;
    for (let i = 0; i < probes; i++) if (filter.mayContain(enc(`absent${String(i).padStart(10, '0')}`))) falsePositives++;
    expect(falsePositives / probes).toBeLessThan(0.02);
    expect(falsePositives).toBeGreaterThan(0);
  });

  it('rejects sizes that are not a power of two', () => {
    expect(() => new KeyFilter(100)).toThrow(/power of two/);
    expect(() => new KeyFilter(32)).toThrow(/power of two/);
  });
});

describe('LevelEngine key filter', () => {
  async function open(path: string, options: LevelEngineOptions = {}): Promise<LevelEngine> {
    const engine = await LevelEngine.open(path, options);
    cleanups.push(() => engine.close());
    return engine;
  }

  function folder(): string {
    const dir = tempDir('key-filter');
    cleanups.push(dir.remove);
    return dir.path;
  }

  it('is active on a fresh store and answers absent keys', async () => {
    const engine = await open(folder());
    expect(await engine.keyFilterSettled()).toEqual({ active: true, bytes: 1024 * 1024 });
    expect(engine.get(enc('a'))).toBeUndefined();
    await engine.commit([{ kind: 'put', key: enc('a'), value: enc('1') }], { sync: false });
    expect(dec(engine.get(enc('a')))).toBe('1');
  });

  it('matches a model through writes, growth, reopens and snapshots', async () => {
    const options = { keyFilterBytesInitial: 64, keyFilterBytesMax: 1024 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.boolean()), { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 3 }),
        async (batches, reopenAfter) => {
          const model = new Map<number, string>();
          const dir = tempDir('key-filter-model');
          let engine = await LevelEngine.open(dir.path, options);
          try {
            for (const [b, batch] of batches.entries()) {
              const ops: WriteOp[] = batch.map(([k, isPut]) => (isPut ? { kind: 'put', key: enc(`k${k}`), value: enc(`v${b}`) } : { kind: 'delete', key: enc(`k${k}`) }));
              const snapshot = engine.snapshot();
              const before = new Map(model);
              // Commit without awaiting first: reads race the group commit and any filter scan.
              const committed = engine.commit(ops, { sync: false });
              for (const [k, isPut] of batch) {
                if (isPut) model.set(k, `v${b}`);
                else model.delete(k);
              }
              await committed;
              for (let k = 0; k <= 200; k++) {
                expect(dec(engine.get(enc(`k${k}`)))).toBe(model.get(k));
                expect(dec(snapshot.get(enc(`k${k}`)))).toBe(before.get(k));
              }
              snapshot.close();
              if (reopenAfter.includes(b)) {
                await engine.close();
                engine = await LevelEngine.open(dir.path, options);
              }
            }
          } finally {
            await engine.close();
            dir.remove();
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('grows by rescanning when full, and is rebuilt from a scan after a reopen', async () => {
    const path = folder();
    const options = { keyFilterBytesInitial: 64, keyFilterBytesMax: 4096 };
    let engine = await open(path, options);
    const keys = Array.from({ length: 1000 }, (_, i) => enc(`key${i}`));
    for (let i = 0; i < keys.length; i += 100) {
      await engine.commit(
        keys.slice(i, i + 100).map((key) => ({ kind: 'put', key, value: key })),
        { sync: false },
      );
    }
    expect(await engine.keyFilterSettled()).toEqual({ active: true, bytes: 2048 });
    for (const key of keys) expect(dec(engine.get(key))).toBe(dec(key));
    await engine.close();

    engine = await open(path, options);
    expect(await engine.keyFilterSettled()).toEqual({ active: true, bytes: 2048 });
    for (const key of keys) expect(dec(engine.get(key))).toBe(dec(key));
    expect(engine.get(enc('absent'))).toBeUndefined();
  });

  it('is kept across a clean close: the reopened store answers at once, without a scan', async () => {
    const path = folder();
    const keys = Array.from({ length: 300 }, (_, i) => enc(`key${i}`));
    let engine = await open(path);
    await engine.commit(
      keys.map((key) => ({ kind: 'put', key, value: key })),
      { sync: true },
    );
    await engine.keyFilterSettled();
    await engine.close();
    expect(existsSync(join(path, 'KEYFILTER'))).toBe(true);
    const scans = vi.spyOn(LevelEngine.prototype as unknown as { scanKeys: () => Promise<number> }, 'scanKeys');
    engine = await open(path);
    // Taken back and its file removed at once: a crash from here on leaves no filter to trust.
    expect(existsSync(join(path, 'KEYFILTER'))).toBe(false);
    expect(await engine.keyFilterSettled()).toEqual({ active: true, bytes: 1024 * 1024 });
    expect(scans).not.toHaveBeenCalled();
    scans.mockRestore();
    for (const key of keys) expect(dec(engine.get(key))).toBe(dec(key));
    expect(engine.get(enc('absent'))).toBeUndefined();
  });

  it('is not taken back once the store changed after it was saved', async () => {
    const path = folder();
    let engine = await open(path);
    await engine.commit([{ kind: 'put', key: enc('first'), value: enc('1') }], { sync: true });
    await engine.close();
    const stale = readFileSync(join(path, 'KEYFILTER'));
    engine = await open(path);
    await engine.commit([{ kind: 'put', key: enc('second'), value: enc('2') }], { sync: true });
    await engine.close();
    // The filter saved before 'second' was written, as if a writer that keeps none had run since.
    writeFileSync(join(path, 'KEYFILTER'), stale);
    engine = await open(path);
    expect(dec(engine.get(enc('second')))).toBe('2');
    expect(await engine.keyFilterSettled()).toEqual({ active: true, bytes: 1024 * 1024 });
    expect(dec(engine.get(enc('second')))).toBe('2');
    expect(dec(engine.get(enc('first')))).toBe('1');
  });

  it('is not saved when another process wrote to the folder between the LOCK release and the save', async () => {
    // Review finding L2 (session 7): the fingerprint used to be taken only after LevelDB released
    // its LOCK, so a process that opened the folder in that gap, wrote and crashed was already in
    // the fingerprint, and the next open trusted a filter without its keys.
    const path = folder();
    let engine = await open(path, { persistKeyFilter: false });
    await engine.commit([{ kind: 'put', key: enc('first'), value: enc('1') }], { sync: true });
    const filter = new KeyFilter(1024);
    filter.add(enc('first'));
    filter.markComplete();
    const printWhileOpen = await storeFingerprint(path);
    await engine.close();
    engine = await open(path, { persistKeyFilter: false }); // the other process, in the gap
    await engine.commit([{ kind: 'put', key: enc('second'), value: enc('2') }], { sync: true });
    await engine.close();
    expect(await saveKeyFilter(path, filter, printWhileOpen)).toBe(false);
    expect(existsSync(join(path, 'KEYFILTER'))).toBe(false);
    // With nothing in between, the same save goes through and the next open takes it back.
    filter.add(enc('second'));
    expect(await saveKeyFilter(path, filter, await storeFingerprint(path))).toBe(true);
    engine = await open(path);
    expect(existsSync(join(path, 'KEYFILTER'))).toBe(false);
    expect(dec(engine.get(enc('second')))).toBe('2');
    expect(dec(engine.get(enc('first')))).toBe('1');
    expect(engine.get(enc('third'))).toBeUndefined();
  });

  it('is not kept with persistKeyFilter off, and a foreign file is ignored', async () => {
    const path = folder();
    let engine = await open(path, { persistKeyFilter: false });
    await engine.commit([{ kind: 'put', key: enc('a'), value: enc('1') }], { sync: true });
    await engine.close();
    expect(existsSync(join(path, 'KEYFILTER'))).toBe(false);
    writeFileSync(join(path, 'KEYFILTER'), 'RDBKF001 not a filter');
    engine = await open(path);
    expect(existsSync(join(path, 'KEYFILTER'))).toBe(false);
    await engine.keyFilterSettled();
    expect(dec(engine.get(enc('a')))).toBe('1');
  });

  it('switches off when the store has more keys than half its largest size holds', async () => {
    const path = folder();
    const options = { keyFilterBytesInitial: 64, keyFilterBytesMax: 256 }; // 204 keys
    const engine = await open(path, options);
    const keys = Array.from({ length: 150 }, (_, i) => enc(`key${i}`));
    await engine.commit(
      keys.map((key) => ({ kind: 'put', key, value: key })),
      { sync: false },
    );
    await engine.keyFilterSettled();
    // 150 of 204: the next saturation rescans, finds more than half, and switches off.
    await engine.commit(
      keys.map((key) => ({ kind: 'put', key, value: enc('again') })),
      { sync: false },
    );
    expect(await engine.keyFilterSettled()).toEqual({ active: false, bytes: 256 });
    for (const key of keys) expect(dec(engine.get(key))).toBe('again');
    expect(engine.get(enc('absent'))).toBeUndefined();
  });
});

/**
 * The MVCC GC queue (kv/replica/gc-queue.ts): its decisions (threshold, due-ness, which keys a
 * scan names) and, through a store on a manual clock, a whole collection — many versions of one
 * row, the clock moved past the TTL, one pass: the old versions are gone, the stats agree with a
 * recount from scratch, reads now are unchanged and reads below the threshold get 72000; a
 * protected reader holds the threshold below itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../clock/manual.js';
import { addNanos, compare, less, timestamp, type Timestamp } from '../../../clock/timestamp.js';
import { BatchTimestampBeforeGCError, batchHeader, batchRequest, deleteRequest, getRequest, heartbeatTxnRequest, keyNext, putRequest, settingKey } from '../../../kv/api/index.js';
import { gcDue, gcThresholdFor, gcTtlSettingName, parseTtlSeconds, scanGarbage } from '../../../kv/replica/gc-queue.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { computeStats, dataSpan, emptyStats, mvccGarbageCollectKeys, mvccPut, mvccDelete, nextDataEntry } from '../../../kv/storage/mvcc/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { limits } from '../../../src/base/limits.js';
import { openKv, type Kv } from '../../../src/node/kv.js';
import { Txn } from '../../../txn/index.js';
import { manualEnv } from '../../support/manual-env.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const secondNanos = 1_000_000_000n;
const ts = (wallSeconds: number): Timestamp => timestamp(BigInt(wallSeconds) * secondNanos);

describe('GC queue decisions', () => {
  it('sets the threshold one TTL back, strictly below the oldest protected reader', () => {
    expect(gcThresholdFor(ts(100), 10n * secondNanos, undefined)).toEqual(ts(90));
    expect(gcThresholdFor(ts(100), 10n * secondNanos, ts(95))).toEqual(ts(90));
    const held = gcThresholdFor(ts(100), 10n * secondNanos, ts(50))!;
    expect(less(held, ts(50))).toBe(true);
    expect(compare(held, timestamp(50n * secondNanos - 1n, 0x7fffffff))).toBeGreaterThanOrEqual(0);
    expect(gcThresholdFor(ts(5), 10n * secondNanos, undefined)).toBeUndefined(); // before time 0
  });

  it('is due one TTL after garbage was first seen, when the threshold would move up', () => {
    const base = { nonLive: 3, nowNanos: 100n * secondNanos, ttlNanos: 10n * secondNanos, currentThreshold: ts(80), newThreshold: ts(90) };
    expect(gcDue({ ...base, garbageSinceNanos: 90n * secondNanos })).toBe(true);
    expect(gcDue({ ...base, garbageSinceNanos: 91n * secondNanos })).toBe(false); // may all be younger than the TTL
    expect(gcDue({ ...base, garbageSinceNanos: undefined })).toBe(false);
    expect(gcDue({ ...base, garbageSinceNanos: 0n, nonLive: 0 })).toBe(false);
    expect(gcDue({ ...base, garbageSinceNanos: 0n, currentThreshold: ts(90) })).toBe(false);
    expect(gcDue({ ...base, garbageSinceNanos: 0n, newThreshold: undefined })).toBe(false);
  });

  it('reads the TTL setting row as SET CLUSTER SETTING writes it', () => {
    expect(parseTtlSeconds(JSON.stringify({ value: '600', type: 'i' }))).toBe(600n);
    expect(parseTtlSeconds(JSON.stringify({ value: '-1', type: 'i' }))).toBeUndefined();
    expect(parseTtlSeconds('not json')).toBeUndefined();
  });

  it('names exactly the keys mvccGarbageCollect would change', async () => {
    const engine = new MemoryEngine();
    const batch = new Batch(engine);
    const stats = emptyStats();
    // a: three values below the threshold (two garbage). b: one value (none). c: a value under a
    // tombstone below (all garbage). d: values above and one below (the one below stays: reads
    // just above the threshold see it). e: two below, one above (the older below is garbage).
    for (const [key, at] of [['a', 1], ['a', 2], ['a', 3], ['b', 1], ['c', 1], ['d', 2], ['d', 20], ['e', 1], ['e', 2], ['e', 20]] as const) mvccPut(batch, stats, enc(key), ts(at), enc(`${key}${at}`));
    mvccDelete(batch, stats, enc('c'), ts(4));
    await engine.commit(batch.ops, { sync: false });
    const found = await scanGarbage(engine, enc('a'), enc('z'), ts(10));
    expect(found.keys.map((k) => dec(k))).toEqual(['a', 'c', 'e']);
    expect(found.resumeKey).toBeUndefined();
  });
});

describe('a GC request of several keys', () => {
  it('plans every key before writing, and collects a key named twice once, at its higher timestamp', async () => {
    const engine = new MemoryEngine();
    const batch = new Batch(engine);
    const stats = emptyStats();
    for (const at of [1, 2, 3, 4]) mvccPut(batch, stats, enc('a'), ts(at), enc(`a${at}`));
    for (const at of [1, 2]) mvccPut(batch, stats, enc('b'), ts(at), enc(`b${at}`));
    await engine.commit(batch.ops, { sync: false });
    const gc = new Batch(engine);
    const result = await mvccGarbageCollectKeys(gc, stats, [
      { key: enc('a'), timestamp: ts(2) },
      { key: enc('b'), timestamp: ts(5) },
      { key: enc('a'), timestamp: ts(3) },
    ]);
    expect(result.versions).toBe(2 + 1); // a1, a2 (a3 is what reads at 3 see), b1
    await engine.commit(gc.ops, { sync: false });
    expect(await computeStats(engine, enc('a'), enc('z'))).toEqual(stats);
    expect((await scanGarbage(engine, enc('a'), enc('z'), ts(3))).keys).toEqual([]);
  });
});

describe('GC queue through a store', () => {
  const open: Kv[] = [];
  afterEach(async () => {
    for (const kv of open.splice(0)) await kv.close();
  });

  async function setup(): Promise<{ kv: Kv; manual: ManualClock }> {
    const manual = new ManualClock(1_700_000_000n * secondNanos);
    const kv = await openKv({ engine: new MemoryEngine(), env: manualEnv(manual) });
    open.push(kv);
    return { kv, manual };
  }
  const send = (kv: Kv, request: Parameters<typeof batchRequest>[1][number]) => kv.sender.send(batchRequest(batchHeader({ timestamp: kv.clock.now() }), [request]));
  const get = async (kv: Kv, key: Uint8Array, at: Timestamp): Promise<string | undefined> => dec((await kv.sender.send(batchRequest(batchHeader({ timestamp: at }), [getRequest(key)] as const))).responses[0].value);

  /** Engine entries of `key`'s versions: its newest-version record and its older versions. */
  async function versionsOf(kv: Kv, key: Uint8Array): Promise<number> {
    const it = kv.store.engine.iterate(dataSpan(key, keyNext(key)));
    let n = 0;
    try {
      for (let e = await nextDataEntry(it, false); e !== undefined; e = await nextDataEntry(it, false)) n++;
    } finally {
      it.close();
    }
    return n;
  }

  async function expectStatsExact(kv: Kv): Promise<void> {
    for (const replica of kv.store.replicas()) {
      // The first range's MVCC data starts past the range-local keys (0x01…), as clear-range.test.ts.
      const start = replica.descriptor.startKey.length === 0 ? Uint8Array.of(0x02) : replica.descriptor.startKey;
      expect(await computeStats(kv.store.engine, start, replica.descriptor.endKey)).toEqual(replica.stats);
    }
  }

  it('collects the old versions of a row updated many times once they are past the TTL', async () => {
    const { kv, manual } = await setup();
    const row = Uint8Array.from([0x10, 0x61]);
    const gone = Uint8Array.from([0x10, 0x62]);
    await send(kv, putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '10', type: 'i' }))));
    const updates = 200;
    let beforeLast: Timestamp | undefined;
    for (let i = 0; i < updates; i++) {
      manual.advance(1_000_000n);
      if (i === updates - 1) beforeLast = kv.clock.now();
      await send(kv, putRequest(row, enc(`v${i}`)));
    }
    await send(kv, putRequest(gone, enc('x')));
    await send(kv, deleteRequest(gone));
    const writesDone = kv.clock.now();
    expect(await versionsOf(kv, row)).toBe(updates);
    expect(await kv.store.gcQueue.ttlNanos()).toBe(10n * secondNanos);

    // First sight of the garbage: nothing is old enough yet.
    expect(await kv.store.gcQueue.runPass()).toEqual([]);
    manual.advance(5n * secondNanos);
    expect(await kv.store.gcQueue.runPass()).toEqual([]); // half a TTL: still not due

    manual.advance(6n * secondNanos);
    const results = await kv.store.gcQueue.runPass();
    expect(results).toHaveLength(1);
    const threshold = results[0]!.threshold;
    expect(less(writesDone, threshold)).toBe(true);
    expect(results[0]!.versionsRemoved).toBeGreaterThanOrEqual(updates - 1 + 2);
    expect(await versionsOf(kv, row)).toBe(1);
    expect(await versionsOf(kv, gone)).toBe(0); // a tombstone over nothing: the key is gone
    await expectStatsExact(kv);

    expect(await get(kv, row, kv.clock.now())).toBe(`v${updates - 1}`);
    expect(await get(kv, row, addNanos(threshold, 1n))).toBe(`v${updates - 1}`);
    expect(await get(kv, gone, kv.clock.now())).toBeUndefined();
    await expect(get(kv, row, beforeLast!)).rejects.toThrow(BatchTimestampBeforeGCError);
    await expect(get(kv, row, threshold)).rejects.toMatchObject({ sqlState: '72000' });
    expect(kv.store.replicas()[0]!.gcThreshold).toEqual(threshold);

    // Nothing left to collect: the next passes leave the range alone.
    manual.advance(20n * secondNanos);
    expect(await kv.store.gcQueue.runPass()).toEqual([]);
  });

  it('never moves the threshold up to a protected reader', async () => {
    const { kv, manual } = await setup();
    const row = Uint8Array.from([0x10, 0x61]);
    await send(kv, putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '10', type: 'i' }))));
    await send(kv, putRequest(row, enc('old')));
    manual.advance(1_000_000n);
    const reader = kv.clock.now(); // an open transaction's start: it may read here
    manual.advance(1_000_000n);
    await send(kv, putRequest(row, enc('new')));
    kv.store.gcQueue.setReaderHorizon(() => reader);
    await kv.store.gcQueue.runPass();
    manual.advance(60n * secondNanos);
    const results = await kv.store.gcQueue.runPass();
    for (const result of results) expect(less(result.threshold, reader)).toBe(true);
    expect(await get(kv, row, reader)).toBe('old'); // still readable where the reader reads
    await expectStatsExact(kv);

    kv.store.gcQueue.setReaderHorizon(() => undefined); // the reader finished
    manual.advance(1n * secondNanos);
    const later = await kv.store.gcQueue.runPass();
    // Its history waits one more TTL from the last pass (gc-queue.ts's scoring), then goes.
    manual.advance(11n * secondNanos);
    const last = [...later, ...(await kv.store.gcQueue.runPass())];
    expect(last.length).toBeGreaterThan(0);
    await expect(get(kv, row, reader)).rejects.toThrow(BatchTimestampBeforeGCError);
    expect(await get(kv, row, kv.clock.now())).toBe('new');
    await expectStatsExact(kv);
  });

  it('aborts a transaction whose coordinator died and resolves its intents', async () => {
    const { kv, manual } = await setup();
    const row = Uint8Array.from([0x10, 0x61]);
    await send(kv, putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '10', type: 'i' }))));
    await send(kv, putRequest(row, enc('committed')));
    manual.advance(1_000_000n);
    // The coordinator writes an intent, then dies: no heartbeat, no EndTxn (these timers never fire).
    const abandoned = new Txn(kv.sender, { ...kv.txnDeps, writeBufferPolicy: 'locked' }); // its write goes out at once
    await abandoned.put(row, enc('abandoned'));
    const range = kv.store.replicas()[0]!;
    expect(range.stats.intentCount).toBe(1);

    await kv.store.gcQueue.runPass(); // first sight
    manual.advance(11n * secondNanos);
    const [result] = await kv.store.gcQueue.runPass();
    expect(result!.intentsResolved).toBe(1);
    expect(range.stats.intentCount).toBe(0);
    await expectStatsExact(kv);
    expect(await get(kv, row, kv.clock.now())).toBe('committed'); // read at once: no intent in the way
    // Its record is ABORTED: the coordinator, were it to come back, cannot commit.
    await expect(abandoned.commit()).rejects.toMatchObject({ sqlState: '40001' });
  });

  it('leaves a live transaction\'s old intent alone', async () => {
    const { kv, manual } = await setup();
    const row = Uint8Array.from([0x10, 0x61]);
    await send(kv, putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '10', type: 'i' }))));
    await send(kv, putRequest(row, enc('committed')));
    const live = new Txn(kv.sender, { ...kv.txnDeps, writeBufferPolicy: 'locked' });
    await live.put(row, enc('mine'));
    await kv.store.gcQueue.runPass();
    manual.advance(11n * secondNanos);
    // Its coordinator heartbeats (as its heartbeater would, every second).
    await kv.sender.send(batchRequest(batchHeader({ timestamp: live.transaction.readTimestamp, txn: live.transaction }), [heartbeatTxnRequest(live.transaction.key, kv.clock.now())]));
    const results = await kv.store.gcQueue.runPass();
    expect(results.every((r) => r.intentsResolved === 0)).toBe(true);
    expect(kv.store.replicas()[0]!.stats.intentCount).toBe(1);
    await live.commit();
    expect(await get(kv, row, kv.clock.now())).toBe('mine');
  });

  it('bounds one GC request by gcRequestKeysMax keys', async () => {
    const { kv, manual } = await setup();
    await send(kv, putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '1', type: 'i' }))));
    const keys = limits.gcRequestKeysMax + 10;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < keys; i++) await send(kv, putRequest(Uint8Array.from([0x10, i >> 8, i & 0xff]), enc(`r${round}`)));
      manual.advance(1_000_000n);
    }
    await kv.store.gcQueue.runPass();
    manual.advance(2n * secondNanos);
    const [result] = await kv.store.gcQueue.runPass();
    expect(result!.keys).toBeGreaterThanOrEqual(keys);
    expect(result!.requests).toBeGreaterThanOrEqual(2);
    await expectStatsExact(kv);
  });
});

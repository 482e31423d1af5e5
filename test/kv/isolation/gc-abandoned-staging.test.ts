/**
 * Review (session 10): the MVCC GC queue's cleanup of abandoned intents (f43ded5) must never
 * abort a transaction that is implicitly committed. A coordinator stages a parallel commit over
 * two ranges (every in-flight write landed) and dies; past the GC TTL and the liveness threshold,
 * one GC pass meets its intents below the threshold: it must recover the record as COMMITTED
 * (its writes stay), not abort it. And a STAGING transaction whose coordinator is alive is left
 * alone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { batchHeader, batchRequest, endTxnRequest, heartbeatTxnRequest, putRequest, settingKey, span, type Transaction } from '../../../kv/api/index.js';
import { readTxnRecord } from '../../../kv/eval/index.js';
import { gcTtlSettingName } from '../../../kv/replica/gc-queue.js';
import { limits } from '../../../src/base/limits.js';
import { realEnv } from '../../../src/env/real.js';
import { enc, JumpClock, newTxn, openTestKv, rowKey, seed, tableState, rowKeyString, type TestKv } from './harness.js';

async function stageAndDie(t: TestKv): Promise<Transaction> {
  const txn = newTxn(t, { name: 'dies' });
  await txn.put(rowKey(1), enc('staged'));
  await txn.put(rowKey(2), enc('staged'));
  txn.abandon();
  const proto = txn.transaction;
  const now = t.kv.txnDeps.clock.now();
  const response = await t.kv.sender.send(
    batchRequest(batchHeader({ timestamp: proto.readTimestamp, txn: proto, now }), [
      endTxnRequest({ key: proto.key, commit: true, lockSpans: [span(rowKey(1)), span(rowKey(2))], inFlightWrites: [{ key: rowKey(1), sequence: 1 }, { key: rowKey(2), sequence: 2 }] }),
    ] as const),
  );
  const staged = response.responses[0].txn;
  expect(staged.status).toBe('STAGING');
  return staged;
}

describe('review: GC of the intents of a STAGING transaction', () => {
  let t: TestKv;
  let clock: JumpClock;
  beforeEach(async () => {
    clock = new JumpClock(realEnv().clock);
    t = await openTestKv({ clock });
    await seed(t, { 1: '10', 2: '20', 3: '30' });
    await t.kv.sender.send(batchRequest(batchHeader({ timestamp: t.kv.clock.now() }), [putRequest(settingKey(gcTtlSettingName), enc(JSON.stringify({ value: '10', type: 'i' })))]));
  });
  afterEach(async () => {
    await t.kv.close();
  });

  it('recovers an implicitly committed, abandoned transaction as COMMITTED', async () => {
    const staged = await stageAndDie(t);
    await t.kv.store.gcQueue.runPass(); // first sight of the intents
    clock.jump(20n * 1_000_000_000n + limits.txnLivenessThresholdNanos);
    const results = await t.kv.store.gcQueue.runPass();
    expect(results.reduce((n, r) => n + r.intentsResolved, 0)).toBeGreaterThanOrEqual(1);
    for (const replica of t.kv.store.replicas()) expect(replica.stats.intentCount).toBe(0);
    expect(readTxnRecord(t.engine, staged.key, staged.id)?.status).toBe('COMMITTED');
    const rows = await tableState(t);
    expect(rows.get(rowKeyString(1))).toBe('staged');
    expect(rows.get(rowKeyString(2))).toBe('staged');
  });

  it('leaves a STAGING transaction whose coordinator still heartbeats alone', async () => {
    const staged = await stageAndDie(t);
    await t.kv.store.gcQueue.runPass();
    clock.jump(20n * 1_000_000_000n);
    // The coordinator is alive after all: it heartbeats its STAGING record (heartbeater.ts holdWhileStaging).
    const now = t.kv.clock.now();
    await t.kv.sender.send(batchRequest(batchHeader({ timestamp: staged.readTimestamp, txn: staged, now }), [heartbeatTxnRequest(staged.key, now)]));
    const results = await t.kv.store.gcQueue.runPass();
    expect(results.reduce((n, r) => n + r.intentsResolved, 0)).toBe(0);
    expect(readTxnRecord(t.engine, staged.key, staged.id)?.status).toBe('STAGING');
  });
});

/**
 * ClearRange: every version of a span removed outright, the range's stats reduced by exactly what
 * went (checked against a recount), bounded per command with a resume span at a user key,
 * refused while the span holds intents (nothing written) and inside a transaction, and — since
 * what is replicated is the write batch — a follower applying the proposer's command ends with
 * the same engine.
 */
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, clearRangeRequest, deleteRequest, putRequest, type BatchRequest, type Request } from '../../../kv/api/index.js';
import { evaluateBatch } from '../../../kv/eval/index.js';
import { decodeCommand, encodeCommand } from '../../../kv/replica/command.js';
import { Batch } from '../../../kv/storage/batch.js';
import type { Engine, KeyValue } from '../../../kv/storage/engine.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { computeStats, emptyStats, mvccClearRange, subtractStats, WriteIntentError, type MvccStats } from '../../../kv/storage/mvcc/index.js';
import { InvalidInputError } from '../../../src/base/errors.js';
import { txnA } from '../api/fixtures.js';
import { desc, enc, state } from './range-fixture.js';

const key = (i: number): Uint8Array => enc(`c${String(i).padStart(4, '0')}`);

/** Evaluates `requests` at `ts` on `engine` (range [a, m)), commits the writes; returns the stats delta. */
async function run(engine: Engine, requests: readonly Request[], ts: bigint, txn = false): Promise<MvccStats> {
  const range = state();
  const batch = new Batch(engine);
  const sent: BatchRequest = batchRequest(batchHeader({ timestamp: timestamp(ts), ...(txn ? { txn: { ...txnA, readTimestamp: timestamp(ts), writeTimestamp: timestamp(ts) } } : {}) }), requests);
  await evaluateBatch(range, batch, sent);
  await engine.commit(batch.ops, { sync: false });
  return range.stats;
}

/** Keys c0000…c0049 with two versions each, every fifth then deleted; b and d around them. From `at` on. */
async function populate(engine: Engine, at = 0n): Promise<void> {
  const keys = Array.from({ length: 50 }, (_, i) => key(i));
  await run(engine, [putRequest(enc('b'), enc('before')), putRequest(enc('d'), enc('after')), ...keys.map((k) => putRequest(k, enc('v1')))], at + 10n);
  await run(engine, keys.map((k) => putRequest(k, enc('value two'))), at + 20n);
  await run(engine, keys.filter((_, i) => i % 5 === 0).map((k) => deleteRequest(k)), at + 30n);
}

async function entries(engine: Engine): Promise<{ key: string; value: string }[]> {
  const out: { key: string; value: string }[] = [];
  const it = engine.iterate({ lowerBound: new Uint8Array(0), upperBound: Uint8Array.of(0xff, 0xff, 0xff) });
  for (let kv: KeyValue | undefined = await it.next(); kv !== undefined; kv = await it.next()) out.push({ key: Buffer.from(kv.key).toString('hex'), value: Buffer.from(kv.value).toString('hex') });
  it.close();
  return out;
}

describe('ClearRange', () => {
  it('removes every version of the span and takes exactly that out of the stats', async () => {
    const engine = new MemoryEngine();
    await populate(engine);
    const before = await computeStats(engine, desc.startKey, desc.endKey);
    const inSpan = await computeStats(engine, enc('c'), enc('d'));
    expect(inSpan.keyCount).toBe(50);
    expect(inSpan.valCount).toBe(50 * 2 + 10);

    const delta = await run(engine, [clearRangeRequest(enc('c'), enc('d'))], 40n);
    const expected = { ...emptyStats() };
    subtractStats(expected, inSpan);
    expect(delta).toEqual(expected);
    const after = await computeStats(engine, desc.startKey, desc.endKey);
    subtractStats(before, inSpan);
    expect(after).toEqual(before);
    // Nothing of the span is left, at any timestamp; b and d are untouched.
    expect(await computeStats(engine, enc('c'), enc('d'))).toEqual(emptyStats());
    expect(after.liveCount).toBe(2);
  });

  it('stops at a user key when its limits are reached and resumes there, exact at every step', async () => {
    const engine = new MemoryEngine();
    await populate(engine);
    const total = await computeStats(engine, desc.startKey, desc.endKey);
    let start: Uint8Array | undefined = enc('c');
    const resumes: string[] = [];
    while (start !== undefined) {
      const batch = new Batch(engine);
      const stats = { ...total };
      const result = await mvccClearRange(batch, stats, start, enc('d'), { keysMax: 7, bytesMax: 1 << 20 });
      await engine.commit(batch.ops, { sync: false });
      expect(await computeStats(engine, desc.startKey, desc.endKey)).toEqual(stats);
      Object.assign(total, stats);
      expect(result.keys).toBeLessThanOrEqual(7);
      start = result.resumeSpan?.start;
      if (start !== undefined) resumes.push(Buffer.from(start).toString());
    }
    expect(resumes).toEqual(['c0007', 'c0014', 'c0021', 'c0028', 'c0035', 'c0042', 'c0049']);
    expect(total.liveCount).toBe(2);
    // A byte bound stops it too (each key has two or three engine entries).
    await populate(engine, 100n);
    const byBytes = await mvccClearRange(new Batch(engine), emptyStats(), enc('c'), enc('d'), { keysMax: 1_000, bytesMax: 1 });
    expect(byBytes.keys).toBe(1);
    expect(Buffer.from(byBytes.resumeSpan!.start).toString()).toBe('c0001');
  });

  it('refuses a span holding an intent, writing nothing (it may be a STAGING transaction’s)', async () => {
    const engine = new MemoryEngine();
    await populate(engine);
    await run(engine, [putRequest(key(17), enc('provisional'))], 50n, true);
    const range = state();
    const batch = new Batch(engine);
    const error = await evaluateBatch(range, batch, batchRequest(batchHeader({ timestamp: timestamp(60n) }), [clearRangeRequest(enc('c'), enc('d'))])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteIntentError);
    expect((error as WriteIntentError).intents.map((intent) => Buffer.from(intent.key).toString())).toEqual(['c0017']);
    expect(batch.count).toBe(0);
    expect(range.stats).toEqual(emptyStats());
  });

  it('is refused in a transaction', async () => {
    const engine = new MemoryEngine();
    const sent = batchRequest(batchHeader({ timestamp: timestamp(60n), txn: txnA }), [clearRangeRequest(enc('c'), enc('d'))]);
    await expect(evaluateBatch(state(), new Batch(engine), sent)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('replicates as its write batch: a follower applying the command ends with the proposer’s engine', async () => {
    const leader = new MemoryEngine();
    const follower = new MemoryEngine();
    for (const engine of [leader, follower]) await populate(engine);
    const range = state();
    const batch = new Batch(leader);
    await evaluateBatch(range, batch, batchRequest(batchHeader({ timestamp: timestamp(40n) }), [clearRangeRequest(enc('c'), enc('d'))]));
    const command = decodeCommand(encodeCommand({ proposalId: 1, leaseSequence: 1, writes: batch.ops, stats: range.stats, effects: [] }));
    await leader.commit(batch.ops, { sync: false });
    await follower.commit(command.writes, { sync: false });
    expect(await entries(follower)).toEqual(await entries(leader));
    expect(command.stats).toEqual(range.stats);
    expect(command.writes.every((op) => op.kind === 'delete')).toBe(true);
  });
});

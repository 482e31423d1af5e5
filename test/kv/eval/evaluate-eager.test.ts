/**
 * `evaluateBatchEager`, the point read's path without promises: a batch whose Gets are decided by
 * their key records is answered at once; the first request that must wait (a Get reading history,
 * an intent in the way) continues behind a promise. Both paths must give `evaluateBatch`'s answers
 * and errors — it is the same implementation behind a promise.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import { batchHeader, batchRequest, getRequest, putRequest, WriteIntentError, type BatchRequest } from '../../../kv/api/index.js';
import { evaluateBatch, evaluateBatchEager } from '../../../kv/eval/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { emptyStats, mvccGet, mvccGetEager } from '../../../kv/storage/mvcc/index.js';
import { enc, state, txnAt } from './range-fixture.js';

let engine: MemoryEngine;

async function write(batch: BatchRequest): Promise<void> {
  const rw = new Batch(engine);
  await evaluateBatch(state(), rw, batch);
  await engine.commit(rw.ops, { sync: false });
}

/** b: one version at 5; c: versions at 5 and 50; d: an intent at 8; e: never written. */
beforeEach(async () => {
  engine = new MemoryEngine();
  await write(batchRequest(batchHeader({ timestamp: timestamp(5n) }), [putRequest(enc('b'), enc('b5')), putRequest(enc('c'), enc('c5'))]));
  await write(batchRequest(batchHeader({ timestamp: timestamp(50n) }), [putRequest(enc('c'), enc('c50'))]));
  const writer = txnAt('a', 8n);
  await write(batchRequest(batchHeader({ timestamp: writer.writeTimestamp, txn: writer }), [putRequest(enc('d'), enc('d8'))]));
});

const readAt20 = (...keys: string[]) => batchRequest(batchHeader({ timestamp: timestamp(20n) }), keys.map((key) => getRequest(enc(key))));
const values = (responses: readonly unknown[]) => responses.map((response) => (response as { value?: Uint8Array }).value && Buffer.from((response as { value: Uint8Array }).value).toString());

describe('evaluateBatchEager', () => {
  it('answers Gets decided by their key records at once, as evaluateBatch does', async () => {
    const batch = readAt20('b', 'e');
    const eager = evaluateBatchEager(state(), new Batch(engine), batch);
    expect(eager).not.toBeInstanceOf(Promise);
    expect(eager).toEqual(await evaluateBatch(state(), new Batch(engine), batch));
    expect(values((eager as Awaited<typeof eager>).responses)).toEqual(['b5', undefined]);
  });

  it('goes on behind a promise from the first Get that reads history, with the same answers', async () => {
    const batch = readAt20('b', 'c', 'e', 'b');
    const eager = evaluateBatchEager(state(), new Batch(engine), batch);
    expect(eager).toBeInstanceOf(Promise);
    const answered = await eager;
    expect(answered).toEqual(await evaluateBatch(state(), new Batch(engine), batch));
    expect(values(answered.responses)).toEqual(['b5', 'c5', undefined, 'b5']);
  });

  it('throws at once what it meets at once, and rejects what it meets later, as evaluateBatch rejects', async () => {
    const outside = readAt20('b', 'z');
    const stats = state();
    expect(() => evaluateBatchEager(stats, new Batch(engine), outside)).toThrow(/outside of bounds/);
    expect(stats.stats).toEqual(emptyStats());
    await expect(evaluateBatch(state(), new Batch(engine), outside)).rejects.toThrow(/outside of bounds/);
    const blocked = readAt20('b', 'd');
    const eager = evaluateBatchEager(state(), new Batch(engine), blocked);
    expect(eager).toBeInstanceOf(Promise);
    await expect(eager).rejects.toBeInstanceOf(WriteIntentError);
    await expect(evaluateBatch(state(), new Batch(engine), blocked)).rejects.toBeInstanceOf(WriteIntentError);
  });
});

describe('mvccGetEager', () => {
  it('answers from the key record at once, and reads history or intents behind a promise, as mvccGet does', async () => {
    for (const key of ['b', 'e']) {
      const eager = mvccGetEager(engine, enc(key), timestamp(20n));
      expect(eager).not.toBeInstanceOf(Promise);
      expect(eager).toEqual(await mvccGet(engine, enc(key), timestamp(20n)));
    }
    const history = mvccGetEager(engine, enc('c'), timestamp(20n));
    expect(history).toBeInstanceOf(Promise);
    expect(await history).toEqual(await mvccGet(engine, enc('c'), timestamp(20n)));
    const locked = mvccGetEager(engine, enc('d'), timestamp(20n), { inconsistent: true });
    expect(locked).toBeInstanceOf(Promise);
    expect(await locked).toEqual(await mvccGet(engine, enc('d'), timestamp(20n), { inconsistent: true }));
  });
});

/**
 * Locking Get and Scan evaluated (kv/eval, CockroachDB's `FailOnMoreRecent`): in a transaction
 * they fail with WriteTooOld — at the newest version's successor, naming every such key — on a
 * value committed above the read timestamp, and conflict with another transaction's intent at
 * any timestamp; plain reads at the same timestamp read around both. Without a transaction a
 * locking read is a plain one.
 */
import { describe, expect, it } from 'vitest';
import { timestamp } from '../../../clock/timestamp.js';
import {
  batchHeader,
  batchRequest,
  getRequest,
  putRequest,
  scanRequest,
  WriteIntentError,
  WriteTooOldError,
  type Request,
  type Transaction,
} from '../../../kv/api/index.js';
import { Batch } from '../../../kv/storage/batch.js';
import { MemoryEngine } from '../../../kv/storage/memory-engine.js';
import { evaluateBatch } from '../../../kv/eval/index.js';
import { enc, state, txnAt } from './range-fixture.js';


/** Evaluates `requests` and applies their writes to `engine`. */
async function run(engine: MemoryEngine, requests: readonly Request[], txn: Transaction | undefined, ts = 10n) {
  const rw = new Batch(engine);
  const result = await evaluateBatch(state(), rw, batchRequest(batchHeader({ timestamp: txn?.readTimestamp ?? timestamp(ts), txn }), requests));
  await engine.commit(rw.ops, { sync: false });
  return result;
}

describe('locking reads in kv/eval', () => {
  it('fail with WriteTooOld on values committed above the read timestamp, naming every such key', async () => {
    const engine = new MemoryEngine();
    await run(engine, [putRequest(enc('b'), enc('b5'))], undefined, 5n);
    await run(engine, [putRequest(enc('c'), enc('c20'))], undefined, 20n);
    await run(engine, [putRequest(enc('d'), enc('d30'))], undefined, 30n);
    const reader = txnAt('a', 10n);
    // Plain reads see the versions at or below 10.
    const plain = await run(engine, [scanRequest(enc('a'), enc('l'))], reader);
    expect(plain.responses[0]).toMatchObject({ rows: [{ key: enc('b') }] });
    const error = await run(engine, [scanRequest(enc('a'), enc('l'), 'exclusive')], reader).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteTooOldError);
    const wto = error as WriteTooOldError;
    expect(wto.keys).toEqual([enc('c'), enc('d')]);
    expect(wto.actualTimestamp).toEqual(timestamp(30n, 1));
    await expect(run(engine, [getRequest(enc('c'), 'shared')], reader)).rejects.toBeInstanceOf(WriteTooOldError);
    // A key with nothing newer reads as usual.
    const ok = await run(engine, [getRequest(enc('b'), 'exclusive')], reader);
    const answer = ok.responses[0];
    expect(answer?.kind === 'get' ? new TextDecoder().decode(answer.value) : undefined).toBe('b5');
    // Without a transaction a locking read is a plain read.
    const nonTxn = await run(engine, [getRequest(enc('c'), 'exclusive')], undefined, 10n);
    expect(nonTxn.responses[0]).toMatchObject({ value: undefined });
  });

  it('conflict with an intent of another transaction above the read timestamp', async () => {
    const engine = new MemoryEngine();
    await run(engine, [putRequest(enc('b'), enc('w'))], txnAt('b', 50n));
    const reader = txnAt('a', 10n);
    const plain = await run(engine, [getRequest(enc('b'))], reader);
    expect(plain.responses[0]).toMatchObject({ value: undefined });
    await expect(run(engine, [getRequest(enc('b'), 'exclusive')], reader)).rejects.toBeInstanceOf(WriteIntentError);
    await expect(run(engine, [scanRequest(enc('a'), enc('l'), 'shared')], reader)).rejects.toBeInstanceOf(WriteIntentError);
  });
});

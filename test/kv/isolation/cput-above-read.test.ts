/**
 * Review (session 11): a transactional conditional put checks its condition against the newest
 * committed version below its WRITE timestamp, even one committed after the transaction's READ
 * timestamp. When an earlier write of the same batch was pushed by the timestamp cache, a value
 * committed in (read timestamp, pushed write timestamp] fails the condition with a
 * ConditionFailedError — not retryable, so runTxn hands it to the caller — although the
 * transaction read the key absent itself: no serial execution of "get k (absent); cput k
 * expecting absent" fails. The read is in the refresh set, so a retryable error (WriteTooOld,
 * CockroachDB's answer for a read-write request meeting a value above its read timestamp) would
 * restart the transaction, which then reads the value. SQL: INSERT … ON CONFLICT DO NOTHING
 * (a Get, then the insert's conditional put) fails with 23505.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conditionalPutRequest, putRequest } from '../../../kv/api/index.js';
import { runTxn } from '../../../txn/index.js';
import { dec, enc, openTestKv, readNow, rowKey, type TestKv } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('review: a conditional put meeting a value above its read timestamp', () => {
  let t: TestKv;
  beforeEach(async () => { t = await openTestKv({ maxClockOffsetNanos: 1_000_000n }); });
  afterEach(async () => { await t.kv.close(); });

  it('a transaction that read the key absent is retried, never told the key exists', async () => {
    const x = rowKey(1); // x and k on the same range: the batch evaluates put x, then cput k
    const k = rowKey(4);
    let attempts = 0;
    const outcome = await runTxn(t.kv.sender, t.kv.txnDeps, async (txn) => {
      attempts++;
      const seen = dec(await txn.get(k));
      if (attempts === 1) {
        expect(seen).toBeUndefined();
        await sleep(5);
        await runTxn(t.kv.sender, t.kv.txnDeps, (other) => other.put(k, enc('theirs'))); // committed above our read
        await sleep(5);
        await readNow(t.kv.sender, t.kv.txnDeps, x); // a reader of x above that commit: our put of x is pushed
        await sleep(5);
      }
      if (seen !== undefined) return `skipped: k is ${seen}`;
      await txn.batch([putRequest(x, enc('mine')), conditionalPutRequest(k, enc('mine'), undefined)]);
      return 'inserted';
    }, { name: 'insert-if-absent' });
    expect(outcome).toBe('skipped: k is theirs');
    expect(attempts).toBe(2);
  });
});

/**
 * A fresh key's conditional put (txn/write-buffer.ts "Fresh keys": SQL's generated rowid) held
 * for the commit, on the three-range server: with writes on other ranges the commit is parallel
 * (STAGING), and the check still runs there. A key that exists after all (a duplicate generated
 * id) fails the commit with ConditionFailedError, and the transaction's other writes never
 * become visible — atomic, as if the check had failed at the statement.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conditionalPutRequest, ConditionFailedError, getRequest } from '../../../kv/api/index.js';
import { Txn, type TxnDeps } from '../../../txn/index.js';
import { enc, openTestKv, readNow, rowKey, seed, type TestKv } from './harness.js';

describe('a fresh key held for the commit', () => {
  let t: TestKv;
  let deps: TxnDeps;
  beforeEach(async () => {
    t = await openTestKv();
    deps = { ...t.kv.txnDeps, writeBufferPolicy: 'locked' };
    await seed(t, { 1: '10', 2: '20' });
  });
  afterEach(async () => {
    await t.kv.close();
  });

  /** Row 1's increment (locked, held) and a fresh insert of row 3 (another range): one parallel commit. */
  const transfer = async (txn: Txn): Promise<void> => {
    const read = await txn.batch([getRequest(rowKey(1), 'exclusive')]);
    expect(read.responses[0].value).toBeDefined();
    await txn.put(rowKey(1), enc('11'));
    await txn.batch([conditionalPutRequest(rowKey(3), enc('inserted'), undefined)], { freshKeys: [rowKey(3)] });
    expect(txn.interceptors.writeBuffer.size).toBe(2); // both ride with the commit
  };

  it('commits the held insert with the other writes in one staged commit', async () => {
    const txn = new Txn(t.kv.sender, deps);
    const staged = t.kv.txnDeps.parallelCommits!.stagedCommits;
    await transfer(txn);
    await txn.commit();
    expect(t.kv.txnDeps.parallelCommits!.stagedCommits).toBeGreaterThan(staged); // staged (again, if a refresh re-staged it)
    expect(await readNow(t.kv.sender, deps, rowKey(1))).toBe('11');
    expect(await readNow(t.kv.sender, deps, rowKey(3))).toBe('inserted');
  });

  it('fails the commit when the key exists after all, and none of the transaction’s writes is seen', async () => {
    await seed(t, { 3: 'taken' });
    const txn = new Txn(t.kv.sender, deps);
    await transfer(txn);
    await expect(txn.commit()).rejects.toBeInstanceOf(ConditionFailedError);
    await txn.rollback();
    expect(await readNow(t.kv.sender, deps, rowKey(1))).toBe('10');
    expect(await readNow(t.kv.sender, deps, rowKey(3))).toBe('taken');
    // Nothing left locked: another transaction writes row 1 and commits.
    const next = new Txn(t.kv.sender, deps);
    await next.put(rowKey(1), enc('12'));
    await next.commit();
    expect(await readNow(t.kv.sender, deps, rowKey(1))).toBe('12');
  });
});

/**
 * A transaction whose very first write is refused as bad input (here a key over keyBytesMax)
 * must still be usable to roll back: nothing was written, so there is nothing to clean up, and a
 * SQL session rolls back after a failed statement. (Found failing: `Txn.anchor` takes the refused
 * key as the transaction's anchor before the batch is accepted, so the EndTxn of the rollback
 * carries the oversized key and is refused in turn — the transaction can never finish.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitExceededError } from '../../../src/base/errors.js';
import { limits } from '../../../src/base/limits.js';
import { enc, newTxn, openTestKv, rowKey, rowKeyString, settle, tableState, type TestKv } from './harness.js';

describe('bad input as a transaction’s first write', () => {
  let t: TestKv;
  beforeAll(async () => {
    t = await openTestKv();
  });
  afterAll(async () => {
    await t.kv.close();
  });

  it('a transaction whose first write is refused for its size can still be rolled back, and the store serves on', async () => {
    const key = new Uint8Array(limits.keyBytesMax + 1).fill(0x61);
    const txn = newTxn(t, { name: 'big-first-key' });
    const refused = await settle(txn.put(key, enc('v')));
    expect(refused.status === 'rejected' && refused.error instanceof LimitExceededError).toBe(true);
    const rolledBack = await settle(txn.rollback());
    expect(rolledBack.status, rolledBack.status === 'rejected' ? String(rolledBack.error) : '').toBe('fulfilled');
    const next = newTxn(t, { name: 'next' });
    await next.put(rowKey(1), enc('ok'));
    await next.commit();
    expect((await tableState(t)).get(rowKeyString(1))).toBe('ok');
  });
});
